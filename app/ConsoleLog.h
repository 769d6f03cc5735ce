#pragma once

namespace KioskGate::ConsoleLog {

/// Sends Qt's log to stdout as one line per message
/// ("<UTC time> <level> <category>: <text>"), flushed at once so that
/// service managers and tests see it live.
void install();

} // namespace KioskGate::ConsoleLog
