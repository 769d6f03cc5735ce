#include "HeadlessRunner.h"

#include "CommandLine.h"
#include "ConsoleLog.h"
#include "ControlPlane.h"
#include "ControlServer.h"
#include "KioskServer.h"
#include "Logging.h"
#include "SettingsStore.h"
#include "SignalWatcher.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace KioskGate {

namespace {

QString listenUrl(const KioskServer &server)
{
    QString host = server.address().toString();
    if (server.address().protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("ws://%1:%2%3").arg(host).arg(server.port()).arg(QLatin1String(Protocol::KioskPath));
}

} // namespace

int runHeadless(const HeadlessOptions &options)
{
    ConsoleLog::install();
    ControlPlane plane({options.dataDir, options.insecureFileSecrets});
    QString error;
    if (!plane.dataDirectory().prepare(&error) || !plane.dataDirectory().lock(&error)
        || !plane.open(&error)) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        return ExitFailure;
    }

    ServerSettings settings;
    if (!SettingsStore(plane.dataDirectory().path()).load(&settings, &error)
        || (options.overrideSettings && !options.overrideSettings(&settings, &error))) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        return ExitFailure;
    }

    ServerCore::Config config{settings, plane.dataDirectory().databasePath(), plane.issuer(),
                              ControlPlane::audience()};
    KioskServer server(config, &plane.keyRing(), &plane.clock());
    if (!server.start(&error)) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        return ExitFailure;
    }

    AdminService &admin = plane.admin();
    admin.setRevocationHook([&server](const QStringList &jtis, const QString &reason) {
        return server.revokeTokens(jtis, reason);
    });
    admin.setStatusSource([&server] {
        QJsonArray sessions;
        for (const SessionInfo &session : server.sessions())
            sessions.append(session.toJson());
        return QJsonObject{{QStringLiteral("running"), true},
                           {QStringLiteral("url"), listenUrl(server)},
                           {QStringLiteral("address"), server.address().toString()},
                           {QStringLiteral("port"), server.port()},
                           {QStringLiteral("sessions"), sessions}};
    });
    AdminService::CommandHooks commandHooks;
    commandHooks.issue = [&server](const QString &name, const QStringList &kiosks, const QString &issuer,
                                   QString *why) { return server.issueCommand(name, kiosks, issuer, why); };
    commandHooks.get = [&server](const QString &id) { return server.command(id); };
    commandHooks.list = [&server](int limit) { return server.recentCommands(limit); };
    admin.setCommandHooks(commandHooks);
    ControlServer control([&admin](const QJsonObject &request) { return admin.handle(request); });
    if (!control.listen(plane.dataDirectory().controlSocketName(), &error)) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        return ExitFailure;
    }
    if (!settings.listenAddress.isLoopback())
        qCWarning(lcServer) << "serving plain ws:// on a network address: tokens cross the LAN"
                               " unencrypted; put a TLS-terminating proxy in front";

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::stopRequested, qApp, [] {
        qCInfo(lcServer) << "stop requested; closing sessions";
        QCoreApplication::quit();
    });
    qCInfo(lcServer).noquote() << "ready:" << listenUrl(server) << "- data directory"
                               << plane.dataDirectory().path();
    const int status = QCoreApplication::exec();
    server.stop();
    qCInfo(lcServer) << "stopped";
    return status == 0 ? ExitOk : ExitFailure;
}

} // namespace KioskGate
