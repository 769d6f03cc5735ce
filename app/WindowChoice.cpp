#include "WindowChoice.h"

#include "CommandLine.h"

#include <cstdio>

namespace KioskGate {

bool opensWindow(const QStringList &arguments)
{
    if (arguments.size() > 1 && isSubcommand(arguments.at(1)))
        return false;
    for (const QString &argument : arguments.mid(1)) {
        if (argument == QLatin1String("--headless") || argument == QLatin1String("--help")
            || argument == QLatin1String("-h") || argument == QLatin1String("--help-all")
            || argument == QLatin1String("--version") || argument == QLatin1String("-v"))
            return false;
        if (!argument.startsWith(QLatin1Char('-')) && arguments.indexOf(argument) == 1)
            return false; // an unknown command: let the parser report it without a display
    }
    return true;
}

bool displayAvailable()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
#else
    return true;
#endif
}

int reportNoDisplay()
{
    std::fputs("kioskgate: no display to open the console window on (DISPLAY and WAYLAND_DISPLAY "
               "are unset).\nRun `kioskgate --headless` for the server without a window, or "
               "`kioskgate --help` for the commands.\n",
               stderr);
    return ExitUsage;
}

} // namespace KioskGate
