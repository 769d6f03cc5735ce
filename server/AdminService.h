#pragma once

#include "ActivityEvent.h"
#include "SessionInfo.h"

#include <QJsonObject>
#include <functional>

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
/// keys.rotate {retireOld}, status.
class AdminService
{
public:
    AdminService(TokenRegistry *registry, const TokenService *tokens, SigningKeyStore *keys,
                 const Clock *clock);

    /// Called after tokens were revoked, with their jtis; returns how many
    /// live sessions it closed.
    void setRevocationHook(std::function<int(const QStringList &jtis, const QString &reason)> hook);
    /// Supplies the live sessions and listening address for `status`.
    void setStatusSource(std::function<QJsonObject()> source);
    /// Where issued, revoked and rotated are recorded (the console's
    /// activity view); optional. Commands from the window and from the
    /// command line are recorded alike.
    void setActivityLog(ActivityLog *log) { m_activity = log; }

    QJsonObject handle(const QJsonObject &request);

private:
    QJsonObject issueToken(const QJsonObject &request);
    QJsonObject listTokens();
    QJsonObject revokeToken(const QJsonObject &request);
    QJsonObject rotateKeys(const QJsonObject &request);
    QJsonObject status();
    int closeSessions(const QStringList &jtis, const QString &reason);
    void logActivity(ActivityEvent::Kind kind, const QString &kiosk, const QString &detail);

    TokenRegistry *m_registry;
    const TokenService *m_tokens;
    SigningKeyStore *m_keys;
    const Clock *m_clock;
    std::function<int(const QStringList &, const QString &)> m_revocationHook;
    std::function<QJsonObject()> m_statusSource;
    ActivityLog *m_activity = nullptr;
};

} // namespace KioskGate
