#pragma once

#include <QStringList>

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

/// Parses the command line and runs the command it names.
int runCommandLine(const QStringList &arguments);

} // namespace KioskGate
