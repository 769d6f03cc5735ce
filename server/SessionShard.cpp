#include "SessionShard.h"

#include "Clock.h"
#include "DirectWriteSocket.h"
#include "InboundByteBudget.h"
#include "KioskMessage.h"
#include "Logging.h"
#include "RandomId.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <algorithm>
#include <vector>

namespace KioskGate {

using Protocol::CloseCode;

namespace {
// A kiosk that does not finish the closing handshake in time is cut off.
constexpr int CloseGraceMs = 3000;
} // namespace

struct SessionShard::Session : SessionLinks
{
    QWebSocket *socket = nullptr;
    // The connection under `socket`: QWebSocket writes each frame straight
    // to it, so a frame encoded once can be written here as well.
    QPointer<QTcpSocket> tcp;
    QTcpSocket *byTcpKey = nullptr; // its key in m_byTcp, kept even if `tcp` is gone
    DirectWriteSocket *direct = nullptr; // `tcp` if it is one (no cast in the sweep)
    InboundByteBudget *budget = nullptr; // `tcp`'s child
    SessionInfo info;
    bool closing = false;
    /// The kiosk sent a close frame (QWebSocket answers it and emits aboutToClose).
    bool closeFrameReceived = false;
    int closeCode = 0;
    QString closeReason;
    double messageBudget = 0; // token bucket (limits/messages_per_second)
    qint64 budgetAtMs = 0;
    /// Dropped while a Walk was under way: out of every table, still in
    /// m_order (so the walk can step past it) until the Walk ends.
    bool dropped = false;
};

/// While one exists, a dropped session stays allocated (and in m_order),
/// so that a loop over sessions can go on past it.
///
/// Why: writing to a connection the kiosk has just reset fails at once, and
/// Qt then aborts it and emits `disconnected` inside the write, which drops
/// the session there. A command to every kiosk, a heartbeat or a close of
/// many sessions would otherwise step from freed memory.
class SessionShard::Walk
{
public:
    explicit Walk(SessionShard *shard) : m_shard(shard) { ++m_shard->m_walks; }
    ~Walk()
    {
        if (--m_shard->m_walks > 0)
            return;
        const QList<Session *> dropped = std::exchange(m_shard->m_droppedDuringWalk, {});
        for (Session *session : dropped) {
            m_shard->m_order.remove(session, session->info.kiosk);
            delete session;
        }
    }
    Walk(const Walk &) = delete;
    Walk &operator=(const Walk &) = delete;

private:
    SessionShard *m_shard;
};

template<typename Visit> void SessionShard::forEachSession(Visit visit)
{
    const Walk walk(this);
    // Sessions opened during the walk (none do today) are not visited.
    SessionLinks *const last = m_order.newest();
    for (SessionLinks *links = m_order.oldest(); links; links = links->newer) {
        auto *session = static_cast<Session *>(links);
        if (!session->dropped)
            visit(session);
        if (links == last)
            break;
    }
}

SessionShard::SessionShard(const Clock *clock, QObject *parent)
    : QObject(parent),
      m_clock(clock),
      m_heartbeatTimer(new QTimer(this)),
      m_expiryTimer(new QTimer(this))
{
    connect(m_heartbeatTimer, &QTimer::timeout, this, &SessionShard::heartbeat);
    m_heartbeatTimer->start(m_limits.heartbeatIntervalMs);
    connect(m_expiryTimer, &QTimer::timeout, this, &SessionShard::expireTokens);
    m_expiryTimer->start(200);
}

SessionShard::~SessionShard()
{
    // Sessions still open (kiosks that never answered the close frame) go
    // now and directly: this runs as the network thread ends, when a
    // deleteLater() would never be carried out.
    for (Session *session : std::as_const(m_sessions)) {
        QWebSocket *socket = session->socket;
        disconnect(socket, nullptr, this, nullptr);
        QPointer<QTcpSocket> tcp = session->tcp;
        if (tcp)
            disconnect(tcp, nullptr, this, nullptr);
        socket->abort();
        delete socket;
        delete tcp; // the upgrader left it without a parent
        delete session;
    }
}

void SessionShard::setLimits(const SessionLimits &limits)
{
    m_limits = limits;
    m_heartbeatTimer->start(m_limits.heartbeatIntervalMs);
}

QList<SessionInfo> SessionShard::snapshot() const
{
    QList<SessionInfo> list;
    list.reserve(m_order.size());
    for (const SessionLinks *links = m_order.oldest(); links; links = links->newer) {
        const auto *session = static_cast<const Session *>(links);
        if (!session->dropped)
            list.append(session->info);
    }
    return list;
}

namespace {
QString connectedLine(const SessionInfo &info)
{
    QString line;
    line.reserve(64 + info.kiosk.size() + info.address.size() + info.id.size() + info.jti.size()
                 + info.transport.size());
    line.append(u"kiosk ").append(info.kiosk).append(u" connected from ").append(info.address);
    line.append(u" session ").append(info.id).append(u" jti ").append(info.jti);
    line.append(u" transport ").append(info.transport);
    return line;
}
} // namespace

void SessionShard::open(QWebSocket *socket, QTcpSocket *tcp, const Opening &opening)
{
    // Connect first: frames may already be waiting (QT-NOTES: pipelined data).
    socket->setMaxAllowedIncomingFrameSize(quint64(m_limits.maxFrameBytes));
    socket->setMaxAllowedIncomingMessageSize(quint64(m_limits.maxMessageBytes));

    const AuthDecision &decision = opening.decision;
    auto *session = new Session;
    session->socket = socket;
    session->tcp = tcp;
    m_byTcp.insert(tcp, session);
    session->byTcpKey = tcp;
    session->direct = qobject_cast<DirectWriteSocket *>(tcp);
    InboundByteBudget *budget = opening.budget;
    budget->followReader();
    // QWebSocket answers pings and close frames itself: what a kiosk
    // sends may leave bytes to write. (The budget's readyRead slot, not
    // one more connection per kiosk; dropSession() unhooks it.)
    session->budget = budget;
    budget->setOnBytes([this, session] { m_mayHaveUnsent.insert(session); });
    SessionInfo &info = session->info;
    info.id = RandomId::hex(8);
    info.kiosk = decision.claims.subject;
    info.jti = decision.claims.jti;
    info.address = opening.address;
    info.origin = QString::fromLatin1(decision.origin);
    info.transport = Protocol::transportName(decision.transport);
    info.connectedAtMs = m_clock->nowMs();
    info.lastSeenMs = info.connectedAtMs;
    info.expiresAt = decision.claims.expiresAt;
    session->messageBudget = m_limits.messageBurst;
    session->budgetAtMs = info.connectedAtMs;
    m_sessions.insert(socket, session);
    m_order.append(session, info.kiosk);
    if (info.expiresAt > 0)
        m_expiries.emplace(info.expiresAt, session);

    // The rate counts frames, not messages: a flood of tiny continuation
    // frames never completes a message but costs as much to parse.
    auto spend = [this, session] {
        if (!spendMessageBudget(session))
            closeSession(session, CloseCode::PolicyViolation,
                         QStringLiteral("message rate limit exceeded"));
    };
    connect(socket, &QWebSocket::textFrameReceived, this,
            [spend](const QString &, bool) { spend(); });
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, session](const QString &text) { onTextMessage(session, text); });
    // Closed at the first binary frame, not once a binary message completes:
    // no budget to spend on a message that is refused anyway.
    connect(socket, &QWebSocket::binaryFrameReceived, this,
            [this, session](const QByteArray &, bool) {
                closeSession(session, CloseCode::PolicyViolation,
                             QStringLiteral("binary messages are not part of the protocol"));
            });
    connect(socket, &QWebSocket::pong, this,
            [this, session](quint64 elapsedMs, const QByteArray &) {
                session->info.lastSeenMs = m_clock->nowMs();
                session->info.rttMs = int(qMin<quint64>(elapsedMs, 3'600'000));
                Q_EMIT sessionUpdated(session->info);
            });
    // QWebSocket also passes on its connection's aboutToClose as its own: a
    // connection Qt aborts after a failed write (the kiosk reset it) is no
    // close frame, and has its error set by then.
    connect(socket, &QWebSocket::aboutToClose, this, [session] {
        if (!session->tcp || session->tcp->error() == QAbstractSocket::UnknownSocketError)
            session->closeFrameReceived = true;
    });
    connect(socket, &QWebSocket::disconnected, this, [this, session] { dropSession(session); });

    // Neither a QDebug stream (a QTextStream per line) nor a printf format
    // with five fields: a line per handshake. Built only when logged.
    qCInfo(lcSession, "%ls", qUtf16Printable(connectedLine(info)));
    socket->sendTextMessage(
        Protocol::welcomeMessage(info.kiosk, info.id, m_limits.heartbeatIntervalMs));
    Q_EMIT sessionOpened(info); // may send a command still waiting for this kiosk
    if (session->direct)
        session->direct->releaseWrites();
    m_mayHaveUnsent.insert(session);
}

bool SessionShard::spendMessageBudget(Session *session)
{
    if (session->closing)
        return true; // already on its way out; closing again changes nothing
    const qint64 now = m_clock->nowMs();
    const double refill = double(now - session->budgetAtMs) * m_limits.messagesPerSecond / 1000.0;
    session->messageBudget
        = qMin<double>(m_limits.messageBurst, session->messageBudget + qMax(0.0, refill));
    session->budgetAtMs = now;
    if (session->messageBudget < 1.0) {
        ++m_rateLimited;
        qCWarning(lcSession).noquote()
            << QStringLiteral("kiosk %1 session %2 from %3 went over %4 messages per "
                              "second; closing it (%5 so far)")
                   .arg(session->info.kiosk, session->info.id, session->info.address)
                   .arg(m_limits.messagesPerSecond)
                   .arg(m_rateLimited);
        return false;
    }
    session->messageBudget -= 1.0;
    return true;
}

qint64 SessionShard::unsentBytes(Session *session)
{
    return session->direct && session->tcp ? session->direct->unsentBytes()
                                           : session->socket->bytesToWrite();
}

bool SessionShard::dropIfSlowConsumer(Session *session)
{
    m_mayHaveUnsent.insert(session);
    if (unsentBytes(session) <= m_limits.maxWriteBufferBytes)
        return false;
    dropSlowConsumer(session);
    return true;
}

void SessionShard::dropSlowConsumer(Session *session)
{
    ++m_slowConsumers;
    qCWarning(lcSession).noquote()
        << QStringLiteral("kiosk %1 session %2 from %3 left more than %4 bytes "
                          "unread; dropping it (%5 so far)")
               .arg(session->info.kiosk, session->info.id, session->info.address)
               .arg(m_limits.maxWriteBufferBytes)
               .arg(m_slowConsumers);
    // A close frame would queue behind the unread bytes: cut it off.
    session->closing = true;
    session->closeCode = int(CloseCode::PolicyViolation);
    session->closeReason = QStringLiteral("write buffer over limit");
    session->socket->abort();
}

bool SessionShard::closeForInboundFlood(QTcpSocket *tcp)
{
    Session *session = m_byTcp.value(tcp);
    if (!session)
        return false;
    ++m_inboundFlooders;
    qCWarning(lcSession).noquote()
        << QStringLiteral("kiosk %1 session %2 from %3 sent more than %4 bytes per second "
                          "(pings included); closing it (%5 so far)")
               .arg(session->info.kiosk, session->info.id, session->info.address)
               .arg(m_limits.inboundBytesPerSecond)
               .arg(m_inboundFlooders);
    closeSession(session, CloseCode::PolicyViolation,
                 QStringLiteral("inbound byte limit exceeded"));
    return true;
}

void SessionShard::onTextMessage(Session *session, const QString &text)
{
    if (session->closing)
        return; // e.g. over the rate limit: no more replies
    session->info.lastSeenMs = m_clock->nowMs();
    const KioskMessage message = KioskMessage::parse(text);
    if (message.isError()) {
        const Walk walk(this); // the reply may drop the session at once
        session->socket->sendTextMessage(message.errorFrame());
        if (!session->dropped)
            dropIfSlowConsumer(session);
        return;
    }
    if (message.kind == KioskMessage::Kind::Status) {
        session->info.clientVersion = message.clientVersion;
        session->info.pageUrl = message.pageUrl;
        Q_EMIT sessionUpdated(session->info);
    }
    Q_EMIT messageReceived(session->info.id, message.object);
}

template<typename Wanted>
int SessionShard::closeWhere(Wanted wanted, CloseCode code, const QString &reason)
{
    int closed = 0;
    forEachSession([&](Session *session) {
        if (wanted(session->info)) {
            closeSession(session, code, reason); // may drop it at once
            ++closed;
        }
    });
    return closed;
}

int SessionShard::closeByJtis(const QStringList &jtis, CloseCode code, const QString &reason)
{
    return closeWhere([&jtis](const SessionInfo &info) { return jtis.contains(info.jti); }, code,
                      reason);
}

int SessionShard::closeBySessionIds(const QStringList &sessionIds, CloseCode code,
                                    const QString &reason)
{
    const QSet<QString> wanted(sessionIds.cbegin(), sessionIds.cend());
    return closeWhere([&wanted](const SessionInfo &info) { return wanted.contains(info.id); }, code,
                      reason);
}

void SessionShard::closeAll(CloseCode code, const QString &reason)
{
    closeWhere([](const SessionInfo &) { return true; }, code, reason);
}

int SessionShard::sendToKiosks(const QStringList &kiosks, const QString &text)
{
    std::vector<const SessionOrder::Kiosk *> found;
    for (const QString &kiosk : kiosks) {
        if (const SessionOrder::Kiosk *sessions = m_order.kiosk(kiosk))
            found.push_back(sessions);
    }
    if (found.empty())
        return 0;
    // A name given twice counts once (and its sessions get the frame once).
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    qsizetype targets = 0;
    for (const SessionOrder::Kiosk *sessions : found)
        targets += sessions->count;
    // Every kiosk online: one walk through all sessions, no name to look
    // up per session.
    if (qsizetype(found.size()) == m_order.kioskCount())
        return sendToAll(text);
    int sent = 0;
    auto send = [&](Session *session) { sent += offerFrame(session, text) ? 1 : 0; };
    // Most of the fleet: one walk through all sessions in opening order.
    if (targets * 8 >= m_order.size()) {
        const QSet<QString> wanted(kiosks.cbegin(), kiosks.cend());
        forEachSession([&](Session *session) {
            if (wanted.contains(session->info.kiosk))
                send(session);
        });
        return sent;
    }
    // A few: found by name, put in opening order.
    std::vector<Session *> sessions;
    sessions.reserve(size_t(targets));
    for (const SessionOrder::Kiosk *kiosk : found) {
        for (SessionLinks *links = kiosk->oldest; links; links = links->newerOfKiosk)
            sessions.push_back(static_cast<Session *>(links));
    }
    std::sort(sessions.begin(), sessions.end(),
              [](const Session *a, const Session *b) { return a->sequence < b->sequence; });
    const Walk walk(this);
    for (Session *session : sessions) {
        if (!session->dropped)
            send(session);
    }
    return sent;
}

int SessionShard::sendToAll(const QString &text)
{
    int sent = 0;
    forEachSession([&](Session *session) { sent += offerFrame(session, text) ? 1 : 0; });
    return sent;
}

bool SessionShard::offerFrame(Session *session, const QString &text)
{
    if (session->closing)
        return false;
    sendFrame(session, text); // may drop it at once
    return true;
}

bool SessionShard::sendToSession(const QString &kiosk, const QString &sessionId,
                                 const QString &text)
{
    const SessionOrder::Kiosk *sessions = m_order.kiosk(kiosk);
    if (!sessions)
        return false;
    for (SessionLinks *links = sessions->oldest; links; links = links->newerOfKiosk) {
        auto *session = static_cast<Session *>(links);
        if (session->info.id == sessionId && !session->closing && !session->dropped) {
            const Walk walk(this); // the write may drop it at once
            sendFrame(session, text);
            return true;
        }
    }
    return false;
}

const QByteArray &SessionShard::encodedFrame(const QString &text)
{
    if (text.isSharedWith(m_frameText) || text == m_frameText)
        return m_frame;
    const QByteArray payload = text.toUtf8();
    QByteArray frame;
    frame.reserve(payload.size() + 10);
    frame.append(char(0x81)); // FIN + text; server frames are not masked
    const qsizetype size = payload.size();
    if (size < 126) {
        frame.append(char(size));
    } else if (size <= 0xffff) {
        frame.append(char(126));
        frame.append(char((size >> 8) & 0xff));
        frame.append(char(size & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(size) >> shift) & 0xff));
    }
    frame.append(payload);
    m_frameText = text;
    m_frame = frame;
    return m_frame;
}

void SessionShard::sendFrame(Session *session, const QString &text)
{
    m_mayHaveUnsent.insert(session);
    QTcpSocket *tcp = session->tcp;
    if (!tcp || session->socket->state() != QAbstractSocket::ConnectedState) {
        session->socket->sendTextMessage(text);
        return;
    }
    // Shared bytes, no per-socket conversion; flushed at once so kiosks
    // start answering while the rest of the fleet is still being written.
    tcp->write(encodedFrame(text));
    tcp->flush();
}

void SessionShard::closeSession(Session *session, CloseCode code, const QString &reason)
{
    if (session->closing)
        return;
    session->closing = true;
    session->closeCode = int(code);
    session->closeReason = reason;
    qCInfo(lcSession).noquote() << "closing kiosk" << session->info.kiosk << "session"
                                << session->info.id << "with" << int(code) << reason;
    QWebSocket *socket = session->socket;
    socket->close(QWebSocketProtocol::CloseCode(code), reason);
    QTimer::singleShot(CloseGraceMs, socket, [socket] { socket->abort(); });
}

void SessionShard::dropSession(Session *session)
{
    QWebSocket *socket = session->socket;
    if (!m_sessions.remove(socket))
        return;
    m_byTcp.remove(session->byTcpKey);
    m_mayHaveUnsent.remove(session);
    if (session->info.expiresAt > 0)
        m_expiries.erase({ session->info.expiresAt, session });
    // QWebSocket reports 1000 (its default) for a connection cut without a
    // close frame; that is an abnormal closure (RFC 6455 7.1.5: 1006), which
    // the activity log and the console's drop alarm must see as such.
    int code = int(QWebSocketProtocol::CloseCodeAbnormalDisconnection);
    QString reason = QStringLiteral("connection lost without a close frame");
    if (session->closing) {
        code = session->closeCode;
        reason = session->closeReason;
    } else if (session->closeFrameReceived) {
        code = int(socket->closeCode());
        reason = socket->closeReason();
    }
    qCInfo(lcSession, "kiosk %ls session %ls disconnected, code %d",
           qUtf16Printable(session->info.kiosk), qUtf16Printable(session->info.id), code);
    Q_EMIT sessionClosed(session->info, code, reason);
    // Abort before deleting: a QWebSocket deleted with unsent data can leave
    // its QTcpSocket behind (QT-NOTES). No slot may see `session` again.
    disconnect(socket, nullptr, this, nullptr);
    if (session->tcp) {
        disconnect(session->tcp, nullptr, this, nullptr);
        if (session->budget) // the socket's child: alive while the socket is
            session->budget->setOnBytes({});
    }
    socket->abort();
    socket->deleteLater();
    // The upgrader cut QWebSocketServer's connection that would delete the
    // socket under it, and it has no parent: it goes here.
    if (session->tcp)
        session->tcp->deleteLater();
    if (m_walks > 0) {
        session->dropped = true;
        m_droppedDuringWalk.append(session);
        return;
    }
    m_order.remove(session, session->info.kiosk);
    delete session;
}

void SessionShard::heartbeat()
{
    const qint64 now = m_clock->nowMs();
    const qint64 deadAfter = qint64(m_limits.heartbeatIntervalMs) * m_limits.heartbeatMissesAllowed;
    forEachSession([&](Session *session) {
        if (now - session->info.lastSeenMs > deadAfter) {
            qCInfo(lcSession).noquote() << "kiosk" << session->info.kiosk << "session"
                                        << session->info.id << "missed its heartbeats; dropping it";
            session->closing = true;
            session->closeCode = 1006;
            session->closeReason = QStringLiteral("heartbeat timeout");
            session->socket->abort();
            return;
        }
        m_mayHaveUnsent.insert(session); // before the ping, which may drop it
        session->socket->ping();
    });
}

void SessionShard::expireTokens()
{
    // Also the slow-consumer sweep: whoever queued the frames (commands,
    // replies, pings), a kiosk that stops reading is found within 200 ms.
    // Only sessions written to since they last had nothing unsent: sweeping
    // an idle fleet of 10,000 every 200 ms cost 30-35 ms of CPU a second.
    QList<Session *> drained;
    QList<Session *> slow;
    for (Session *session : std::as_const(m_mayHaveUnsent)) {
        if (session->closing)
            continue; // aborted within CloseGraceMs anyway
        // Fewer bytes written since the kernel last said than the cap allows:
        // cannot be over it, no system call. Its next write brings it back.
        // (After a broadcast to 10,000 kiosks a SIOCOUTQ each was 6-8% of the
        // server's CPU until the last ack.)
        if (session->direct && session->tcp
            && session->direct->unsentUpperBound() <= m_limits.maxWriteBufferBytes) {
            drained.append(session);
            continue;
        }
        const qint64 unsent = unsentBytes(session);
        if (unsent == 0)
            drained.append(session);
        else if (unsent > m_limits.maxWriteBufferBytes)
            slow.append(session);
    }
    for (Session *session : std::as_const(drained))
        m_mayHaveUnsent.remove(session);
    const Walk walk(this); // each drop below happens at once
    for (Session *session : std::as_const(slow)) {
        if (!session->dropped)
            dropSlowConsumer(session);
    }

    const qint64 nowSecs = m_clock->nowSecs();
    QList<Session *> expired;
    for (auto it = m_expiries.cbegin(); it != m_expiries.cend() && it->first <= nowSecs; ++it)
        expired.append(it->second);
    for (Session *session : expired) {
        if (session->dropped)
            continue;
        m_expiries.erase({ session->info.expiresAt, session });
        closeSession(session, CloseCode::TokenExpired, QStringLiteral("token expired"));
    }
}

} // namespace KioskGate
