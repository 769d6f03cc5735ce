#pragma once

#include <QSqlDatabase>
#include <QString>

class QSqlError;

namespace KioskGate {

/// One QtSql connection to the console's SQLite file, as the token registry
/// and the command store each keep their own (a connection belongs to one
/// thread): a name unique to this object, the file opened in WAL mode with
/// synchronous=FULL and foreign keys on, a busy timeout so another
/// connection's brief write lock is waited for, and removal on destruction.
class SqliteConnection
{
public:
    /// `prefix` names the owner in the connection name ("kioskgate-registry").
    explicit SqliteConnection(const QString &prefix);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    /// Opens and configures `path`; errors name the file as `what` ("the
    /// registry", "the command store").
    bool open(const QString &path, const QString &what, QString *error);
    /// Turns off SQLite's checkpoint at commit (wal_autocheckpoint=0): a
    /// WalCheckpointer does them. Without one the log would only grow.
    bool leaveCheckpointsToOthers(QString *error);
    QSqlDatabase database() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
};

/// Starts a write transaction that takes the write lock at once (BEGIN
/// IMMEDIATE), waiting up to the busy timeout for another connection's.
/// A plain BEGIN reads first and asks for the lock at its first write; if
/// another connection committed in between, SQLite (WAL) answers "database
/// is locked" at once, without waiting: the registry and the command store
/// share the file, so a revoke could fail while a command was recorded.
bool beginWrite(QSqlDatabase &db, QString *error);

/// Sets `*error` to "what: the SQL error" and returns false.
bool sqlFailure(QString *error, const QString &what, const QSqlError &sqlError);

/// Whether the file's schema version under `versionKey` in `meta` is newer
/// than `supported`, so a newer program's tables must be left untouched;
/// then `*error` says so, starting with `subject` ("the registry is"). No
/// version (no `meta` yet) is a new file.
bool isNewerSchema(QSqlDatabase &db, const QString &versionKey, int supported,
                   const QString &subject, QString *error);

} // namespace KioskGate
