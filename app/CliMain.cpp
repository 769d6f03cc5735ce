// kioskgate where the window is a program of its own (Linux): every command
// and the headless server, without the GUI libraries. Loading Qt Widgets,
// Qt Gui and what they bring (X11, EGL, fontconfig, ...) took about half of
// a command's run: `kioskgate reset-all` went from 14.8 to 9.3 ms and from
// 7.8 to 3.2 ms of user CPU. The headless server, which faces the network,
// maps none of that code either.

#include "CommandLine.h"
#include "ConsoleLauncher.h"
#include "WindowChoice.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KIOSKGATE_VERSION));
    const QStringList arguments = QCoreApplication::arguments();
    // Checked here as well as in the console program: without a display
    // there is nothing to start.
    if (KioskGate::opensWindow(arguments)) {
        if (!KioskGate::displayAvailable())
            return KioskGate::reportNoDisplay();
        return KioskGate::launchConsole(argv);
    }
    return KioskGate::runCommandLine(arguments, [argv](const KioskGate::HeadlessOptions &) {
        return KioskGate::launchConsole(argv);
    });
}
