#include "WebSocketUpgrader.h"

#include "DirectWriteSocket.h"
#include "EpollEventDispatcher.h"
#include "IdleReadBuffer.h"
#include "TsanHandover.h"
#include "UpgradeRequest.h"

#include <QCoreApplication>
#include <QNetworkProxy>
#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>
#include <utility>

namespace KioskGate {

namespace {

QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('|') + QString::number(port);
}

/// Frees what a server's QWebSocket carries but never uses. Here, on the
/// thread that built it: done by the network thread instead, the same trim
/// cost it 6-9% more CPU per handshake in alternating runs (the memory was
/// another thread's); here the difference is within the runs' noise.
void trimForServer(QWebSocket *webSocket, QTcpSocket *tcp)
{
#ifndef QT_NO_NETWORKPROXY
    // Each QWebSocket builds a proxy setting of its own for open(), which a
    // server's session never calls: sharing one frees about 150 bytes a kiosk.
    static const QNetworkProxy noProxy(QNetworkProxy::NoProxy);
    webSocket->setProxy(noProxy);
    QObject::disconnect(tcp, &QAbstractSocket::proxyAuthenticationRequired, webSocket,
                        &QWebSocket::proxyAuthenticationRequired);
#endif
    // QWebSocket forwards these socket signals as its own; nothing listens
    // to them, and each forwarding connection costs about 90 bytes a kiosk.
    // (Where a Qt version has none of them, these do nothing.)
    QObject::disconnect(tcp, &QAbstractSocket::bytesWritten, webSocket, &QWebSocket::bytesWritten);
    QObject::disconnect(tcp, &QAbstractSocket::readChannelFinished, webSocket,
                        &QWebSocket::readChannelFinished);
}

} // namespace

/// One QWebSocketServer and the sockets it is upgrading, on one thread.
class WebSocketUpgrader::Lane : public QObject
{
public:
    Lane(WebSocketUpgrader *owner, const QStringList &subprotocols)
        : m_owner(owner),
          m_server(new QWebSocketServer(QStringLiteral("KioskGate"),
                                        QWebSocketServer::NonSecureMode, this))
    {
        m_server->setSupportedSubprotocols(subprotocols);
        // Upgrades are handed on one by one and taken at once; the default
        // of 30 would make QWebSocketServer drop connections in a storm.
        m_server->setMaxPendingConnections(65535);
        connect(m_server, &QWebSocketServer::newConnection, this, &Lane::takeUpgraded);
    }

    ~Lane() override
    {
        // Shutting down with upgrades unfinished: nobody else holds these.
        // Taken out first: each deletion emits disconnected(), whose forget()
        // would erase from the table being walked.
        const QHash<QString, InFlight> inFlight = std::exchange(m_inFlight, {});
        m_keys.clear();
        for (const InFlight &entry : inFlight)
            delete entry.tcp;
    }

    /// On this lane's thread.
    void takeDescriptor(qintptr descriptor, const QByteArray &head, quint64 ticket,
                        const Prepare &prepare)
    {
        auto *tcp = DirectWriteSocket::adopt(descriptor);
        if (!tcp) {
            m_owner->abandon(ticket);
            return;
        }
        // As the gate leaves a socket it read the head from
        // (HandshakeGate::handleUpgrade()).
        IdleReadBuffer::freeWhenEmpty(tcp);
        UpgradeRequest::substituteHead(tcp, 0, head);
        prepare(tcp);
        take(tcp, ticket);
    }

    /// On this lane's thread.
    void take(QTcpSocket *tcp, quint64 ticket)
    {
        if (tcp->state() != QAbstractSocket::ConnectedState) {
            // It ended on the way here; its disconnected() already told the asker.
            tcp->deleteLater();
            return;
        }
        const QString key = peerKey(tcp->peerAddress(), tcp->peerPort());
        m_inFlight.insert(key, { tcp, ticket });
        m_keys.insert(tcp, key);
        // QWebSocketServer deletes a socket that ends before its upgrade;
        // forget it first. (Only pointers captured: Qt may destroy a cut
        // connection's functor later, on whichever thread emits next.)
        connect(tcp, &QTcpSocket::disconnected, this, [this, tcp] { forget(tcp); });
        m_server->handleConnection(tcp);
    }

private:
    struct InFlight
    {
        QTcpSocket *tcp = nullptr;
        quint64 ticket = 0;
    };

    void forget(QTcpSocket *tcp)
    {
        const QString key = m_keys.take(tcp);
        const auto entry = m_inFlight.constFind(key);
        if (entry != m_inFlight.cend() && entry->tcp == tcp)
            m_inFlight.erase(entry);
    }

    void takeUpgraded()
    {
        while (QWebSocket *webSocket = m_server->nextPendingConnection()) {
            const auto entry
                = m_inFlight.constFind(peerKey(webSocket->peerAddress(), webSocket->peerPort()));
            if (entry == m_inFlight.cend()) {
                // It ended (and forget() dropped it) while QWebSocketServer's
                // queued handshake was waiting: the server still upgrades
                // what is left in the buffer. Nobody expects it any more.
                webSocket->abort();
                webSocket->deleteLater();
                continue;
            }
            QTcpSocket *tcp = entry->tcp;
            const quint64 ticket = entry->ticket;
            m_inFlight.erase(entry);
            m_keys.remove(tcp);
            disconnect(tcp, nullptr, this, nullptr);
            trimForServer(webSocket, tcp);
            // QWebSocketServer keeps a `disconnected` connection to every
            // socket it upgraded, to delete it, and finds the socket with
            // QObject::sender(), which walks all its connections: O(sessions)
            // per drop. Whoever gets the socket back deletes it.
            QObject::disconnect(tcp, &QTcpSocket::disconnected, m_server, nullptr);
            webSocket->setParent(nullptr);
            QThread *home = m_owner->thread();
            if (home == thread()) {
                m_owner->m_upgraded(webSocket, tcp, ticket);
                continue;
            }
            // Both move before the asker hears of them: from then on every
            // event of theirs (data, timers, notifiers) is the asker's.
            const TsanHandover::Scope handover;
            webSocket->moveToThread(home);
            tcp->moveToThread(home);
            TsanHandover::post(m_owner, [owner = m_owner, webSocket, tcp, ticket] {
                owner->deliver(webSocket, tcp, ticket);
            });
        }
    }

    WebSocketUpgrader *m_owner;
    QWebSocketServer *m_server;
    QHash<QString, InFlight> m_inFlight; // peer "address|port" -> socket
    QHash<QTcpSocket *, QString> m_keys; // the same, the other way
};

WebSocketUpgrader::WebSocketUpgrader(int threads, const QStringList &subprotocols,
                                     Upgraded upgraded, Abandoned abandoned, QObject *parent)
    : QObject(parent), m_upgraded(std::move(upgraded)), m_abandoned(std::move(abandoned))
{
    if (threads <= 0) {
        m_local = new Lane(this, subprotocols);
        m_local->setParent(this);
        return;
    }
    for (int i = 0; i < threads; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("kioskgate-upgrade-%1").arg(i + 1));
        // Sockets register notifiers here while they upgrade: the same
        // O(1) dispatcher as the network thread (QT-NOTES: glib is O(N)).
        if (QAbstractEventDispatcher *dispatcher = createNetworkEventDispatcher())
            thread->setEventDispatcher(dispatcher);
        auto *lane = new Lane(this, subprotocols);
        lane->moveToThread(thread);
        // On the lane's thread as it ends: sockets still on their way to it
        // are taken, then closed with the lane.
        connect(
            thread, &QThread::finished, lane,
            [lane] {
                QCoreApplication::sendPostedEvents(lane, QEvent::MetaCall);
                delete lane;
            },
            Qt::DirectConnection);
        m_threads.append(thread);
        m_lanes.append(lane);
        thread->start();
    }
}

WebSocketUpgrader::~WebSocketUpgrader()
{
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    // Upgrades finished on a lane but not yet delivered here, and sockets
    // not yet handed to a lane: close them rather than hand them on.
    m_closing = true;
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void WebSocketUpgrader::upgrade(QTcpSocket *tcp, quint64 ticket)
{
    tcp->setParent(nullptr);
    if (m_local) {
        m_local->take(tcp, ticket);
        return;
    }
    // Not from here: the gate decides inside the socket's readyRead(), and
    // QAbstractSocket goes on with the socket once that slot returns (it
    // emits channelReadyRead(), then sets its read notifier). Moved now, the
    // socket could be changed or deleted on the upgrade thread meanwhile.
    // Queued, it moves once that emission has unwound.
    QMetaObject::invokeMethod(
        this, [this, tcp, ticket] { handOver(tcp, ticket); }, Qt::QueuedConnection);
}

void WebSocketUpgrader::upgradeDescriptor(qintptr descriptor, const QByteArray &head,
                                          quint64 ticket, Prepare prepare)
{
    if (m_local) {
        m_local->takeDescriptor(descriptor, head, ticket, prepare);
        return;
    }
    Lane *lane = nextLane();
    TsanHandover::post(lane, [lane, descriptor, head, ticket, prepare = std::move(prepare)] {
        lane->takeDescriptor(descriptor, head, ticket, prepare);
    });
}

WebSocketUpgrader::Lane *WebSocketUpgrader::nextLane()
{
    Lane *lane = m_lanes.at(m_next);
    m_next = (m_next + 1) % m_lanes.size();
    return lane;
}

void WebSocketUpgrader::abandon(quint64 ticket)
{
    if (QThread::currentThread() == thread()) {
        m_abandoned(ticket);
        return;
    }
    TsanHandover::post(this, [this, ticket] { m_abandoned(ticket); });
}

void WebSocketUpgrader::handOver(QTcpSocket *tcp, quint64 ticket)
{
    if (m_closing) {
        delete tcp;
        return;
    }
    Lane *lane = nextLane();
    const TsanHandover::Scope handover;
    tcp->moveToThread(lane->thread());
    TsanHandover::post(lane, [lane, tcp, ticket] { lane->take(tcp, ticket); });
}

void WebSocketUpgrader::deliver(QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket)
{
    if (m_closing) {
        webSocket->abort();
        delete webSocket;
        delete tcp;
        return;
    }
    m_upgraded(webSocket, tcp, ticket);
}

} // namespace KioskGate
