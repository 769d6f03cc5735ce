#pragma once

#include <QByteArray>
#include <functional>
#include <memory>
#include <thread>

namespace KioskGate {

/// Writes log lines to a file descriptor (stdout) from a thread of its own,
/// so that the thread that logs never waits for the output: with a line per
/// handshake, an output nobody reads (a paused terminal, a stalled pipe)
/// would otherwise stop the network thread, and every kiosk connection with
/// it, once the pipe is full.
///
/// The first line after a quiet spell is written at once; lines that follow
/// within `gatherMs` go out together. Lines are kept in the order posted.
/// When more than `maxPending` bytes wait (the output is not keeping up),
/// new lines are dropped and counted; once the output takes bytes again the
/// count is written in their place.
class LogWriter
{
public:
    /// `droppedNotice(n)` makes the line that stands for n dropped lines.
    LogWriter(int fd, qsizetype maxPending, std::function<QByteArray(quint64)> droppedNotice);
    /// finish(drainTimeoutMs), unless finish() was called.
    ~LogWriter();

    LogWriter(const LogWriter &) = delete;
    LogWriter &operator=(const LogWriter &) = delete;

    /// Never blocks on the output. False when the line was dropped.
    bool post(const QByteArray &line);
    /// Waits until every line posted before the call is written, or the
    /// timeout passes; true if written. For fatal messages and tests.
    bool flush(int timeoutMs);

    /// Writes what is left and stops the thread, waiting at most
    /// `timeoutMs` for an output that does not take it; false if it did not
    /// (the thread, stuck in a write, is then left behind, and anything else
    /// written to the descriptor would block too: the caller should stop
    /// writing to it). Later posts are dropped.
    bool finish(int timeoutMs);

    quint64 droppedLines() const;

    static constexpr int drainTimeoutMs = 2000;
    /// After a write, lines gather this long before the next one.
    static constexpr int gatherMs = 10;

private:
    struct State;
    static void run(const std::shared_ptr<State> &state);

    // Shared with the writing thread, which is left behind (detached) when
    // the output does not take the last lines in time.
    std::shared_ptr<State> m_state;
    std::thread m_thread;
};

} // namespace KioskGate
