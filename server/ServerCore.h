#pragma once

#include "CommandRecord.h"
#include "HandshakeGate.h"
#include "SessionBatch.h"
#include "ServerSettings.h"
#include "SessionInfo.h"
#include "TlsCertificates.h"

#include <QObject>
#include <memory>
#include <optional>

namespace KioskGate {

class Authenticator;
class Clock;
class CommandCenter;
class CommandStore;
class FailureLimiter;
class OriginPolicy;
class SessionFeed;
class SessionManager;
class SigningKeyRing;
class TicketEndpoints;
class WalCheckpointer;
class TicketStore;
class TokenRegistry;
class TokenService;
class TokenStatusCache;

/// The data plane: everything that runs on the network thread. Built and
/// destroyed on that thread by KioskServer; all calls come through queued or
/// blocking-queued invocations.
class ServerCore : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        ServerSettings settings;
        QString databasePath;
        QString issuer;
        QString audience;
        /// Served when settings.tls is on; must then be a valid identity.
        TlsIdentity tls;
    };

    ServerCore(Config config, const SigningKeyRing *keys, const Clock *clock);
    ~ServerCore() override;

    bool start(QString *error);
    void stop();

    quint16 port() const;
    QHostAddress address() const;
    QList<SessionInfo> sessions() const;
    /// sessions(), after sending the feed's pending batch: a window that
    /// follows sessionsChanged() and then receives this snapshot has seen
    /// every event before it.
    QList<SessionInfo> sessionsAfterFeed();
    int sessionCount() const;
    /// Marks `jtis` revoked and closes their sessions with 4403.
    int revokeTokens(const QStringList &jtis, const QString &reason);
    /// Serves `identity` to connections accepted from now on (live sessions
    /// keep theirs). Fails if TLS is off or Qt cannot use the identity.
    bool setTlsIdentity(const TlsIdentity &identity, QString *error);

    /// Commands (CommandCenter): issue to `kiosks` (empty = all), look up, list.
    CommandRecord issueCommand(const QString &name, const QStringList &kiosks, const QString &issuer,
                               QString *error);
    std::optional<CommandRecord> command(const QString &id);
    QList<CommandRecord> recentCommands(int limit);

    /// Closes the sessions with these ids with 1000 (operator's disconnect).
    int disconnectSessions(const QStringList &sessionIds, const QString &reason);

    /// The settings in force (after start(), the listen address and port as
    /// configured; port() says which port was actually bound).
    ServerSettings settings() const { return m_config.settings; }
    /// Applies new settings to the running server: origins, non-browser
    /// clients, query tokens, heartbeat and limits at once; a new listen
    /// address or port reopens the listener (live sessions stay). On failure
    /// nothing changes and the old listener keeps serving.
    bool applySettings(const ServerSettings &settings, bool *listenerRestarted, QString *error);
    /// Coalescing interval of sessionsChanged() (tests shorten it).
    void setFeedIntervalMs(int ms);

Q_SIGNALS:
    /// A command's states changed (coalesced by CommandCenter).
    void commandUpdated(const KioskGate::CommandRecord &record);
    /// Session changes and refused handshakes, in batches (SessionFeed).
    void sessionsChanged(const KioskGate::SessionBatch &batch);
    void sessionOpened(const KioskGate::SessionInfo &session);
    void sessionClosed(const KioskGate::SessionInfo &session, int closeCode, const QString &reason);
    void handshakeRefused(const KioskGate::HandshakeRefusal &refusal);

private:
    bool startCommands(QString *error);
    void startCheckpoints();

    Config m_config;
    const SigningKeyRing *m_keys;
    const Clock *m_clock;
    std::unique_ptr<TokenRegistry> m_registry;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<OriginPolicy> m_origins;
    std::unique_ptr<FailureLimiter> m_limiter;
    std::unique_ptr<Authenticator> m_authenticator;
    TokenStatusCache *m_statusCache = nullptr;
    SessionManager *m_sessions = nullptr;
    SessionFeed *m_feed = nullptr;
    HandshakeGate *m_gate = nullptr;
    TicketStore *m_tickets = nullptr;
    TicketEndpoints *m_ticketEndpoints = nullptr;
    std::unique_ptr<CommandStore> m_commandStore;
    CommandCenter *m_commands = nullptr;
    /// Null when it could not start: the connections checkpoint at commit.
    std::unique_ptr<WalCheckpointer> m_checkpointer;
};

} // namespace KioskGate
