#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace KioskGate {

/// Runs SQLite's WAL checkpoints for one database file on a thread of its
/// own, so that no commit of the server's connections pays for one.
///
/// Why: in WAL mode the commit that takes the log past 1,000 pages also
/// copies them into the database and flushes it, about 4 ms on a fast disk
/// and far more on an SD card. At 10,000 kiosks that was about every second
/// reset-all, on the network thread, and the commit could be a command's
/// record on the way to its first frame. Once this runs, the server's
/// connections turn their own checkpoints off
/// (SqliteConnection::leaveCheckpointsToOthers()).
///
/// A PASSIVE checkpoint (it never waits for a reader or a writer) once the
/// log has not changed for an interval, or after ten intervals of commits
/// in a row; nothing while the log is as it was last copied. After a
/// complete copy of a quiet log it also starts the log over, with a write
/// that changes nothing, so that the next commit does not flush the log's
/// new header first.
class WalCheckpointer
{
public:
    static constexpr int DefaultIntervalMs = 1000;

    explicit WalCheckpointer(QString path, int intervalMs = DefaultIntervalMs);
    /// Stops the thread and waits for it (at most one checkpoint).
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    /// Opens a connection of its own to the file, on its thread, and starts.
    /// False, with `*error`, if it cannot: the server's connections must
    /// then keep their own checkpoints.
    bool start(QString *error);

    /// Checkpoints run so far; for tests.
    quint64 checkpoints() const { return m_checkpoints.load(std::memory_order_relaxed); }

private:
    void run(std::promise<QString> opened);

    const QString m_path;
    const int m_intervalMs;
    std::thread m_thread;
    std::mutex m_lock;
    std::condition_variable m_wake;
    bool m_stopping = false; // under m_lock
    std::atomic<quint64> m_checkpoints { 0 };
};

} // namespace KioskGate
