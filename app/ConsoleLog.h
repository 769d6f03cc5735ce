#pragma once

namespace KioskGate::ConsoleLog {

/// Sends Qt's log to stdout as one line per message
/// ("<UTC time> <level> <category>: <text>"). A thread of its own writes
/// and flushes each line as it comes (service managers and tests see it
/// live), so no thread that logs waits for stdout; a stdout that does not
/// keep up loses lines, counted in a line of their own, rather than
/// stopping the server. A fatal message waits until it is written.
///
/// Logging goes this way while a Guard lives; once it is gone, the lines
/// left are written (for at most 2 s) and later messages go to stdout
/// directly - or nowhere, if stdout did not take the last lines.
class Guard
{
public:
    Guard();
    ~Guard();
    Guard(const Guard &) = delete;
    Guard &operator=(const Guard &) = delete;
};

} // namespace KioskGate::ConsoleLog
