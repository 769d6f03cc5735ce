#include "SessionManager.h"

#include "Clock.h"
#include "DirectWriteSocket.h"
#include "InboundByteBudget.h"
#include "Logging.h"
#include "PeerAddress.h"
#include "TsanHandover.h"
#include "WebSocketUpgrader.h"

#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>

namespace KioskGate {

using Protocol::CloseCode;

SessionManager::SessionManager(const Clock *clock, int upgradeThreads, QObject *parent)
    : QObject(parent),
      m_clock(clock),
      m_shard(new SessionShard(clock, this)),
      m_upgrader(new WebSocketUpgrader(
          upgradeThreads, { QString::fromLatin1(Protocol::SubprotocolV1) },
          [this](QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket) {
              openSession(webSocket, tcp, ticket);
          },
          [this](quint64 ticket) { forgetExpected(ticket); }, this))
{
    qRegisterMetaType<KioskGate::SessionInfo>();
    // The counts change before anyone hears of the session.
    connect(m_shard, &SessionShard::sessionOpened, this, &SessionManager::onSessionOpened);
    connect(m_shard, &SessionShard::sessionClosed, this, &SessionManager::onSessionClosed);
    connect(m_shard, &SessionShard::sessionUpdated, this, &SessionManager::sessionUpdated);
    connect(m_shard, &SessionShard::messageReceived, this, &SessionManager::messageReceived);
}

SessionManager::~SessionManager()
{
    // First: its threads stop, and upgrades in flight are closed while this
    // object can still take their disconnected() calls.
    delete m_upgrader;
    m_upgrader = nullptr;
    // Then the sessions, without telling anyone (the server is going away).
    disconnect(m_shard, nullptr, this, nullptr);
    delete m_shard;
    m_shard = nullptr;
}

void SessionManager::setLimits(const Limits &limits)
{
    m_limits = limits;
    m_shard->setLimits(limits);
}

void SessionManager::adopt(QTcpSocket *socket, const AuthDecision &decision, const QString &address)
{
    const quint64 ticket = expect(decision, address);
    prepareForUpgrade(socket, ticket, m_limits.inboundBytesPerSecond, m_limits.inboundByteBurst);
    m_upgrader->upgrade(socket, ticket);
}

void SessionManager::adoptDescriptor(qintptr descriptor, const QByteArray &head,
                                     const AuthDecision &decision, const QString &address)
{
    const quint64 ticket = expect(decision, address);
    m_upgrader->upgradeDescriptor(descriptor, head, ticket,
                                  [this, ticket, bytesPerSecond = m_limits.inboundBytesPerSecond,
                                   burst = m_limits.inboundByteBurst](QTcpSocket *socket) {
                                      prepareForUpgrade(socket, ticket, bytesPerSecond, burst);
                                  });
}

quint64 SessionManager::expect(const AuthDecision &decision, const QString &address)
{
    const quint64 ticket = ++m_lastTicket;
    m_expected.insert(ticket, Expected { decision, address });
    countConnection(address, decision.claims.jti, +1);
    return ticket;
}

void SessionManager::prepareForUpgrade(QTcpSocket *socket, quint64 ticket, qint64 bytesPerSecond,
                                       qint64 burst)
{
    // Connected before QWebSocketServer sees the socket, so it sees every
    // byte before QWebSocket (whose reader is queued) takes it. The session
    // finds it as the socket's child.
    new InboundByteBudget(socket, m_clock, bytesPerSecond, burst,
                          [this, socket] { inboundBudgetExceeded(socket); });
    // If the upgrade never completes, forget the expectation with the socket.
    // Cut once the session opens: the session has its own end.
    connect(socket, &QTcpSocket::disconnected, this, [this, ticket] { forgetExpected(ticket); });
    // From here on only QWebSocket writes: the 101 answer and every frame can
    // go straight to the kernel (see DirectWriteSocket), the 101 held back
    // until openSession() adds the welcome to it. QWebSocketServer refuses
    // nothing here with an answer (the gate answered every refusal), so a
    // held write is never lost to a close.
    // QWebSocket writes a pong, a close or a text frame it builds itself as
    // two writes (header, payload): with Nagle's algorithm the payload would
    // wait for the kiosk's delayed ACK of the header (40-200 ms).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (auto *direct = qobject_cast<DirectWriteSocket *>(socket)) {
        direct->setDirectWrites(true);
        direct->holdWrites();
    }
}

void SessionManager::forgetExpected(quint64 ticket)
{
    const auto expected = m_expected.find(ticket);
    if (expected == m_expected.end())
        return;
    countConnection(expected->address, expected->decision.claims.jti, -1);
    m_expected.erase(expected);
}

void SessionManager::cutOffWhileUpgrading(QTcpSocket *tcp)
{
    // On whichever thread owns the socket until the upgrade ends (this one
    // or an upgrade thread): cut it off there; count and log on this one.
    const QString address = peerAddressText(tcp->peerAddress());
    tcp->abort();
    if (QThread::currentThread() == thread())
        noteFloodWhileUpgrading(address);
    else
        TsanHandover::post(this, [this, address] { noteFloodWhileUpgrading(address); });
}

void SessionManager::noteFloodWhileUpgrading(const QString &address)
{
    ++m_inboundFlooders;
    qCWarning(lcSession).noquote() << QStringLiteral("a connection from %1 sent more than %2 bytes per second "
                                                     "while upgrading; cutting it off (%3 so far)")
                                          .arg(address)
                                          .arg(m_limits.inboundBytesPerSecond).arg(m_inboundFlooders);
}

void SessionManager::inboundBudgetExceeded(QTcpSocket *tcp)
{
    if (QThread::currentThread() == m_shard->thread() && m_shard->closeForInboundFlood(tcp))
        return;
    // Still upgrading: nothing to say goodbye to.
    cutOffWhileUpgrading(tcp);
}

namespace {
// Keeps only positive counts, so the tables shrink as clients leave.
void addCount(QHash<QString, int> *counts, const QString &key, int delta)
{
    const int next = counts->value(key) + delta;
    if (next > 0)
        counts->insert(key, next);
    else
        counts->remove(key);
}
} // namespace

void SessionManager::countConnection(const QString &address, const QString &jti, int delta)
{
    addCount(&m_perAddress, address, delta);
    addCount(&m_perJti, jti, delta);
}

QList<SessionInfo> SessionManager::snapshot() const
{
    return m_shard->snapshot();
}

void SessionManager::openSession(QWebSocket *socket, QTcpSocket *tcp, quint64 ticket)
{
    const auto expected = m_expected.constFind(ticket);
    if (m_stopping || expected == m_expected.cend()
        || socket->state() != QAbstractSocket::ConnectedState) {
        // The connection ended on its way back from an upgrade thread, or
        // the server is stopping: no session opens after closeAll().
        forgetExpected(ticket);
        socket->abort();
        socket->deleteLater();
        tcp->deleteLater();
        return;
    }
    auto *budget = tcp->findChild<InboundByteBudget *>(QString(), Qt::FindDirectChildrenOnly);
    const SessionShard::Opening opening { expected->decision, expected->address, budget };
    // The session has its own end (prepareForUpgrade()).
    QObject::disconnect(tcp, &QTcpSocket::disconnected, this, nullptr);
    // Still counted per address and token: from now on as a session, once
    // the shard says it opened (synchronously, within open()).
    m_expected.erase(expected);
    m_shard->open(socket, tcp, opening);
}

void SessionManager::onSessionOpened(const SessionInfo &session)
{
    ++m_openSessions;
    ++m_kioskSessions[session.kiosk];
    Q_EMIT sessionOpened(session);
}

void SessionManager::onSessionClosed(const SessionInfo &session, int closeCode,
                                     const QString &reason)
{
    --m_openSessions;
    const auto kiosk = m_kioskSessions.find(session.kiosk);
    if (kiosk != m_kioskSessions.end() && --*kiosk <= 0)
        m_kioskSessions.erase(kiosk);
    countConnection(session.address, session.jti, -1);
    Q_EMIT sessionClosed(session, closeCode, reason);
}

int SessionManager::closeByJtis(const QStringList &jtis, CloseCode code, const QString &reason)
{
    return m_shard->closeByJtis(jtis, code, reason);
}

int SessionManager::closeBySessionIds(const QStringList &sessionIds, CloseCode code, const QString &reason)
{
    return m_shard->closeBySessionIds(sessionIds, code, reason);
}

void SessionManager::closeAll(CloseCode code, const QString &reason)
{
    m_stopping = true;
    m_shard->closeAll(code, reason);
}

int SessionManager::sendToKiosks(const QStringList &kiosks, const QString &text)
{
    return m_shard->sendToKiosks(kiosks, text);
}

bool SessionManager::sendToSession(const QString &kiosk, const QString &sessionId, const QString &text)
{
    return m_shard->sendToSession(kiosk, sessionId, text);
}

} // namespace KioskGate
