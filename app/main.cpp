#include "CommandLine.h"
#include "GuiRunner.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    // The window needs a QApplication (and a display); every other command
    // runs with QCoreApplication, so it works over SSH and in services.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    std::unique_ptr<QCoreApplication> app;
    if (KioskGate::opensWindow(arguments)) {
        // Qt aborts when it cannot reach a display; say what to do instead.
        if (!KioskGate::displayAvailable()) {
            std::fputs("kioskgate: no display to open the console window on (DISPLAY and WAYLAND_DISPLAY "
                       "are unset).\nRun `kioskgate --headless` for the server without a window, or "
                       "`kioskgate --help` for the commands.\n",
                       stderr);
            return KioskGate::ExitUsage;
        }
        app = std::make_unique<QApplication>(argc, argv);
    }
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KIOSKGATE_VERSION));
    return KioskGate::runCommandLine(QCoreApplication::arguments());
}
