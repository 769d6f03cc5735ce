#include "CommandLine.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationName(QStringLiteral("KioskGate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KIOSKGATE_VERSION));
    return KioskGate::runCommandLine(QCoreApplication::arguments());
}
