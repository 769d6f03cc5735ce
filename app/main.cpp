// The whole program: the console window and every command. On Linux it is
// installed as kioskgate-console and started by kioskgate (CliMain.cpp) when
// the window is asked for; elsewhere it is kioskgate itself.

#include "CommandLine.h"
#include "GuiRunner.h"
#include "WindowChoice.h"

#include <QApplication>
#include <QCoreApplication>

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
        if (!KioskGate::displayAvailable())
            return KioskGate::reportNoDisplay();
        app = std::make_unique<QApplication>(argc, argv);
    }
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KIOSKGATE_VERSION));
    return KioskGate::runCommandLine(QCoreApplication::arguments(), KioskGate::runGui);
}
