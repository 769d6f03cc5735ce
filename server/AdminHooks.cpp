#include "AdminHooks.h"

#include "AdminService.h"
#include "KioskServer.h"

#include <QJsonArray>

namespace KioskGate {

namespace {
// `status`: the listener and the live sessions.
QJsonObject statusOf(const KioskServer &server, const QList<SessionInfo> &live)
{
    QJsonArray sessions;
    for (const SessionInfo &session : live)
        sessions.append(session.toJson());
    return QJsonObject { { QStringLiteral("running"), true },
                         { QStringLiteral("url"), server.kioskUrl() },
                         { QStringLiteral("tls"), server.isTls() },
                         { QStringLiteral("plainOnNetwork"), server.isPlainOnNetwork() },
                         { QStringLiteral("address"), server.address().toString() },
                         { QStringLiteral("port"), server.port() },
                         { QStringLiteral("sessions"), sessions } };
}
} // namespace

void connectAdminToServer(AdminService &admin, KioskServer &server)
{
    admin.setActivityLog(server.activity());
    admin.setRevocationHook([&server](const QStringList &jtis, const QString &reason) {
        return server.revokeTokens(jtis, reason);
    });
    // The server itself is the context: the count always comes back, and
    // the revocation is logged with it whoever asked.
    admin.setRevocationHookAsync([&server](const QStringList &jtis, const QString &reason,
                                           AdminService::RevocationDone done) {
        server.revokeTokensAsync(jtis, reason, &server, std::move(done));
    });
    admin.setStatusSource([&server] { return statusOf(server, server.sessions()); });
    // The window's thread serves the control channel: `kioskgate status`
    // takes the snapshot without waiting for the network thread.
    admin.setStatusSourceAsync([&server](QObject *context, AdminService::StatusDone done) {
        server.sessionsAsync(context,
                             [&server, done = std::move(done)](const QList<SessionInfo> &sessions) {
                                 done(statusOf(server, sessions));
                             });
    });
    AdminService::CommandHooks commandHooks;
    commandHooks.issue
        = [&server](const QString &name, const QStringList &kiosks, const QString &issuer,
                    QString *why) { return server.issueCommand(name, kiosks, issuer, why); };
    // The console window issues without waiting: the fan-out to thousands
    // of sessions runs on the network thread while the window stays live.
    commandHooks.issueAsync
        = [&server](const QString &name, const QStringList &kiosks, const QString &issuer,
                    QObject *context, KioskServer::IssueDone done) {
              server.issueCommandAsync(name, kiosks, issuer, context, std::move(done));
          };
    commandHooks.get = [&server](const QString &id) { return server.command(id); };
    // `kioskgate reset-all --wait` polls this while the window may be open.
    commandHooks.getAsync
        = [&server](const QString &id, QObject *context, KioskServer::IssueDone done) {
              server.commandAsync(id, context, std::move(done));
          };
    commandHooks.list = [&server](int limit) { return server.recentCommands(limit); };
    admin.setCommandHooks(commandHooks);
}

} // namespace KioskGate
