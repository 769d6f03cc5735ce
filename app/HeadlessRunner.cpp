#include "HeadlessRunner.h"

#include "CommandLine.h"
#include "ConsoleLog.h"
#include "ControlPlane.h"
#include "ControlServer.h"
#include "KioskServer.h"
#include "Logging.h"
#include "SettingsStore.h"
#include "SignalWatcher.h"
#include "InstanceWiring.h"
#include "TlsCertificates.h"

#include <QCoreApplication>
#include <QDateTime>

namespace KioskGate {

int runHeadless(const HeadlessOptions &options)
{
    const ConsoleLog::Guard consoleLog; // until every line of this run is out
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

    ServerCore::Config config;
    TlsFacts facts;
    if (!makeServerConfig(plane, settings, &config, &facts, &error)) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        return ExitFailure;
    }
    if (settings.tls) {
        qCInfo(lcServer).noquote() << "TLS certificate" << facts.subject << "valid until"
                                   << QDateTime::fromSecsSinceEpoch(facts.notAfterSecs, Qt::UTC).toString(Qt::ISODate)
                                   << "- SPKI SHA-256" << facts.spkiSha256;
    }
    KioskServer server(config, &plane.keyRing(), &plane.clock());
    if (!server.start(&error)) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        return ExitFailure;
    }

    connectAdmin(plane, server);
    AdminService &admin = plane.admin();
    ControlServer control([&admin](const QJsonObject &request, QObject *context,
                                   std::function<void(const QJsonObject &)> answer) {
        admin.handleAsync(request, context, std::move(answer));
    });
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
