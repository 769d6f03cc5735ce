#pragma once

namespace KioskGate {

/// Replaces this process with the console window program (beside this one
/// in a build tree, else where the installation puts it,
/// KIOSKGATE_CONSOLE_DIR_FROM_BINDIR, e.g. ../libexec/kioskgate), with the same
/// arguments (argv[0] included, so the window's class stays "kioskgate")
/// and environment. Returns only if that fails, having said why on stderr.
/// Needs a QCoreApplication (for this program's own location).
int launchConsole(char *argv[]);

} // namespace KioskGate
