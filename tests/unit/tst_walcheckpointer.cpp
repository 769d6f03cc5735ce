// WalCheckpointer with a real SQLite file: once the server's connections
// leave checkpoints to others, their commits never copy the log into the
// database; the checkpointer's thread does.

#include "SqliteConnection.h"
#include "WalCheckpointer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

using namespace KioskGate;

namespace {

constexpr int Commits = 300;
constexpr int BlobBytes = 16 * 1024; // four pages a commit: 1,200 in all
constexpr qint64 AllPagesBytes = qint64(Commits) * BlobBytes;

// Writes Commits transactions through `connection`, as the network thread's
// stores do (BEGIN IMMEDIATE ... COMMIT, synchronous=FULL).
bool writeLog(SqliteConnection &connection)
{
    QSqlDatabase db = connection.database();
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("CREATE TABLE t (v BLOB)")))
        return false;
    for (int i = 0; i < Commits; ++i) {
        QString error;
        if (!beginWrite(db, &error)
            || !q.exec(QStringLiteral("INSERT INTO t (v) VALUES (randomblob(%1))").arg(BlobBytes))
            || !db.commit())
            return false;
    }
    return true;
}

} // namespace

class TestWalCheckpointer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void commitsCheckpointByDefault();
    void connectionsLeavingCheckpointsToOthersNeverDo();
    void theCheckpointerCopiesTheLogIntoTheDatabase();
    void itWaitsForTheLogToGoQuiet();
    void aCommitAfterACopyDoesNotStartTheLogOver();
    void stopsWithoutWaitingForItsInterval();
    void aFileItCannotOpenIsAnError();

private:
    enum class Checkpoints { AtCommit, LeftToOthers };
    // Opens `writer` on the test file, as the server's stores do; the error,
    // or an empty string.
    QString openWriter(SqliteConnection &writer, Checkpoints checkpoints) const
    {
        QString error;
        if (writer.open(path(), QStringLiteral("the test file"), &error)
            && (checkpoints == Checkpoints::AtCommit || writer.leaveCheckpointsToOthers(&error)))
            return QString();
        return error;
    }
    // Opens `writer` with checkpoints left to others, starts `checkpointer`,
    // writes the log and waits until it is in the database; the error, or
    // an empty string.
    QString writeAndCopy(SqliteConnection &writer, WalCheckpointer &checkpointer) const
    {
        QString error = openWriter(writer, Checkpoints::LeftToOthers);
        if (!error.isEmpty() || !checkpointer.start(&error))
            return error;
        if (!writeLog(writer))
            return QStringLiteral("cannot write the log");
        if (!QTest::qWaitFor([this] { return databaseBytes() >= AllPagesBytes; }, 10000))
            return QStringLiteral("the log is not in the database: %1 bytes").arg(databaseBytes());
        return QString();
    }
    qint64 databaseBytes() const { return QFileInfo(path()).size(); }
    // The log header's checkpoint sequence number (bytes 12-15, big-endian):
    // it goes up each time the log starts over.
    quint32 logSequence() const
    {
        QFile log(path() + QStringLiteral("-wal"));
        const QByteArray header = log.open(QIODevice::ReadOnly) ? log.read(16) : QByteArray();
        return header.size() == 16 ? qFromBigEndian<quint32>(header.constData() + 12) : 0;
    }
    QString path() const { return m_dir->filePath(QStringLiteral("kioskgate.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestWalCheckpointer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

// The control: SQLite's own checkpoint at 1,000 pages copies the log into
// the database inside a commit.
void TestWalCheckpointer::commitsCheckpointByDefault()
{
    SqliteConnection writer(QStringLiteral("test-writer"));
    const QString error = openWriter(writer, Checkpoints::AtCommit);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(writeLog(writer));
    QVERIFY2(databaseBytes() >= AllPagesBytes / 2, qPrintable(QString::number(databaseBytes())));
}

void TestWalCheckpointer::connectionsLeavingCheckpointsToOthersNeverDo()
{
    SqliteConnection writer(QStringLiteral("test-writer"));
    QString error = openWriter(writer, Checkpoints::LeftToOthers);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QSqlQuery q(writer.database());
    QVERIFY(q.exec(QStringLiteral("PRAGMA wal_autocheckpoint")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    q.finish();
    QVERIFY(writeLog(writer));
    // Every page is still in the log only.
    QVERIFY2(databaseBytes() < AllPagesBytes / 4, qPrintable(QString::number(databaseBytes())));
    QVERIFY(QFileInfo(path() + QStringLiteral("-wal")).size() >= AllPagesBytes);
}

void TestWalCheckpointer::theCheckpointerCopiesTheLogIntoTheDatabase()
{
    SqliteConnection writer(QStringLiteral("test-writer"));
    WalCheckpointer checkpointer(path(), 20);
    const QString error = writeAndCopy(writer, checkpointer);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // Counted once the checkpoint statement is done, after it copied.
    QTRY_VERIFY_WITH_TIMEOUT(checkpointer.checkpoints() > 0, 5000);

    // An idle log is left alone (a stat() per interval, no checkpoint);
    // the next commit is copied again.
    QTest::qWait(200);
    const quint64 settled = checkpointer.checkpoints();
    QTest::qWait(200);
    QCOMPARE(checkpointer.checkpoints(), settled);
    QSqlQuery insert(writer.database());
    QVERIFY(insert.exec(QStringLiteral("INSERT INTO t (v) VALUES (zeroblob(1))")));
    QTRY_VERIFY_WITH_TIMEOUT(checkpointer.checkpoints() > settled, 5000);
    QVERIFY(insert.exec(QStringLiteral("DELETE FROM t WHERE length(v) = 1")));

    // The writer reads everything back: nothing was lost on the way.
    QSqlQuery q(writer.database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*), sum(length(v)) FROM t")) && q.next());
    QCOMPARE(q.value(0).toInt(), Commits);
    QCOMPARE(q.value(1).toLongLong(), AllPagesBytes);
}

// While commits keep coming (here one every 10 ms, for four intervals of
// half a second: a pause long enough to look quiet is unlikely even on a
// loaded machine), the copy waits; once they stop, it comes.
void TestWalCheckpointer::itWaitsForTheLogToGoQuiet()
{
    SqliteConnection writer(QStringLiteral("test-writer"));
    QString error = openWriter(writer, Checkpoints::LeftToOthers);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QSqlQuery q(writer.database());
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (v BLOB)")));
    WalCheckpointer checkpointer(path(), 500);
    QVERIFY2(checkpointer.start(&error), qPrintable(error));
    QElapsedTimer busy;
    busy.start();
    while (busy.elapsed() < 2000) {
        QVERIFY(q.exec(QStringLiteral("INSERT INTO t (v) VALUES (randomblob(4096))")));
        QTest::qWait(10);
    }
    QCOMPARE(checkpointer.checkpoints(), quint64(0));
    QTRY_VERIFY_WITH_TIMEOUT(checkpointer.checkpoints() > 0, 5000);
}

// Once the log is copied, the next commit would start it over and flush its
// new header first: the checkpointer has done that already, so the commit
// only appends.
void TestWalCheckpointer::aCommitAfterACopyDoesNotStartTheLogOver()
{
    SqliteConnection writer(QStringLiteral("test-writer"));
    WalCheckpointer checkpointer(path(), 20);
    const QString error = writeAndCopy(writer, checkpointer);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    quint64 settled = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const quint64 before = checkpointer.checkpoints();
            QTest::qWait(200);
            settled = checkpointer.checkpoints();
            return before > 0 && settled == before;
        }(),
        10000);

    const quint32 sequence = logSequence();
    QVERIFY(sequence > 0);
    QSqlQuery insert(writer.database());
    QVERIFY(insert.exec(QStringLiteral("INSERT INTO t (v) VALUES (zeroblob(1))")));
    QCOMPARE(logSequence(), sequence);
    // Copied again once quiet, and started over again by the checkpointer.
    QTRY_VERIFY_WITH_TIMEOUT(checkpointer.checkpoints() > settled, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(logSequence(), sequence + 1, 5000);

    QSqlQuery q(writer.database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM t")) && q.next());
    QCOMPARE(q.value(0).toInt(), Commits + 1);
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
}

void TestWalCheckpointer::stopsWithoutWaitingForItsInterval()
{
    QElapsedTimer timer;
    timer.start();
    {
        WalCheckpointer checkpointer(path(), 60'000);
        QString error;
        QVERIFY2(checkpointer.start(&error), qPrintable(error));
    }
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
}

void TestWalCheckpointer::aFileItCannotOpenIsAnError()
{
    WalCheckpointer checkpointer(m_dir->filePath(QStringLiteral("missing/kioskgate.db")));
    QString error;
    QVERIFY(!checkpointer.start(&error));
    QVERIFY2(error.contains(QStringLiteral("missing/kioskgate.db")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestWalCheckpointer)
#include "tst_walcheckpointer.moc"
