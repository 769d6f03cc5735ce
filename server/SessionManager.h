#pragma once

#include "SessionShard.h"

#include <QHash>
#include <QObject>

class QTcpSocket;
class QWebSocket;

namespace KioskGate {

class Clock;
class InboundByteBudget;
class WebSocketUpgrader;

/// Live kiosk sessions: takes authenticated sockets from the gate, upgrades
/// them through QWebSocketServer (WebSocketUpgrader), and hands each one to
/// a SessionShard, which greets the kiosk and keeps its session. Keeps what
/// the gate's caps read (connections per address, per token, in all) and
/// which kiosks are online, and routes commands and closes to the shard.
class SessionManager : public QObject
{
    Q_OBJECT
public:
    using Limits = SessionLimits;

    /// `upgradeThreads`: threads that run QWebSocketServer's upgrade
    /// (server/upgrade_threads; 0 runs it on this object's thread).
    SessionManager(const Clock *clock, int upgradeThreads, QObject *parent = nullptr);
    ~SessionManager() override;

    void setLimits(const Limits &limits);

    /// Upgrades a socket the gate accepted (WebSocketUpgrader); the session
    /// opens once the WebSocket handshake completes. Takes the socket.
    /// `address`: its peer's, as peerAddressText() gives it.
    void adopt(QTcpSocket *socket, const AuthDecision &decision, const QString &address);
    /// The same for a descriptor the gate decided on
    /// (HandshakeGate::descriptorAccepted): its socket is made on the
    /// upgrade thread and reads `head` first. Takes the descriptor.
    void adoptDescriptor(qintptr descriptor, const QByteArray &head, const AuthDecision &decision,
                         const QString &address);

    /// Sessions plus upgrades in flight: what the connection cap counts.
    int connectionCount() const { return m_openSessions + int(m_expected.size()); }
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
    QStringList onlineKiosks() const { return m_kioskSessions.keys(); }
    bool isKioskOnline(const QString &kiosk) const { return m_kioskSessions.contains(kiosk); }
    int onlineKioskCount() const { return int(m_kioskSessions.size()); }
    /// Sends one text frame to every live session of these kiosks, in the
    /// order the sessions opened; returns how many.
    int sendToKiosks(const QStringList &kiosks, const QString &text);
    /// The same for every live session.
    int sendToAll(const QString &text) { return m_shard->sendToAll(text); }
    /// Sends one text frame to one session; false if it is gone or closing.
    bool sendToSession(const QString &kiosk, const QString &sessionId, const QString &text);

// The shard's signals (SessionShard), passed on once the counts above
// include the change.
Q_SIGNALS:
    void sessionOpened(const KioskGate::SessionInfo &session);
    void sessionClosed(const KioskGate::SessionInfo &session, int closeCode, const QString &reason);
    void sessionUpdated(const KioskGate::SessionInfo &session);
    void messageReceived(const QString &sessionId, const QJsonObject &message);

private:
    /// Counts an upgrade in flight; returns its ticket.
    quint64 expect(const AuthDecision &decision, const QString &address);
    /// What a socket needs before QWebSocketServer sees it, on whichever
    /// thread holds it then: limits are passed in, not read from this object.
    void prepareForUpgrade(QTcpSocket *socket, quint64 ticket, qint64 bytesPerSecond, qint64 burst);
    void openSession(QWebSocket *socket, QTcpSocket *tcp, quint64 ticket);
    /// An upgrade that will not open a session: uncounts it.
    void forgetExpected(quint64 ticket);
    /// The inbound byte budget of `tcp` ran dry: its session closes, or, if
    /// it is still upgrading, it is cut off (on whichever thread has it).
    void inboundBudgetExceeded(QTcpSocket *tcp);
    void cutOffWhileUpgrading(QTcpSocket *tcp);
    void noteFloodWhileUpgrading(const QString &address);
    void onSessionOpened(const SessionInfo &session);
    void onSessionClosed(const SessionInfo &session, int closeCode, const QString &reason);
    void countConnection(const QString &address, const QString &jti, int delta);

    const Clock *m_clock;
    Limits m_limits;
    SessionShard *m_shard;
    WebSocketUpgrader *m_upgrader;
    struct Expected
    {
        AuthDecision decision;
        QString address;
    };
    QHash<quint64, Expected> m_expected; // upgrades in flight, by ticket
    quint64 m_lastTicket = 0;
    bool m_stopping = false; // closeAll() ran: the server is going away
    int m_openSessions = 0;
    QHash<QString, int> m_kioskSessions; // kiosk -> live sessions
    QHash<QString, int> m_perAddress; // sessions + expected upgrades
    QHash<QString, int> m_perJti;
    qint64 m_inboundFlooders = 0; // upgrades cut off for the inbound byte budget (logged)
};

} // namespace KioskGate
