#include "SqliteConnection.h"

#include <QAtomicInteger>
#include <QSqlError>
#include <QSqlQuery>

namespace KioskGate {

namespace {
QAtomicInteger<quint64> s_connectionCounter;
}

SqliteConnection::SqliteConnection(const QString &prefix)
    : m_name(QStringLiteral("%1-%2").arg(prefix).arg(++s_connectionCounter))
{
}

SqliteConnection::~SqliteConnection()
{
    {
        QSqlDatabase db = database();
        if (db.isValid())
            db.close();
    }
    if (QSqlDatabase::contains(m_name))
        QSqlDatabase::removeDatabase(m_name);
}

bool SqliteConnection::open(const QString &path, const QString &what, QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(path);
    // Another connection (the other thread, or a CLI call) may hold the write
    // lock briefly; wait for it instead of failing.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return sqlFailure(error, QStringLiteral("cannot open %1 %2").arg(what, path), db.lastError());
    QSqlQuery pragma(db);
    // WAL: readers never block the writer. FULL: a committed change survives
    // a crash or power loss.
    for (const char *statement : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                                  "PRAGMA foreign_keys=ON"}) {
        if (!pragma.exec(QString::fromLatin1(statement)))
            return sqlFailure(error, QStringLiteral("cannot configure %1 %2").arg(what, path),
                              pragma.lastError());
    }
    return true;
}

bool SqliteConnection::leaveCheckpointsToOthers(QString *error)
{
    QSqlQuery pragma(database());
    if (pragma.exec(QStringLiteral("PRAGMA wal_autocheckpoint=0")))
        return true;
    return sqlFailure(error, QStringLiteral("cannot turn off checkpoints at commit"),
                      pragma.lastError());
}

bool sqlFailure(QString *error, const QString &what, const QSqlError &sqlError)
{
    if (error)
        *error = QStringLiteral("%1: %2").arg(what, sqlError.text());
    return false;
}

bool isNewerSchema(QSqlDatabase &db, const QString &versionKey, int supported,
                   const QString &subject, QString *error)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(versionKey);
    if (!q.exec() || !q.next())
        return false;
    const int version = q.value(0).toInt();
    if (version <= supported)
        return false;
    if (error)
        *error
            = QStringLiteral("%1 version %2, newer than this program (%3): use a newer KioskGate")
                  .arg(subject)
                  .arg(version)
                  .arg(supported);
    return true;
}

bool beginWrite(QSqlDatabase &db, QString *error)
{
    QSqlQuery begin(db);
    if (begin.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return true;
    return sqlFailure(error, QStringLiteral("cannot start a transaction"), begin.lastError());
}

} // namespace KioskGate
