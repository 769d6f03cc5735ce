#include "HeadlessRunner.h"

#include "CommandLine.h"
#include "ConsoleLog.h"
#include "ControlPlane.h"
#include "ControlServer.h"
#include "KioskServer.h"
#include "Logging.h"
#include "SettingsStore.h"
#include "SignalWatcher.h"
#include "TlsCommand.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>

namespace KioskGate {

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
                              ControlPlane::audience(), {}};
    if (settings.tls) {
        TlsFacts facts;
        if (!plane.tlsStore().load(&config.tls, &facts, &error)) {
            qCCritical(lcServer).noquote() << "cannot start:" << error;
            return ExitFailure;
        }
        qCInfo(lcServer).noquote() << "TLS certificate" << facts.subject << "valid until"
                                   << QDateTime::fromSecsSinceEpoch(facts.notAfterSecs, Qt::UTC).toString(Qt::ISODate)
                                   << "- SPKI SHA-256" << facts.spkiSha256;
    }
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
                           {QStringLiteral("url"), server.kioskUrl()},
                           {QStringLiteral("tls"), server.isTls()},
                           {QStringLiteral("plainOnNetwork"), server.isPlainOnNetwork()},
                           {QStringLiteral("address"), server.address().toString()},
                           {QStringLiteral("port"), server.port()},
                           {QStringLiteral("sessions"), sessions}};
    });
    admin.setTlsHandler([&plane, &server, &settings](const QJsonObject &request) {
        return handleTlsRequest(request, plane, server, settings);
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
    if (server.isPlainOnNetwork())
        qCWarning(lcServer) << "serving plain ws:// on a network address (--no-tls): tokens cross the"
                               " LAN unencrypted unless a TLS-terminating proxy is in front";

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::stopRequested, qApp, [] {
        qCInfo(lcServer) << "stop requested; closing sessions";
        QCoreApplication::quit();
    });
    qCInfo(lcServer).noquote() << "ready:" << server.kioskUrl() << "- data directory"
                               << plane.dataDirectory().path();
    const int status = QCoreApplication::exec();
    server.stop();
    qCInfo(lcServer) << "stopped";
    return status == 0 ? ExitOk : ExitFailure;
}

} // namespace KioskGate
