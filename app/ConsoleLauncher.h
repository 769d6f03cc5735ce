#pragma once

#include <QString>
#include <QStringList>

namespace KioskGate {

/// Where the console window program may be, next to this one: beside it
/// (a build tree), then where the installation puts it
/// (KIOSKGATE_CONSOLE_DIR_FROM_BINDIR, e.g. ../libexec/kioskgate).
QStringList consoleProgramCandidates(const QString &programDir);

/// Replaces this process with the console window program, with the same
/// arguments (argv[0] included, so the window's class stays "kioskgate")
/// and environment. Returns only if that fails, having said why on stderr.
/// Needs a QCoreApplication (for this program's own location).
int launchConsole(char *argv[]);

} // namespace KioskGate
