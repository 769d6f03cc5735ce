#include "ConsoleLauncher.h"

#include "CommandLine.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace KioskGate {

namespace {
constexpr const char *ConsoleProgram = "kioskgate-console";

// Where the console window program may be: beside this one (a build tree),
// then where the installation puts it.
QStringList consoleProgramCandidates(const QString &programDir)
{
    const QDir dir(programDir);
    QStringList candidates { QDir::cleanPath(dir.filePath(QLatin1String(ConsoleProgram))) };
#ifdef KIOSKGATE_CONSOLE_DIR_FROM_BINDIR
    candidates.append(QDir::cleanPath(dir.filePath(
        QStringLiteral(KIOSKGATE_CONSOLE_DIR_FROM_BINDIR "/") + QLatin1String(ConsoleProgram))));
#endif
    candidates.removeDuplicates();
    return candidates;
}

} // namespace

int launchConsole(char *argv[])
{
    const QStringList candidates = consoleProgramCandidates(QCoreApplication::applicationDirPath());
    for (const QString &candidate : candidates) {
        const QFileInfo program(candidate);
        if (!program.isFile() || !program.isExecutable())
            continue;
        const QByteArray path = QFile::encodeName(candidate);
        ::execv(path.constData(), argv);
        std::fprintf(stderr, "kioskgate: cannot start the console window program %s: %s\n",
                     path.constData(), std::strerror(errno));
        return ExitFailure;
    }
    std::fprintf(stderr,
                 "kioskgate: the console window program (%s) is not installed; looked for %s.\n"
                 "Run `kioskgate --headless` for the server without a window.\n",
                 ConsoleProgram, qPrintable(candidates.join(QStringLiteral(" and "))));
    return ExitFailure;
}

} // namespace KioskGate
