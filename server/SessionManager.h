#pragma once

#include "Authenticator.h"
#include "Protocol.h"
#include "SessionInfo.h"

#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSet>
#include <QObject>

#include <set>
#include <utility>

class QTcpSocket;
class QTimer;
class QWebSocket;

namespace KioskGate {

class Clock;
class InboundByteBudget;
class WebSocketUpgrader;

/// Live kiosk sessions: takes authenticated sockets from the gate, upgrades
/// them through QWebSocketServer, greets each kiosk, keeps the heartbeat,
/// and closes sessions whose token is revoked (4403) or expires (4401).
class SessionManager : public QObject
{
    Q_OBJECT
public:
    struct Limits
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

    /// `upgradeThreads`: threads that run QWebSocketServer's upgrade
    /// (server/upgrade_threads; 0 runs it on this object's thread).
    SessionManager(const Clock *clock, int upgradeThreads, QObject *parent = nullptr);
    ~SessionManager() override;

    void setLimits(const Limits &limits);

    /// Upgrades a socket the gate accepted (WebSocketUpgrader); the session
    /// opens once the WebSocket handshake completes. Takes the socket.
    void adopt(QTcpSocket *socket, const AuthDecision &decision);

    /// Sessions plus upgrades in flight: what the connection cap counts.
    int connectionCount() const;
    /// The same, per client address and per token id (the gate's caps).
    int connectionsFrom(const QString &address) const { return m_perAddress.value(address); }
    int connectionsFor(const QString &jti) const { return m_perJti.value(jti); }
    QList<SessionInfo> snapshot() const;

    /// Closes every session authenticated with one of `jtis`; returns how many.
    int closeByJtis(const QStringList &jtis, Protocol::CloseCode code, const QString &reason);
    /// Closes the sessions with these ids (the operator's "disconnect"); returns how many.
    int closeBySessionIds(const QStringList &sessionIds, Protocol::CloseCode code, const QString &reason);
    /// Closes everything (server shutdown). Upgrades still in flight are
    /// closed as they arrive: no session opens after this.
    void closeAll(Protocol::CloseCode code, const QString &reason);

    /// Kiosk names with at least one live session.
    QStringList onlineKiosks() const;
    bool isKioskOnline(const QString &kiosk) const;
    /// Sends one text frame to every live session of `kiosk`; returns how many.
    int sendToKiosk(const QString &kiosk, const QString &text);
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
    void openSession(QWebSocket *socket, QTcpSocket *tcp, quint64 ticket);
    /// An upgrade that will not open a session: uncounts it.
    void forgetExpected(quint64 ticket);
    /// The inbound byte budget ran dry before the session opened (on this
    /// thread or an upgrade thread).
    void cutOffWhileUpgrading(QTcpSocket *tcp);
    void noteFloodWhileUpgrading(const QString &address);
    void onTextMessage(Session *session, const QString &text);
    void closeSession(Session *session, Protocol::CloseCode code, const QString &reason);
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
    /// Closes the connection on `tcp` (1008) once it sent more bytes than
    /// limits/inbound_bytes_per_second allows (InboundByteBudget).
    void inboundBudgetExceeded(QTcpSocket *tcp);
    void countConnection(const QString &address, const QString &jti, int delta);
    /// `text` as one unmasked server text frame, encoded once for a run of
    /// sends of the same text (a broadcast sends one frame N times).
    const QByteArray &encodedFrame(const QString &text);
    void sendFrame(Session *session, const QString &text);

    const Clock *m_clock;
    Limits m_limits;
    WebSocketUpgrader *m_upgrader;
    QTimer *m_heartbeatTimer;
    QTimer *m_expiryTimer;
    struct Expected
    {
        AuthDecision decision;
        QString address;
        InboundByteBudget *budget = nullptr; // the socket's child
        QMetaObject::Connection pendingDrop; // forgets this entry if the upgrade never completes
    };
    QHash<quint64, Expected> m_expected; // upgrades in flight, by ticket
    quint64 m_lastTicket = 0;
    bool m_stopping = false; // closeAll() ran: the server is going away
    QString m_frameText;                 // encodedFrame()'s cache
    QByteArray m_frame;
    QHash<QWebSocket *, Session *> m_sessions;
    QHash<QTcpSocket *, Session *> m_byTcp; // the same sessions by their connection
    // Sessions written to (or that sent something QWebSocket may answer)
    // since they last had nothing unsent: all the slow-consumer sweep visits.
    QSet<Session *> m_mayHaveUnsent;
    // Commands go to kiosks by name. A set per name: dropping one of many
    // sessions under one name (a shared token) stays O(1).
    QHash<QString, QSet<Session *>> m_byKiosk;
    // (exp in seconds, session), ordered by expiry. Not a QMultiMap keyed by
    // exp: many sessions share one exp (a token used by several kiosks, or
    // tokens issued together), and QMultiMap::remove(key, value) walks every
    // session of that key - a drop storm of N such sessions cost O(N^2).
    std::set<std::pair<qint64, Session *>> m_expiries;
    QHash<QString, int> m_perAddress; // sessions + expected upgrades
    QHash<QString, int> m_perJti;
    qint64 m_rateLimited = 0;   // sessions closed for the message rate (logged)
    qint64 m_slowConsumers = 0; // sessions dropped for the write buffer (logged)
    qint64 m_inboundFlooders = 0; // connections closed for the inbound byte budget (logged)
};

} // namespace KioskGate
