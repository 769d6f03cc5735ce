#pragma once

#include "Authenticator.h"
#include "Protocol.h"
#include "SessionInfo.h"
#include "SessionOrder.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <set>
#include <utility>

class QTcpSocket;
class QTimer;
class QWebSocket;

namespace KioskGate {

class Clock;
class InboundByteBudget;

/// What a session may do (server settings, limits/*).
struct SessionLimits
{
    int maxFrameBytes = 64 * 1024;
    int maxMessageBytes = 64 * 1024;
    int heartbeatIntervalMs = 15000;
    int heartbeatMissesAllowed = 2;
    int messagesPerSecond = 20;
    int messageBurst = 40;
    int maxWriteBufferBytes = 1024 * 1024;
    int inboundBytesPerSecond = 64 * 1024;
    int inboundByteBurst = 256 * 1024;
};

/// The live sessions of one thread: greets each kiosk, keeps the heartbeat,
/// holds each kiosk to its limits, parses what it sends, writes command
/// frames to it, and closes it (4403 revoked, 4401 expired, 1008 over a
/// limit). Everything here runs on the shard's thread.
///
/// SessionManager owns the shard, the upgrades in flight and the counts
/// the gate reads; it learns of every session from the signals below.
class SessionShard : public QObject
{
    Q_OBJECT
public:
    /// What the gate decided for a connection, and the budget already
    /// counting its bytes.
    struct Opening
    {
        AuthDecision decision;
        QString address;
        InboundByteBudget *budget = nullptr; // the socket's child
    };

    explicit SessionShard(const Clock *clock, QObject *parent = nullptr);
    ~SessionShard() override;

    void setLimits(const SessionLimits &limits);

    /// Opens a session on an upgraded socket and the connection under it
    /// (both on this thread, `tcp` without a parent; the shard owns both).
    void open(QWebSocket *socket, QTcpSocket *tcp, const Opening &opening);

    /// The live sessions, in the order they opened.
    QList<SessionInfo> snapshot() const;

    /// Closes every session authenticated with one of `jtis`; returns how many.
    int closeByJtis(const QStringList &jtis, Protocol::CloseCode code, const QString &reason);
    /// Closes the sessions with these ids; returns how many.
    int closeBySessionIds(const QStringList &sessionIds, Protocol::CloseCode code,
                          const QString &reason);
    void closeAll(Protocol::CloseCode code, const QString &reason);
    /// Closes the session on `tcp` for sending more bytes than its budget
    /// allows; false if `tcp` carries no session here (still upgrading).
    bool closeForInboundFlood(QTcpSocket *tcp);

    /// Sends one text frame to every live session of these kiosks, in the
    /// order the sessions opened; returns how many.
    int sendToKiosks(const QStringList &kiosks, const QString &text);
    /// The same for every live session (a command to every kiosk online).
    int sendToAll(const QString &text);
    /// Sends one text frame to one session; false if it is gone or closing.
    bool sendToSession(const QString &kiosk, const QString &sessionId, const QString &text);

Q_SIGNALS:
    void sessionOpened(const KioskGate::SessionInfo &session);
    void sessionClosed(const KioskGate::SessionInfo &session, int closeCode, const QString &reason);
    /// Last seen, round-trip time, client version or page changed (a pong or
    /// a status message). Frequent: receivers coalesce (SessionFeed).
    void sessionUpdated(const KioskGate::SessionInfo &session);
    void messageReceived(const QString &sessionId, const QJsonObject &message);

private:
    struct Session;
    class Walk;
    /// The live sessions, oldest first, while a Walk keeps those dropped
    /// meanwhile from being freed.
    template<typename Visit> void forEachSession(Visit visit);
    void onTextMessage(Session *session, const QString &text);
    void closeSession(Session *session, Protocol::CloseCode code, const QString &reason);
    /// Closes the sessions whose info `wanted` picks; returns how many.
    template<typename Wanted>
    int closeWhere(Wanted wanted, Protocol::CloseCode code, const QString &reason);
    void dropSession(Session *session);
    void heartbeat();
    void expireTokens();
    /// Token bucket per session, spent per frame; false once it is empty.
    bool spendMessageBudget(Session *session);
    /// Drops `session` if the kiosk left more than the cap unread.
    bool dropIfSlowConsumer(Session *session);
    /// Cuts off a kiosk found over the cap (logged, 1008 on record).
    void dropSlowConsumer(Session *session);
    /// Bytes written to `session` that its kiosk has not taken yet.
    static qint64 unsentBytes(Session *session);
    /// `text` as one unmasked server text frame, encoded once for a run of
    /// sends of the same text (a broadcast sends one frame N times).
    const QByteArray &encodedFrame(const QString &text);
    void sendFrame(Session *session, const QString &text);
    /// sendFrame() unless the session is closing; whether it sent.
    bool offerFrame(Session *session, const QString &text);

    const Clock *m_clock;
    SessionLimits m_limits;
    QTimer *m_heartbeatTimer;
    QTimer *m_expiryTimer;
    QString m_frameText; // encodedFrame()'s cache
    QByteArray m_frame;
    QHash<QWebSocket *, Session *> m_sessions;
    SessionOrder m_order; // the same sessions in the order they opened, and by kiosk name
    int m_walks = 0; // Walks under way
    QList<Session *> m_droppedDuringWalk; // freed when the last Walk ends
    QHash<QTcpSocket *, Session *> m_byTcp; // the same sessions by their connection
    // Sessions written to (or that sent something QWebSocket may answer)
    // since they last had nothing unsent: all the slow-consumer sweep visits.
    QSet<Session *> m_mayHaveUnsent;
    // (exp in seconds, session), ordered by expiry. Not a QMultiMap keyed by
    // exp: many sessions share one exp (a token used by several kiosks, or
    // tokens issued together), and QMultiMap::remove(key, value) walks every
    // session of that key - a drop storm of N such sessions cost O(N^2).
    std::set<std::pair<qint64, Session *>> m_expiries;
    qint64 m_rateLimited = 0; // sessions closed for the message rate (logged)
    qint64 m_slowConsumers = 0; // sessions dropped for the write buffer (logged)
    qint64 m_inboundFlooders = 0; // connections closed for the inbound byte budget (logged)
};

} // namespace KioskGate
