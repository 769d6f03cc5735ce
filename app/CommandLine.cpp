#include "CommandLine.h"

#include "CliCommands.h"
#include "DataDirectory.h"
#include "HeadlessRunner.h"
#include "OriginPolicy.h"
#include "TlsCommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

namespace KioskGate {

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "kioskgate: %s\n", qPrintable(message));
}

// "127.0.0.1:8765", "[::1]:8765", "0.0.0.0:0".
bool parseListen(const QString &text, QHostAddress *address, quint16 *port, QString *error)
{
    QString host;
    QString portText;
    if (text.startsWith(QLatin1Char('['))) {
        const int close = text.indexOf(QStringLiteral("]:"));
        if (close < 0) {
            *error = QStringLiteral("--listen: write an IPv6 address as [ADDRESS]:PORT");
            return false;
        }
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else {
        const int colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0 || text.left(colon).contains(QLatin1Char(':'))) {
            *error = QStringLiteral("--listen: expected ADDRESS:PORT, e.g. 127.0.0.1:8765 or [::1]:8765");
            return false;
        }
        host = text.left(colon);
        portText = text.mid(colon + 1);
    }
    bool ok = false;
    const uint number = portText.toUInt(&ok);
    if (!ok || number > 65535) {
        *error = QStringLiteral("--listen: \"%1\" is not a port number").arg(portText);
        return false;
    }
    if (!address->setAddress(host)) {
        *error = QStringLiteral("--listen: \"%1\" is not an IP address").arg(host);
        return false;
    }
    *port = quint16(number);
    return true;
}

int runServer(const QStringList &arguments, const CliContext &context,
              const WindowRunner &runWindow)
{
    const QCommandLineOption &dataDir = context.dataDir;
    const QCommandLineOption &fileSecrets = context.fileSecrets;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "KioskGate: admin console and WebSocket gate for browser kiosk fleets.\n\n"
        "Commands:\n"
        "  kioskgate [options]                   open the console window\n"
        "  kioskgate --headless [options]        run the server without a window\n"
        "  kioskgate token issue NAME            issue a kiosk token (printed once)\n"
        "  kioskgate token list                  list issued tokens\n"
        "  kioskgate token revoke NAME|ID        revoke tokens; live sessions close (4403)\n"
        "  kioskgate keys rotate [--retire-old]  make a new signing key\n"
        "  kioskgate status                      live sessions of the running instance\n"
        "  kioskgate tls show|regenerate|import  the TLS certificate and kiosk pinning\n"
        "  kioskgate reset-all | reset KIOSK...  reset kiosks (return to the start page)\n"
        "  kioskgate reload-all | reload KIOSK.. reload the kiosks' pages\n"
        "  kioskgate commands                    recent commands and their outcome\n"
        "Run `kioskgate COMMAND --help` for a command's options."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"),
                                      QStringLiteral("Run the server without a window, logging to stdout."));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Address and port to listen on (default 127.0.0.1:8765)."),
                                    QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption origin(QStringLiteral("allow-origin"),
                                    QStringLiteral("Web origin kiosk pages are served from, e.g. "
                                                   "https://kiosk.example (repeatable; replaces the "
                                                   "configured list)."),
                                    QStringLiteral("ORIGIN"));
    const QCommandLineOption queryToken(QStringLiteral("allow-query-token"),
                                        QStringLiteral("Accept ?access_token= (legacy clients; off by default)."));
    const QCommandLineOption denyNative(QStringLiteral("deny-non-browser-clients"),
                                        QStringLiteral("Refuse clients that send no Origin header."));
    const QCommandLineOption maxConnections(QStringLiteral("max-connections"),
                                            QStringLiteral("Connection cap (503 beyond it)."),
                                            QStringLiteral("N"));
    const QCommandLineOption noTls(QStringLiteral("no-tls"),
                                   QStringLiteral("Serve plain ws:// and http:// (behind a TLS-terminating "
                                                  "proxy, or for local development)."));
    const QCommandLineOption commandFreshness(
        QStringLiteral("command-freshness"),
        QStringLiteral("Seconds a reset/reload stays deliverable to kiosks that are offline when it "
                       "is given (default 300; overrides commands/freshness_seconds)."),
        QStringLiteral("SECONDS"));
    parser.addOptions({headless, dataDir, fileSecrets, listen, origin, queryToken,
                       denyNative, maxConnections, noTls, commandFreshness});
    parser.process(arguments);
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unknown command \"%1\"; see kioskgate --help")
                       .arg(parser.positionalArguments().constFirst()));
        return ExitUsage;
    }
    HeadlessOptions options;
    options.dataDir = parser.isSet(dataDir) ? parser.value(dataDir) : DataDirectory::defaultPath();
    options.insecureFileSecrets = parser.isSet(fileSecrets);
    options.overrideSettings = [&](ServerSettings *settings, QString *error) {
        if (parser.isSet(listen) && !parseListen(parser.value(listen), &settings->listenAddress,
                                                 &settings->port, error))
            return false;
        if (parser.isSet(origin))
            settings->allowedOrigins = parser.values(origin);
        if (parser.isSet(queryToken))
            settings->allowQueryToken = true;
        if (parser.isSet(denyNative))
            settings->allowNonBrowserClients = false;
        if (parser.isSet(noTls))
            settings->tls = false;
        if (parser.isSet(maxConnections)) {
            bool ok = false;
            settings->maxConnections = parser.value(maxConnections).toInt(&ok);
            if (!ok) {
                *error = QStringLiteral("--max-connections: not a number");
                return false;
            }
        }
        if (parser.isSet(commandFreshness)) {
            bool ok = false;
            settings->commandFreshnessSeconds = parser.value(commandFreshness).toInt(&ok);
            if (!ok) {
                *error = QStringLiteral("--command-freshness: not a number of seconds");
                return false;
            }
        }
        return settings->validate(error);
    };
    if (!parser.isSet(headless))
        return runWindow(options);
    return runHeadless(options);
}

struct Subcommand
{
    const char *name;
    int (*run)(const QStringList &arguments, const CliContext &context);
};

// Every command that is not "run the server": one list, so the window's
// start-up check (opensWindow) and the dispatcher never disagree.
const QList<Subcommand> &subcommands()
{
    static const QList<Subcommand> table = {
        {"token", runTokenCommand},       {"keys", runKeysCommand},
        {"status", runStatusCommand},     {"tls", runTlsCommand},
        {"reset-all", runKioskCommand},   {"reset", runKioskCommand},
        {"reload-all", runKioskCommand},  {"reload", runKioskCommand},
        {"commands", runCommandsCommand},
    };
    return table;
}

} // namespace

bool isSubcommand(const QString &name)
{
    for (const Subcommand &subcommand : subcommands()) {
        if (name == QLatin1String(subcommand.name))
            return true;
    }
    return false;
}

int runCommandLine(const QStringList &arguments, const WindowRunner &runWindow)
{
    const QString command = arguments.size() > 1 ? arguments.at(1) : QString();
    // Built here, not statically: the default data directory depends on the
    // application name, set in main().
    const CliContext context{
        QCommandLineOption({QStringLiteral("d"), QStringLiteral("data-dir")},
                           QStringLiteral("Folder holding this instance's registry, settings and "
                                          "lock (default: %1).")
                               .arg(DataDirectory::defaultPath()),
                           QStringLiteral("DIR")),
        QCommandLineOption(QStringLiteral("insecure-file-secrets"),
                           QStringLiteral("Keep secrets in a plain file in the data directory "
                                          "instead of the OS keychain (headless servers without "
                                          "a keychain only).")),
    };
    for (const Subcommand &subcommand : subcommands()) {
        if (command == QLatin1String(subcommand.name))
            return subcommand.run(arguments, context);
    }
    return runServer(arguments, context, runWindow);
}

} // namespace KioskGate
