#pragma once

#include <QStringList>

#include <functional>

namespace KioskGate {

/// Exit statuses of every kioskgate command.
enum ExitStatus {
    ExitOk = 0,
    ExitFailure = 1,    ///< the command ran and failed (reason on stderr)
    ExitUsage = 2,      ///< bad command line
    ExitNotRunning = 3, ///< `status`, `reset-all`...: no instance runs on the data directory
};

/// True for `token`, `tls`, `reset-all`... (commands that are not the server).
bool isSubcommand(const QString &name);

struct HeadlessOptions;

/// Opens the console window for the server options parsed from the command
/// line: the window itself (runGui) or the program that has it
/// (launchConsole); returns the process exit status.
using WindowRunner = std::function<int(const HeadlessOptions &options)>;

/// Parses the command line and runs the command it names; `runWindow` when
/// it names none (and no --headless).
int runCommandLine(const QStringList &arguments, const WindowRunner &runWindow);

} // namespace KioskGate
