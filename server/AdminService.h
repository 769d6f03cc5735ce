#pragma once

#include "CommandRecord.h"
#include "ActivityEvent.h"
#include "SessionInfo.h"

#include <QJsonObject>
#include <functional>
#include <optional>

class QObject;

namespace KioskGate {

class ActivityLog;
class Clock;
class SigningKeyStore;
class TokenRegistry;
class TokenService;

/// The operator's commands, as JSON in and JSON out: the same code answers
/// the command line directly (no instance running) and through the control
/// channel (an instance is running, so a revoke also closes live sessions).
///
/// Requests are {"command": "...", ...}; answers are {"ok": true, ...} or
/// {"ok": false, "error": "<what went wrong, for a person>"}.
///
/// Commands: token.issue {kiosk, expiresIn (s, 0 = never), origins[]},
/// token.list, token.revoke {target: kiosk name or jti},
/// keys.rotate {retireOld}, status, tls.show, tls.reload,
/// command.issue {name, kiosks[], issuer}
/// (kiosks empty or absent = all), command.get {id, targets (default true)},
/// command.list {limit}.
/// The command.* requests need a running instance (setCommandHooks); without
/// one they answer {"ok": false, "notRunning": true, "error": NoInstanceError}.
class AdminService
{
public:
    /// What the running instance offers for commands (KioskServer's API).
    struct CommandHooks
    {
        std::function<CommandRecord(const QString &name, const QStringList &kiosks, const QString &issuer,
                                    QString *error)>
            issue;
        std::function<std::optional<CommandRecord>(const QString &id)> get;
        std::function<QList<CommandRecord>(int limit)> list;
        /// `issue` without waiting (KioskServer::issueCommandAsync): `done`
        /// runs later on `context`'s thread, never if `context` is gone.
        /// Optional; handleAsync() falls back to `issue` without it.
        std::function<void(const QString &name, const QStringList &kiosks, const QString &issuer, QObject *context,
                           std::function<void(const CommandRecord &record, const QString &error)> done)>
            issueAsync;
        /// `get` without waiting (KioskServer::commandAsync): `done` gets the
        /// record, or an invalid one and the reason. Optional, as issueAsync.
        std::function<void(
            const QString &id, QObject *context,
            std::function<void(const CommandRecord &record, const QString &error)> done)>
            getAsync;
    };

    static QString noInstanceError()
    {
        return QStringLiteral("no running KioskGate instance: start the console or `kioskgate --headless` first");
    }

    AdminService(TokenRegistry *registry, const TokenService *tokens, SigningKeyStore *keys,
                 const Clock *clock);

    /// Called after tokens were revoked, with their jtis; returns how many
    /// live sessions it closed.
    void setRevocationHook(std::function<int(const QStringList &jtis, const QString &reason)> hook);
    /// The same without waiting, for handleAsync()'s token.revoke: `done`
    /// gets the count later, on this thread. It must always be called (the
    /// revocation is logged then), whoever asked. Optional.
    using RevocationDone = std::function<void(int closed)>;
    void setRevocationHookAsync(
        std::function<void(const QStringList &jtis, const QString &reason, RevocationDone done)>
            hook);
    /// Supplies the live sessions and listening address for `status`.
    void setStatusSource(std::function<QJsonObject()> source);
    /// The same without waiting, for handleAsync(): `done` gets the answer
    /// later, on `context`'s thread, while `context` lives. Optional.
    using StatusDone = std::function<void(const QJsonObject &status)>;
    void setStatusSourceAsync(std::function<void(QObject *context, StatusDone done)> source);
    /// Answers the `tls.*` commands (tls.show, tls.reload) of a running
    /// instance; without it they fail with "no running instance".
    void setTlsHandler(std::function<QJsonObject(const QJsonObject &request)> handler);
    /// Answers command.issue/get/list from the running instance.
    void setCommandHooks(CommandHooks hooks);
    /// Where issued, revoked, rotated and commands issued are recorded (the console's
    /// activity view); optional. Commands from the window and from the
    /// command line are recorded alike.
    void setActivityLog(ActivityLog *log) { m_activity = log; }

    QJsonObject handle(const QJsonObject &request);
    /// handle() for a caller that must not wait on the network thread (the
    /// console window, and the control channel while the window is open):
    /// command.issue, command.get, status and token.revoke are answered later, on `context`'s
    /// thread and only while `context` lives, with the same JSON handle()
    /// would return; every other request, and a refused one, at once.
    void handleAsync(const QJsonObject &request, QObject *context, std::function<void(const QJsonObject &)> answer);

private:
    QJsonObject issueToken(const QJsonObject &request);
    QJsonObject listTokens();
    QJsonObject revokeToken(const QJsonObject &request);
    /// token.revoke's registry part: the revoked jtis, or the failure answer.
    std::optional<QJsonObject> revokeInRegistry(const QJsonObject &request, QString *target,
                                                QStringList *jtis);
    /// Logs a revocation and makes its answer.
    QJsonObject tokenRevoked(const QString &target, const QStringList &jtis, int closed);
    QJsonObject rotateKeys(const QJsonObject &request);
    QJsonObject status();
    /// `status`'s answer: what the server says of itself, plus "ok".
    static QJsonObject statusAnswer(QJsonObject status);

    // handleAsync()'s requests that wait for the network thread.
    using Answer = std::function<void(const QJsonObject &)>;
    void statusAsync(QObject *context, Answer answer);
    void revokeTokenAsync(const QJsonObject &request, QObject *context, Answer answer);
    void issueCommandAsync(const QJsonObject &request, QObject *context, Answer answer);
    void getCommandAsync(const QJsonObject &request, QObject *context, Answer answer);
    QJsonObject issueCommand(const QJsonObject &request);
    /// Reads command.issue's fields; a failure answer if they are unusable.
    std::optional<QJsonObject> parseCommandRequest(const QJsonObject &request, QString *name, QStringList *kiosks,
                                                   QString *issuer) const;
    /// The answer to command.issue; its target list only if the request
    /// asked for it ("targets", default true): a fleet's is 10,000 entries.
    QJsonObject commandIssued(const QJsonObject &request, const CommandRecord &record,
                              const QString &error);
    QJsonObject getCommand(const QJsonObject &request);
    /// command.get's answer for a record found (or not) under `id`.
    static QJsonObject commandFound(const QJsonObject &request, const QString &id,
                                    const std::optional<CommandRecord> &record);
    QJsonObject listCommands(const QJsonObject &request);
    int closeSessions(const QStringList &jtis, const QString &reason);
    void logActivity(ActivityEvent::Kind kind, const QString &kiosk, const QString &detail);
    void logCommand(const CommandRecord &record);

    TokenRegistry *m_registry;
    const TokenService *m_tokens;
    SigningKeyStore *m_keys;
    const Clock *m_clock;
    std::function<int(const QStringList &, const QString &)> m_revocationHook;
    std::function<void(const QStringList &, const QString &, RevocationDone)> m_revocationHookAsync;
    std::function<QJsonObject()> m_statusSource;
    std::function<void(QObject *, StatusDone)> m_statusSourceAsync;
    std::function<QJsonObject(const QJsonObject &)> m_tlsHandler;
    CommandHooks m_commandHooks;
    ActivityLog *m_activity = nullptr;
};

} // namespace KioskGate
