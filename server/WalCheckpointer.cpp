#include "WalCheckpointer.h"

#include "Logging.h"
#include "SqliteConnection.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <chrono>

namespace KioskGate {

namespace {

// Size and modification time of the log file: a commit changes one or both.
struct LogState
{
    qint64 bytes = -1;
    qint64 modifiedMs = -1;
    bool operator==(const LogState &other) const
    {
        return bytes == other.bytes && modifiedMs == other.modifiedMs;
    }
};

// Checkpoints wait at most this many intervals for the log to go quiet.
constexpr int MaxBusyPasses = 10;

LogState logState(const QString &path)
{
    const QFileInfo info(path); // a fresh stat()
    if (!info.exists())
        return {};
    return { info.size(), info.lastModified().toMSecsSinceEpoch() };
}

// After a complete copy, the next transaction that writes a page starts
// the log over, and with synchronous=FULL SQLite first writes the log's
// new header and flushes it: a second flush for that commit, most often a
// command's record on the way to its first frame (0.4-0.9 ms here, tens of
// ms on an SD card). A write that changes nothing (user_version set to
// what it is; KioskGate keeps its versions in its meta tables) starts the
// log over here instead. If it fails, the next writer does it, as before.
bool startLogOver(QSqlDatabase &db)
{
    if (!beginWrite(db, nullptr)) // a failure is not worth a log line: see above
        return false;
    QSqlQuery q(db);
    bool ok = q.exec(QStringLiteral("PRAGMA user_version")) && q.next();
    const int version = ok ? q.value(0).toInt() : 0;
    q.finish();
    ok = ok && q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version));
    if (ok && db.commit())
        return true;
    db.rollback();
    return false;
}

} // namespace

WalCheckpointer::WalCheckpointer(QString path, int intervalMs)
    : m_path(std::move(path)), m_intervalMs(intervalMs)
{ }

WalCheckpointer::~WalCheckpointer()
{
    {
        const std::lock_guard<std::mutex> locker(m_lock);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool WalCheckpointer::start(QString *error)
{
    std::promise<QString> opened;
    std::future<QString> openError = opened.get_future();
    m_thread
        = std::thread([this, promise = std::move(opened)]() mutable { run(std::move(promise)); });
    const QString failure = openError.get();
    if (failure.isEmpty())
        return true;
    m_thread.join();
    if (error)
        *error = failure;
    return false;
}

void WalCheckpointer::run(std::promise<QString> opened)
{
    // A QtSql connection belongs to the thread that opened it: this one.
    SqliteConnection connection(QStringLiteral("kioskgate-checkpoints"));
    QString error;
    if (!connection.open(m_path, QStringLiteral("the database"), &error)) {
        opened.set_value(error.isEmpty() ? QStringLiteral("cannot open %1").arg(m_path) : error);
        return;
    }
    opened.set_value(QString());

    QSqlDatabase db = connection.database();
    QSqlQuery checkpoint(db);
    checkpoint.prepare(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
    const QString log = m_path + QStringLiteral("-wal");
    LogState copied; // the log as it was when everything in it had been copied
    LogState seen; // the log at the previous pass
    int busyPasses = 0;
    QString lastFailure;
    std::unique_lock<std::mutex> locker(m_lock);
    while (!m_wake.wait_for(locker, std::chrono::milliseconds(m_intervalMs),
                            [this] { return m_stopping; })) {
        locker.unlock();
        // An idle console costs a stat() a second, not a checkpoint. While
        // commits keep coming (a reset-all's acks, a fleet reconnecting)
        // the copy waits for a quiet interval, so that it does not compete
        // with them for the disk and the cores; up to MaxBusyPasses.
        const LogState before = logState(log);
        const bool quiet = before == seen;
        seen = before;
        if (before == copied)
            busyPasses = 0;
        else if (quiet || ++busyPasses >= MaxBusyPasses) {
            busyPasses = 0;
            const bool ok = checkpoint.exec() && checkpoint.next();
            // Columns: busy, frames in the log, frames copied. A commit
            // meanwhile (the log changed) is left for the next pass.
            const bool complete = ok && checkpoint.value(0).toInt() == 0
                && checkpoint.value(1).toLongLong() == checkpoint.value(2).toLongLong()
                && logState(log) == before;
            const QString failure = ok ? QString() : checkpoint.lastError().text();
            checkpoint.finish();
            if (complete) {
                copied = before;
                // Only after a quiet log: while commits keep coming, this
                // write would make them wait for its two flushes.
                if (quiet && startLogOver(db))
                    copied = logState(log); // its own page is no reason to copy again
            }
            // Said once per kind of failure, not every second: the log only
            // grows meanwhile, and the next success catches up.
            if (failure != lastFailure && !failure.isEmpty())
                qCWarning(lcServer).noquote()
                    << "WAL checkpoint of" << m_path << "failed:" << failure;
            lastFailure = failure;
            m_checkpoints.fetch_add(1, std::memory_order_relaxed);
        }
        locker.lock();
    }
}

} // namespace KioskGate
