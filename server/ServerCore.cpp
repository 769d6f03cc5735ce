#include "ServerCore.h"

#include "Authenticator.h"
#include "ClientFiles.h"
#include "Clock.h"
#include "CommandCenter.h"
#include "CommandStore.h"
#include "FailureLimiter.h"
#include "Logging.h"
#include "MemoryTrimmer.h"
#include "OpenFileLimit.h"
#include "OriginPolicy.h"
#include "SessionFeed.h"
#include "SessionManager.h"
#include "TicketEndpoints.h"
#include "TicketStore.h"
#include "TlsServerConfiguration.h"
#include "TokenRegistry.h"
#include "TokenService.h"
#include "TokenStatusCache.h"
#include "WalCheckpointer.h"

#include <QJsonObject>

namespace KioskGate {

namespace {

SessionManager::Limits sessionLimits(const ServerSettings &s)
{
    return {s.maxFrameBytes, s.maxMessageBytes, s.heartbeatIntervalMs, s.heartbeatMissesAllowed,
            s.messagesPerSecond, s.messageBurst, s.maxWriteBufferBytes, s.inboundBytesPerSecond,
            s.inboundByteBurst};
}

HandshakeGate::Limits gateLimits(const ServerSettings &s)
{
    return { s.maxHeadBytes,          s.headTimeoutMs,   s.listenBacklog,
             s.deferAcceptSecs,       s.maxPendingHeads, s.maxConnectionsPerAddress,
             s.maxConnectionsPerToken };
}

} // namespace

ServerCore::ServerCore(Config config, const SigningKeyRing *keys, const Clock *clock)
    : m_config(std::move(config)), m_keys(keys), m_clock(clock), m_feed(new SessionFeed(this))
{
    connect(m_feed, &SessionFeed::batchReady, this, &ServerCore::sessionsChanged);
}

ServerCore::~ServerCore()
{
    stop();
    // Before m_commandStore goes: the center writes its last changes on the way out.
    delete m_commands;
    m_commands = nullptr;
}

namespace {

// Descriptors the process holds besides kiosks: the listener, heads being
// read, the database, logs, the control socket.
constexpr long DescriptorHeadroom = 1024;

void reserveDescriptorsFor(int maxConnections)
{
    const long size = reserveDescriptorTable(long(maxConnections) + DescriptorHeadroom);
    if (size > 0)
        qCDebug(lcServer) << "descriptor table holds" << size;
}

} // namespace

// The network thread's commits (a command's record, acks, last uses) no
// longer copy the log into the database: a thread of its own does
// (WalCheckpointer). Started once the registry has found the file sound; if
// it cannot open the file, the commits keep doing it.
void ServerCore::startCheckpoints()
{
    m_checkpointer.reset();
    auto checkpointer = std::make_unique<WalCheckpointer>(m_config.databasePath);
    QString error;
    if (checkpointer->start(&error))
        m_checkpointer = std::move(checkpointer);
    else
        qCWarning(lcServer).noquote() << "WAL checkpoints stay with each commit:" << error;
}

bool ServerCore::start(QString *error)
{
    const ServerSettings &s = m_config.settings;
    if (!s.validate(error))
        return false;
    reserveDescriptorsFor(s.maxConnections);
    m_registry = std::make_unique<TokenRegistry>();
    if (!m_registry->open(m_config.databasePath, error))
        return false;
    startCheckpoints();
    if (m_checkpointer && !m_registry->leaveCheckpointsToOthers(error))
        return false;
    m_tokens = std::make_unique<TokenService>(m_keys, m_clock, m_config.issuer, m_config.audience);
    m_origins = std::make_unique<OriginPolicy>();
    if (!m_origins->setAllowedOrigins(s.allowedOrigins, error))
        return false;
    m_limiter = std::make_unique<FailureLimiter>(m_clock, s.failureBurst, s.failureRefillMs);
    m_statusCache = new TokenStatusCache(m_registry.get(), this);
    // The kiosks with an active token, read now and kept by the registry
    // until the tokens change: a first reset-all after a restart finds them
    // ready instead of querying while the fleet waits.
    {
        QStringList kiosks;
        QString listError;
        if (!m_registry->activeKiosks(m_clock->nowSecs(), &kiosks, &listError))
            qCWarning(lcCommands).noquote() << listError;
    }
    m_authenticator = std::make_unique<Authenticator>(m_tokens.get(), m_statusCache, m_limiter.get(),
                                                      m_origins.get());
    m_authenticator->setAllowNonBrowserClients(s.allowNonBrowserClients);
    m_authenticator->setAllowQueryToken(s.allowQueryToken);
    m_tickets = new TicketStore(m_clock, s.maxTicketsPerToken, s.maxTickets, this);
    m_authenticator->setTicketRedeemer(m_tickets);

    m_sessions = new SessionManager(m_clock, s.upgradeThreads, this);
    m_sessions->setLimits(sessionLimits(s));
    connect(m_sessions, &SessionManager::sessionOpened, this, [this](const SessionInfo &session) {
        m_statusCache->recordUse(session.jti, session.address, session.connectedAtMs / 1000);
        m_feed->recordOpened(session);
        Q_EMIT sessionOpened(session);
    });
    connect(m_sessions, &SessionManager::sessionClosed, this, &ServerCore::sessionClosed);
    if (!startCommands(error))
        return false;
    connect(m_sessions, &SessionManager::sessionClosed, this,
            [this](const SessionInfo &session, int code, const QString &reason) {
                m_feed->recordClosed(session, code, reason, m_clock->nowMs());
            });
    connect(m_sessions, &SessionManager::sessionUpdated, m_feed, &SessionFeed::recordUpdated);
    auto *trimmer = new MemoryTrimmer(m_sessions);
    connect(m_sessions, &SessionManager::sessionOpened, trimmer, &MemoryTrimmer::noteChurn);
    connect(m_sessions, &SessionManager::sessionClosed, trimmer, &MemoryTrimmer::noteChurn);

    m_gate = new HandshakeGate(m_authenticator.get(), this);
    m_gate->setLimits(gateLimits(s));
    m_gate->setConnectionCounters(
        [this](const QString &address) { return m_sessions->connectionsFrom(address); },
        [this](const QString &jti) { return m_sessions->connectionsFor(jti); });
    m_gate->setCapacityProbe([this] {
        return m_sessions->connectionCount() >= m_config.settings.maxConnections;
    });
    m_gate->addGetRoute(Protocol::HealthPath, [this](const HttpRequestHead &, const QString &) {
        HttpResponse response(200);
        response.setJsonBody({{QStringLiteral("status"), QStringLiteral("ok")},
                              {QStringLiteral("version"), QStringLiteral(KIOSKGATE_VERSION)},
                              {QStringLiteral("sessions"), m_sessions->connectionCount()}});
        return response;
    });
    m_ticketEndpoints = new TicketEndpoints(m_authenticator.get(), m_tickets, m_origins.get(), m_clock, this);
    m_ticketEndpoints->install(m_gate);
    connect(m_ticketEndpoints, &TicketEndpoints::requestRefused, this, &ServerCore::handshakeRefused);
    ClientFiles().install(m_gate);
    connect(m_gate, &HandshakeGate::handshakeAccepted, m_sessions, &SessionManager::adopt);
    connect(m_gate, &HandshakeGate::descriptorAccepted, m_sessions,
            &SessionManager::adoptDescriptor);
    connect(m_gate, &HandshakeGate::handshakeRefused, this, &ServerCore::handshakeRefused);
    connect(m_gate, &HandshakeGate::handshakeRefused, m_feed, &SessionFeed::recordRefused);

    if (s.tls) {
        QSslConfiguration tls;
        if (!makeTlsServerConfiguration(m_config.tls, &tls, error))
            return false;
        m_gate->useTls(tls, s.tlsHandshakeTimeoutMs);
    }
    if (!m_gate->listen(s.listenAddress, s.port, error))
        return false;
    qCInfo(lcServer).noquote() << "listening" << (s.tls ? "with TLS" : "without TLS") << "on"
                               << m_gate->serverAddress().toString() << "port"
                               << m_gate->serverPort() << "- allowed origins:"
                               << (s.allowedOrigins.isEmpty()
                                       ? QStringLiteral("(none)")
                                       : m_origins->allowedOrigins().join(QLatin1Char(' ')));
    qCInfo(lcServer).noquote() << "upgrade threads:" << s.upgradeThreads
                               << "- memory allocator:" << MemoryTrimmer::allocator();
    if (s.allowQueryToken)
        qCWarning(lcServer) << "query-string tokens (?access_token=) are enabled: URLs carrying"
                               " tokens can end up in proxy logs and browser history";
    return true;
}

bool ServerCore::startCommands(QString *error)
{
    m_commandStore = std::make_unique<CommandStore>();
    if (!m_commandStore->open(m_config.databasePath, error)
        || (m_checkpointer && !m_commandStore->leaveCheckpointsToOthers(error)))
        return false;
    CommandCenter::Fleet fleet;
    fleet.knownKiosks = [this] {
        QStringList kiosks;
        QString listError;
        if (!m_registry->activeKiosks(m_clock->nowSecs(), &kiosks, &listError))
            qCWarning(lcCommands).noquote() << listError;
        return kiosks;
    };
    fleet.onlineKiosks = [this] { return m_sessions->onlineKiosks(); };
    fleet.isOnline = [this](const QString &kiosk) { return m_sessions->isKioskOnline(kiosk); };
    fleet.onlineCount = [this] { return m_sessions->onlineKioskCount(); };
    fleet.sendToKiosks = [this](const QStringList &kiosks, const QString &text) {
        return m_sessions->sendToKiosks(kiosks, text);
    };
    fleet.sendToAll = [this](const QString &text) { return m_sessions->sendToAll(text); };
    fleet.sendToSession = [this](const QString &kiosk, const QString &session, const QString &text) {
        return m_sessions->sendToSession(kiosk, session, text);
    };
    m_commands = new CommandCenter(m_commandStore.get(), m_clock, std::move(fleet), this);
    m_commands->setFreshnessMs(qint64(m_config.settings.commandFreshnessSeconds) * 1000);
    connect(m_sessions, &SessionManager::sessionOpened, m_commands, &CommandCenter::onSessionOpened);
    connect(m_sessions, &SessionManager::sessionClosed, m_commands, &CommandCenter::onSessionClosed);
    connect(m_sessions, &SessionManager::messageReceived, m_commands, &CommandCenter::onMessage);
    connect(m_commands, &CommandCenter::commandUpdated, this, &ServerCore::commandUpdated);
    return m_commands->load(error);
}

CommandRecord ServerCore::issueCommand(const QString &name, const QStringList &kiosks, const QString &issuer,
                                       QString *error)
{
    if (!m_commands) {
        if (error)
            *error = QStringLiteral("the server is not running");
        return {};
    }
    return m_commands->issue(name, kiosks, issuer, error);
}

std::optional<CommandRecord> ServerCore::command(const QString &id)
{
    return m_commands ? m_commands->command(id) : std::nullopt;
}

QList<CommandRecord> ServerCore::recentCommands(int limit)
{
    return m_commands ? m_commands->recent(limit) : QList<CommandRecord>();
}

void ServerCore::stop()
{
    if (m_gate)
        m_gate->close();
    if (m_sessions)
        m_sessions->closeAll(Protocol::CloseCode::GoingAway, QStringLiteral("server shutting down"));
    if (m_statusCache)
        m_statusCache->flush();
    if (m_commands)
        m_commands->flush();
    m_feed->flush();
}

quint16 ServerCore::port() const
{
    return m_gate ? m_gate->serverPort() : 0;
}

QHostAddress ServerCore::address() const
{
    return m_gate ? m_gate->serverAddress() : QHostAddress();
}

QList<SessionInfo> ServerCore::sessions() const
{
    return m_sessions ? m_sessions->snapshot() : QList<SessionInfo>();
}

QList<SessionInfo> ServerCore::sessionsAfterFeed()
{
    m_feed->flush();
    return sessions();
}

int ServerCore::sessionCount() const
{
    return m_sessions ? m_sessions->connectionCount() : 0;
}

int ServerCore::revokeTokens(const QStringList &jtis, const QString &reason)
{
    if (!m_sessions)
        return 0;
    m_statusCache->markRevoked(jtis);
    m_tickets->dropForJtis(jtis); // the status check would refuse them anyway
    return m_sessions->closeByJtis(jtis, Protocol::CloseCode::TokenRevoked, reason);
}

bool ServerCore::setTlsIdentity(const TlsIdentity &identity, QString *error)
{
    if (!m_gate || !m_gate->isTls()) {
        if (error)
            *error = QStringLiteral("the server runs without TLS (--no-tls); restart it to serve the certificate");
        return false;
    }
    QSslConfiguration tls;
    if (!makeTlsServerConfiguration(identity, &tls, error))
        return false;
    m_gate->setTlsConfiguration(tls);
    m_config.tls = identity;
    return true;
}

} // namespace KioskGate

namespace KioskGate {

int ServerCore::disconnectSessions(const QStringList &sessionIds, const QString &reason)
{
    return m_sessions ? m_sessions->closeBySessionIds(sessionIds, Protocol::CloseCode::Normal, reason) : 0;
}

void ServerCore::setFeedIntervalMs(int ms)
{
    m_feed->setIntervalMs(ms);
}

bool ServerCore::applySettings(const ServerSettings &next, bool *listenerRestarted, QString *error)
{
    if (listenerRestarted)
        *listenerRestarted = false;
    if (!m_gate) {
        if (error)
            *error = QStringLiteral("the server is not running");
        return false;
    }
    if (!next.validate(error))
        return false;
    const ServerSettings previous = m_config.settings;
    if (next.listenAddress != previous.listenAddress || next.port != previous.port) {
        // Live sessions are separate sockets: closing the listener leaves
        // them alone. If the new address cannot be bound, reopen the old one
        // so the console never ends up listening nowhere.
        const quint16 boundPort = m_gate->serverPort();
        m_gate->close();
        if (!m_gate->listen(next.listenAddress, next.port, error)) {
            QString again;
            if (!m_gate->listen(previous.listenAddress, boundPort, &again)
                && !m_gate->listen(previous.listenAddress, previous.port, &again) && error)
                *error += QStringLiteral("; the previous address could not be reopened either: ") + again;
            return false;
        }
        qCInfo(lcServer).noquote() << "listener moved to" << m_gate->serverAddress().toString()
                                   << "port" << m_gate->serverPort();
        if (listenerRestarted)
            *listenerRestarted = true;
    }
    m_origins->setAllowedOrigins(next.allowedOrigins, nullptr); // validated above
    m_authenticator->setAllowNonBrowserClients(next.allowNonBrowserClients);
    m_authenticator->setAllowQueryToken(next.allowQueryToken);
    m_sessions->setLimits(sessionLimits(next));
    m_gate->setLimits(gateLimits(next));
    if (next.maxConnections > previous.maxConnections)
        reserveDescriptorsFor(next.maxConnections);
    if (m_commands)
        m_commands->setFreshnessMs(qint64(next.commandFreshnessSeconds) * 1000); // new commands only
    // TLS on/off and the certificate are not switched live (tls.reload does
    // the certificate); keep reporting what is in force.
    const bool tlsInForce = m_config.settings.tls;
    m_config.settings = next; // the capacity probe reads maxConnections from here
    m_config.settings.tls = tlsInForce;
    if (next.allowQueryToken && !previous.allowQueryToken)
        qCWarning(lcServer) << "query-string tokens (?access_token=) are now enabled";
    return true;
}

} // namespace KioskGate
