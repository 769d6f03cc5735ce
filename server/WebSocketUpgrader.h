#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <functional>

class QTcpSocket;
class QThread;
class QWebSocket;
class QWebSocketServer;

namespace KioskGate {

/// Runs QWebSocketServer's upgrade (parsing the head the gate left on the
/// socket, the 101 answer, building the QWebSocket) for connections the
/// gate accepted, on threads of its own, and hands each upgraded socket back
/// to the thread that asked. A connection comes as a socket, or as a bare
/// descriptor whose socket is then made on the upgrading thread.
///
/// Why: while a fleet reconnects, the upgrade (and making the socket) is
/// about a quarter of the network thread's work per handshake, and the
/// network thread is the one busy core. The upgrade needs no state of the
/// server: only the socket (or descriptor) crosses, once there and once
/// back, so nothing is shared under locks.
///
/// With no threads (`threads` 0) the upgrade runs on the asking thread, as
/// a plain QWebSocketServer would.
///
/// What a kiosk sends before it has the 101 answer may be parsed before the
/// session's slots are connected, and is then lost; QWebSocket does the same
/// with frames in the handshake's own packet (QT-NOTES). The 101 is sent
/// only once the session is open (DirectWriteSocket holds it), so a client
/// that waits for it, as browsers and WebSocket libraries do, loses nothing.
class WebSocketUpgrader : public QObject
{
    Q_OBJECT
public:
    /// Runs on the asking thread with the upgraded socket, the socket under
    /// it (now on the asking thread, without a parent) and the ticket given
    /// to upgrade(). Not called for a connection that ends before its
    /// upgrade completes: the socket's disconnected() is the sign of that.
    using Upgraded = std::function<void(QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket)>;
    /// Runs on the asking thread for a descriptor that no socket could be
    /// made for (upgradeDescriptor()): nothing will come of its ticket.
    using Abandoned = std::function<void(quint64 ticket)>;
    /// Runs on the upgrading thread with a socket upgradeDescriptor() made,
    /// before QWebSocketServer sees it.
    using Prepare = std::function<void(QTcpSocket *tcp)>;

    /// Lives on the calling thread, which is where `upgraded` and
    /// `abandoned` run.
    WebSocketUpgrader(int threads, const QStringList &subprotocols, Upgraded upgraded,
                      Abandoned abandoned, QObject *parent = nullptr);
    ~WebSocketUpgrader() override;

    int threadCount() const { return m_lanes.size(); }
    /// Takes `tcp` (the gate's accepted socket, its request head still
    /// unread) and upgrades it. The socket loses its parent: whoever gets it
    /// back owns it.
    void upgrade(QTcpSocket *tcp, quint64 ticket);
    /// Takes a connected descriptor whose request head was read, and makes
    /// its socket on the upgrading thread: a DirectWriteSocket that reads
    /// `head` first, then what the descriptor has. Nothing of it touches
    /// this thread until it is upgraded.
    void upgradeDescriptor(qintptr descriptor, const QByteArray &head, quint64 ticket,
                           Prepare prepare);

private:
    class Lane;
    /// On this object's thread, outside the socket's own signals: moves it
    /// to the next lane.
    void handOver(QTcpSocket *tcp, quint64 ticket);
    /// From any lane: reports a ticket as abandoned, on this object's thread.
    void abandon(quint64 ticket);
    /// On this object's thread: an upgrade a lane finished.
    void deliver(QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket);

    /// The lane whose turn it is (round robin).
    Lane *nextLane();

    Upgraded m_upgraded;
    Abandoned m_abandoned;
    bool m_closing = false;
    Lane *m_local = nullptr; // threads == 0
    QList<Lane *> m_lanes; // one per thread, living there
    QList<QThread *> m_threads;
    int m_next = 0; // round robin
};

} // namespace KioskGate
