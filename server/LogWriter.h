#pragma once

#include <QByteArray>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>

namespace KioskGate {

/// Writes log lines to a stream from a thread of its own, so that the
/// thread that logs never waits for the stream. With a line per handshake,
/// a write and a flush on the network thread cost 4-7% of its time, and a
/// stream nobody reads (a paused terminal, a stalled pipe) would stop every
/// kiosk connection with it.
///
/// The first line after a quiet spell is written at once; lines that follow
/// within `gatherMs` go out together. Lines are kept in the order posted. When more than
/// `maxPending` bytes wait (the stream is not keeping up), new lines are dropped and counted; once
/// the stream takes bytes again the count is written in their place.
class LogWriter
{
public:
    /// `droppedNotice(n)` makes the line that stands for n dropped lines.
    LogWriter(std::FILE *stream, qsizetype maxPending,
              std::function<QByteArray(quint64)> droppedNotice);
    /// Writes what is left, waiting at most `drainTimeoutMs` for a stream
    /// that does not take it (after which those lines are given up).
    ~LogWriter();

    LogWriter(const LogWriter &) = delete;
    LogWriter &operator=(const LogWriter &) = delete;

    /// Never blocks on the stream. False when the line was dropped.
    bool post(const QByteArray &line);
    /// Waits until every line posted before the call is written, or the
    /// timeout passes; true if written. For fatal messages and tests.
    bool flush(int timeoutMs);

    quint64 droppedLines() const;

    static constexpr int drainTimeoutMs = 2000;
    /// After a write, lines gather this long before the next one.
    static constexpr int gatherMs = 10;

private:
    struct State;
    static void run(const std::shared_ptr<State> &state);

    // Shared with the writing thread, which is left behind (detached) when
    // the stream does not take the last lines in time.
    std::shared_ptr<State> m_state;
    std::thread m_thread;
};

} // namespace KioskGate
