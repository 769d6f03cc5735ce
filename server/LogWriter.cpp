#include "LogWriter.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <poll.h>
#include <unistd.h>
#endif

namespace KioskGate {

namespace {
qint64 writeSome(int fd, const char *data, qsizetype size)
{
#ifdef Q_OS_WIN
    return ::_write(fd, data, unsigned(qMin<qsizetype>(size, 1 << 30)));
#else
    return ::write(fd, data, size_t(size));
#endif
}
/// After a write failed: true once a non-blocking descriptor has room again
/// (this thread may wait; that is what it is for).
bool waitedForRoom(int fd)
{
#ifdef Q_OS_WIN
    Q_UNUSED(fd);
    return false;
#else
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        return false;
    pollfd out { fd, POLLOUT, 0 };
    int ready;
    do {
        ready = ::poll(&out, 1, -1);
    } while (ready < 0 && errno == EINTR);
    return ready > 0 && (out.revents & POLLOUT);
#endif
}
} // namespace

struct LogWriter::State
{
    int fd = -1;
    qsizetype maxPending = 0;
    std::function<QByteArray(quint64)> droppedNotice;

    std::mutex mutex;
    std::condition_variable wake; // the writer: lines wait, or stop
    std::condition_variable written; // flush(): a batch went out
    QByteArray pending;
    quint64 postedLines = 0; // accepted so far
    quint64 writtenLines = 0; // of those, written (or given up)
    quint64 unreported = 0; // dropped since the last notice
    quint64 droppedTotal = 0;
    bool writerIdle = false; // asleep on `wake` until woken: a post must wake it
    bool urgent = false; // flush() waits, or lines pile up: end the gathering
    bool stopping = false;
    bool finished = false;

    void writeOut(const QByteArray &bytes) const
    {
        // Straight to the descriptor, not through stdio: a thread stuck in
        // fwrite() on a stream nobody reads holds the stream's lock, and
        // exit() flushes stdout under that lock - the process would never
        // end. A descriptor that fails (a closed pipe, a full disk) loses
        // these lines; there is nowhere else to say so.
        const char *data = bytes.constData();
        qsizetype left = bytes.size();
        while (left > 0) {
            const qint64 taken = writeSome(fd, data, left);
            if (taken < 0 && errno == EINTR)
                continue;
            if (taken < 0 && waitedForRoom(fd))
                continue; // a non-blocking stdout that was full
            if (taken <= 0)
                return;
            data += taken;
            left -= taken;
        }
    }
};

LogWriter::LogWriter(int fd, qsizetype maxPending, std::function<QByteArray(quint64)> droppedNotice)
    : m_state(std::make_shared<State>())
{
    m_state->fd = fd;
    m_state->maxPending = maxPending;
    m_state->droppedNotice = std::move(droppedNotice);
    m_thread = std::thread([state = m_state] { run(state); });
}

LogWriter::~LogWriter()
{
    finish(drainTimeoutMs);
}

bool LogWriter::finish(int timeoutMs)
{
    if (!m_thread.joinable()) {
        const std::lock_guard<std::mutex> lock(m_state->mutex);
        return m_state->finished;
    }
    {
        const std::lock_guard<std::mutex> lock(m_state->mutex);
        m_state->stopping = true;
    }
    m_state->wake.notify_one();
    std::unique_lock<std::mutex> lock(m_state->mutex);
    const bool drained = m_state->written.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                                   [this] { return m_state->finished; });
    lock.unlock();
    if (drained)
        m_thread.join();
    else
        m_thread.detach(); // stuck in a write; it keeps the state alive
    return drained;
}

bool LogWriter::post(const QByteArray &line)
{
    State &s = *m_state;
    bool wake = false;
    bool accepted = false;
    {
        const std::lock_guard<std::mutex> lock(s.mutex);
        if (s.stopping) {
            ++s.droppedTotal;
            return false;
        }
        if (s.pending.size() + line.size() > s.maxPending) {
            ++s.unreported;
            ++s.droppedTotal;
        } else {
            s.pending.append(line);
            ++s.postedLines;
            accepted = true;
        }
        // Only a writer asleep for good needs the (system call) wake-up: a
        // busy or gathering one takes everything pending when it is back,
        // unless a quarter of the room is used up.
        if (s.pending.size() > s.maxPending / 4 && !s.urgent) {
            s.urgent = true;
            wake = true;
        }
        wake = std::exchange(s.writerIdle, false) || wake;
    }
    if (wake)
        s.wake.notify_one();
    return accepted;
}

bool LogWriter::flush(int timeoutMs)
{
    std::unique_lock<std::mutex> lock(m_state->mutex);
    const quint64 target = m_state->postedLines;
    m_state->urgent = true;
    m_state->wake.notify_one();
    return m_state->written.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                     [this, target] { return m_state->writtenLines >= target; });
}

quint64 LogWriter::droppedLines() const
{
    const std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->droppedTotal;
}

void LogWriter::run(const std::shared_ptr<State> &state)
{
    State &s = *state;
    const auto hasWork = [&s] { return !s.pending.isEmpty() || s.unreported > 0; };
    std::unique_lock<std::mutex> lock(s.mutex);
    bool wroteLast = false;
    for (;;) {
        if (wroteLast && !hasWork() && !s.stopping) {
            // Lines come in bursts (a line per handshake): gather for a
            // moment, unwoken, rather than cost every line a wake-up and a
            // write. Woken early to stop, to flush, or when lines pile up.
            s.wake.wait_for(lock, std::chrono::milliseconds(gatherMs),
                            [&s] { return s.stopping || s.urgent; });
        }
        while (!hasWork() && !s.stopping) {
            s.writerIdle = true;
            s.wake.wait(lock);
        }
        s.writerIdle = false;
        s.urgent = false;
        if (!hasWork())
            break; // stopping, and everything is out
        const QByteArray batch = std::exchange(s.pending, QByteArray());
        const quint64 lines = s.postedLines;
        const quint64 dropped = std::exchange(s.unreported, 0);
        lock.unlock();
        s.writeOut(batch);
        // The lines were dropped after everything in this batch was posted.
        if (dropped > 0)
            s.writeOut(s.droppedNotice(dropped));
        lock.lock();
        s.writtenLines = lines;
        s.written.notify_all();
        wroteLast = true;
    }
    s.finished = true;
    s.written.notify_all();
}

} // namespace KioskGate
