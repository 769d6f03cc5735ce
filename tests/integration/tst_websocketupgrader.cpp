// WebSocketUpgrader on its own, over real loopback sockets: upgrades asked
// for from inside the socket's readyRead() (as the gate asks) all come back,
// each with its own ticket, and the socket is still the asker's when
// upgrade() returns - QAbstractSocket goes on using it after that slot, so
// a socket moved from there would be used by two threads at once. A
// connection that ends before or during its upgrade is deleted and never
// delivered; an upgrader destroyed with sockets on their way deletes them.
// Upgraded sockets come back trimmed of what a server never uses. A bare
// descriptor (the gate's plain front) becomes a socket on its lane, is
// prepared there and reads the head it was given; one no socket can be
// made of is abandoned.

#include "LoopbackListener.h"
#include "MinimalUpgradeHead.h"
#include "WebSocketUpgrader.h"

#include <QAtomicInt>
#include <QHash>
#include <QNetworkProxy>
#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>
#include <QtTest>
#include <fcntl.h>
#include <map>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace KioskGate;

namespace {

/// Counts its parent's deletion, on whichever thread that happens. (Not a
/// destroyed() connection: QWebSocket's destructor cuts every connection of
/// the socket under it.)
class DeletionWitness : public QObject
{
public:
    DeletionWitness(QObject *parent, QAtomicInt *count) : QObject(parent), m_count(count) { }
    ~DeletionWitness() override { m_count->fetchAndAddRelaxed(1); }

private:
    QAtomicInt *m_count;
};

/// Clients and the server's side of each connection, accepted but not yet
/// read from.
struct Connections
{
    LoopbackListener<QTcpSocket> listener;
    std::vector<std::unique_ptr<QTcpSocket>> clients;

    bool open(int count)
    {
        if (!listener.listen(QHostAddress::LocalHost))
            return false;
        // One at a time: QTcpServer's listen backlog is 50.
        for (int i = 0; i < count; ++i) {
            clients.push_back(std::make_unique<QTcpSocket>());
            clients.back()->connectToHost(QHostAddress::LocalHost, listener.serverPort());
            if (!clients.back()->waitForConnected(5000))
                return false;
            QElapsedTimer timer;
            timer.start();
            while (int(listener.accepted.size()) <= i && timer.elapsed() < 5000)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        }
        return int(listener.accepted.size()) == count;
    }
};

/// Keeps accepted connections as bare descriptors, as the gate's accept
/// loop has them before any socket exists.
class DescriptorListener : public QTcpServer
{
public:
    std::vector<qintptr> accepted;
    ~DescriptorListener() override
    {
        for (qintptr descriptor : accepted)
            ::close(int(descriptor));
    }

protected:
    void incomingConnection(qintptr descriptor) override { accepted.push_back(descriptor); }
};

/// Reads exactly `length` bytes from a non-blocking descriptor.
QByteArray readExactly(qintptr descriptor, int length)
{
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (data.size() < length && timer.elapsed() < 5000) {
        pollfd readable { int(descriptor), POLLIN, 0 };
        ::poll(&readable, 1, 100);
        char buffer[512];
        const ssize_t got = ::recv(int(descriptor), buffer,
                                   size_t(qMin<qsizetype>(sizeof buffer, length - data.size())), 0);
        if (got > 0)
            data.append(buffer, got);
    }
    return data;
}

} // namespace

class TestWebSocketUpgrader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void upgradesAskedFromReadyReadComeBack_data();
    void upgradesAskedFromReadyReadComeBack();
    void connectionsThatEndAreNeverDelivered_data();
    void connectionsThatEndAreNeverDelivered();
    void destroyedWithSocketsOnTheirWay_data();
    void destroyedWithSocketsOnTheirWay();
    void descriptorsBecomeSocketsOnTheirLane_data();
    void descriptorsBecomeSocketsOnTheirLane();
    void descriptorWithoutSocketIsAbandoned();
};

void TestWebSocketUpgrader::upgradesAskedFromReadyReadComeBack_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("on the asking thread") << 0;
    QTest::newRow("one upgrade thread") << 1;
    QTest::newRow("three upgrade threads") << 3;
}

void TestWebSocketUpgrader::upgradesAskedFromReadyReadComeBack()
{
    QFETCH(int, threads);
    constexpr int Count = 150;
    struct Delivered
    {
        std::unique_ptr<QWebSocket> webSocket;
        std::unique_ptr<QTcpSocket> tcp;
    };
    std::map<quint64, Delivered> delivered; // by ticket
    int deliveredElsewhere = 0;
    WebSocketUpgrader upgrader(
        threads, {},
        [&](QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket) {
            if (webSocket->thread() != QThread::currentThread()
                || tcp->thread() != QThread::currentThread())
                ++deliveredElsewhere;
            Delivered &entry = delivered[ticket];
            entry.webSocket.reset(webSocket);
            entry.tcp.reset(tcp);
        },
        [](quint64) { QFAIL("nothing is abandoned"); });
    QCOMPARE(upgrader.threadCount(), threads);

    Connections connections;
    QVERIFY(connections.open(Count));
    QHash<quint64, quint16> clientPortOfTicket;
    int movedUnderTheSlot = 0;
    for (auto &accepted : connections.listener.accepted) {
        QTcpSocket *socket = accepted.release();
        const quint64 ticket = quint64(clientPortOfTicket.size() + 1);
        clientPortOfTicket.insert(ticket, socket->peerPort());
        // As the gate does: decide inside readyRead once the head is there.
        connect(socket, &QTcpSocket::readyRead, this, [&, socket, ticket] {
            if (!socket->peek(socket->bytesAvailable()).contains("\r\n\r\n"))
                return;
            disconnect(socket, nullptr, this, nullptr);
            upgrader.upgrade(socket, ticket);
            if (socket->thread() != QThread::currentThread())
                ++movedUnderTheSlot;
        });
    }
    connections.listener.accepted.clear();
    for (auto &client : connections.clients)
        client->write(MinimalUpgradeHead);

    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), size_t(Count), 15000);
    QCOMPARE(movedUnderTheSlot, 0);
    QCOMPARE(deliveredElsewhere, 0);
    for (const auto &[ticket, upgraded] : delivered) {
        // Each ticket came back with the connection it was given for.
        QCOMPARE(upgraded.webSocket->peerPort(), clientPortOfTicket.value(ticket));
        QCOMPARE(upgraded.webSocket->state(), QAbstractSocket::ConnectedState);
        // Trimmed of what a server's session never uses (memory per kiosk):
        // the shared proxy setting, and no forwarding of these signals.
        QCOMPARE(upgraded.webSocket->proxy().type(), QNetworkProxy::NoProxy);
        QVERIFY(!QObject::disconnect(upgraded.tcp.get(), &QAbstractSocket::bytesWritten,
                                     upgraded.webSocket.get(), &QWebSocket::bytesWritten));
        QVERIFY(!QObject::disconnect(upgraded.tcp.get(), &QAbstractSocket::readChannelFinished,
                                     upgraded.webSocket.get(), &QWebSocket::readChannelFinished));
    }
    // Every client has its 101.
    for (auto &client : connections.clients) {
        QTRY_VERIFY_WITH_TIMEOUT(client->bytesAvailable() > 0 || client->waitForReadyRead(50),
                                 5000);
        QVERIFY(client->readAll().startsWith("HTTP/1.1 101"));
    }
}

void TestWebSocketUpgrader::connectionsThatEndAreNeverDelivered_data()
{
    QTest::addColumn<bool>("serveWhileCutting");
    // Every head is read after its connection was cut: each ends before
    // or right after it is handed over.
    QTest::newRow("cut before the hand-over") << false;
    // Cut three heads later while being served: on the upgrade thread, on
    // the way back, or after delivery.
    QTest::newRow("cut around the hand-over") << true;
}

void TestWebSocketUpgrader::connectionsThatEndAreNeverDelivered()
{
    QFETCH(bool, serveWhileCutting);
    constexpr int Count = 120;
    int delivered = 0;
    WebSocketUpgrader upgrader(
        1, {},
        [&](QWebSocket *webSocket, QTcpSocket *tcp, quint64) {
            ++delivered;
            delete webSocket;
            delete tcp;
        },
        [](quint64) { QFAIL("nothing is abandoned"); });
    Connections connections;
    QVERIFY(connections.open(Count));
    QAtomicInt destroyed;
    int handedOver = 0;
    for (auto &accepted : connections.listener.accepted) {
        QTcpSocket *socket = accepted.release();
        new DeletionWitness(socket, &destroyed);
        connect(socket, &QTcpSocket::readyRead, this, [&, socket] {
            if (!socket->peek(socket->bytesAvailable()).contains("\r\n\r\n"))
                return;
            disconnect(socket, nullptr, this, nullptr);
            ++handedOver;
            upgrader.upgrade(socket, 1);
        });
        // Cut before its head was read (a reset may discard it): never
        // handed over, so the test's own.
        connect(socket, &QTcpSocket::disconnected, this, [socket] { socket->deleteLater(); });
    }
    connections.listener.accepted.clear();
    const int lag = 3;
    for (int i = 0; i < Count + lag; ++i) {
        if (i < Count) {
            connections.clients[size_t(i)]->write(MinimalUpgradeHead);
            connections.clients[size_t(i)]->flush();
        }
        if (i >= lag) {
            connections.clients[size_t(i - lag)]->abort();
            if (serveWhileCutting)
                QCoreApplication::processEvents();
        }
    }
    // Each connection handed over was either delivered (it ended after its
    // upgrade) or deleted by the upgrader: none is left behind.
    QTRY_COMPARE_WITH_TIMEOUT(destroyed.loadRelaxed(), Count, 10000);
    QVERIFY(handedOver > 0);
    QVERIFY(delivered <= handedOver);
    qInfo("%d of %d handed over, %d delivered", handedOver, Count, delivered);
}

void TestWebSocketUpgrader::destroyedWithSocketsOnTheirWay_data()
{
    QTest::addColumn<bool>("handedToLanes");
    QTest::newRow("still with the asker") << false;
    // On a lane's queue, upgrading there, or upgraded and on the way back.
    QTest::newRow("handed to the lanes") << true;
}

void TestWebSocketUpgrader::destroyedWithSocketsOnTheirWay()
{
    QFETCH(bool, handedToLanes);
    constexpr int Count = 40;
    int delivered = 0;
    auto upgrader = std::make_unique<WebSocketUpgrader>(
        2, QStringList {}, [&](QWebSocket *, QTcpSocket *, quint64) { ++delivered; },
        [](quint64) { QFAIL("nothing is abandoned"); });
    Connections connections;
    QVERIFY(connections.open(Count));
    for (auto &client : connections.clients) {
        client->write(MinimalUpgradeHead);
        client->flush();
    }
    QAtomicInt destroyed;
    for (auto &accepted : connections.listener.accepted) {
        QTcpSocket *socket = accepted.release();
        new DeletionWitness(socket, &destroyed);
        QVERIFY(socket->waitForReadyRead(5000) || socket->bytesAvailable() > 0);
        upgrader->upgrade(socket, 1);
    }
    connections.listener.accepted.clear();
    // Only the upgrader's own queued calls run here: the hand-overs, not
    // the deliveries that lanes post back meanwhile.
    if (handedToLanes)
        QCoreApplication::sendPostedEvents(upgrader.get(), QEvent::MetaCall);
    upgrader.reset();
    QCOMPARE(destroyed.loadRelaxed(), Count);
    QCOMPARE(delivered, 0);
    for (auto &client : connections.clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
}

void TestWebSocketUpgrader::descriptorsBecomeSocketsOnTheirLane_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("on the asking thread") << 0;
    QTest::newRow("three upgrade threads") << 3;
}

void TestWebSocketUpgrader::descriptorsBecomeSocketsOnTheirLane()
{
    QFETCH(int, threads);
    constexpr int Count = 60;
    // What the client sends: more than the upgrade is given in its place.
    const QByteArray clientHead
        = QByteArray(MinimalUpgradeHead)
              .replace("\r\n\r\n", "\r\nAuthorization: Bearer not-for-the-upgrade\r\n\r\n");
    QVERIFY(clientHead.size() > MinimalUpgradeHead.size());

    std::map<quint64, std::pair<std::unique_ptr<QWebSocket>, std::unique_ptr<QTcpSocket>>>
        delivered;
    QAtomicInt preparedAtHome; // on the thread the socket was made on
    QAtomicInt preparedHere; // on the asking thread
    QThread *const asker = QThread::currentThread();
    WebSocketUpgrader upgrader(
        threads, {},
        [&](QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket) {
            QCOMPARE(tcp->property("prepared").toULongLong(), ticket);
            delivered[ticket]
                = { std::unique_ptr<QWebSocket>(webSocket), std::unique_ptr<QTcpSocket>(tcp) };
        },
        [](quint64) { QFAIL("nothing is abandoned"); });

    DescriptorListener listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost));
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < Count; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, listener.serverPort());
        QVERIFY(clients.back()->waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(int(listener.accepted.size()), i + 1, 5000);
        clients.back()->write(clientHead);
        QVERIFY(clients.back()->waitForBytesWritten(5000) || clients.back()->bytesToWrite() == 0);
    }
    quint64 ticket = 0;
    for (qintptr descriptor : std::exchange(listener.accepted, {})) {
        // The gate read the head; the upgrade reads the one it is given.
        QCOMPARE(readExactly(descriptor, int(clientHead.size())), clientHead);
        ++ticket;
        upgrader.upgradeDescriptor(descriptor, MinimalUpgradeHead, ticket,
                                   [&, ticket](QTcpSocket *tcp) {
                                       if (tcp->thread() == QThread::currentThread())
                                           preparedAtHome.ref();
                                       if (QThread::currentThread() == asker)
                                           preparedHere.ref();
                                       tcp->setProperty("prepared", ticket);
                                   });
    }
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), size_t(Count), 15000);
    QCOMPARE(preparedAtHome.loadRelaxed(), Count);
    // With threads, no socket was made or prepared on the asking thread.
    QCOMPARE(preparedHere.loadRelaxed(), threads == 0 ? Count : 0);
    for (const auto &[ticketOf, upgraded] : delivered) {
        QCOMPARE(upgraded.first->thread(), QThread::currentThread());
        QCOMPARE(upgraded.second->thread(), QThread::currentThread());
        QCOMPARE(upgraded.first->state(), QAbstractSocket::ConnectedState);
    }
    for (auto &client : clients) {
        QTRY_VERIFY_WITH_TIMEOUT(client->bytesAvailable() > 0 || client->waitForReadyRead(50),
                                 5000);
        QVERIFY(client->readAll().startsWith("HTTP/1.1 101"));
    }
}

void TestWebSocketUpgrader::descriptorWithoutSocketIsAbandoned()
{
    QList<quint64> abandoned;
    int delivered = 0;
    WebSocketUpgrader upgrader(
        1, {}, [&](QWebSocket *, QTcpSocket *, quint64) { ++delivered; },
        [&](quint64 ticket) { abandoned.append(ticket); });
    // A descriptor that is not open: the one thing Qt refuses to make a
    // socket of (any open descriptor, even a pipe, it takes as connected).
    const int closed = ::fcntl(0, F_DUPFD, 900);
    QVERIFY(closed >= 900);
    ::close(closed);
    bool prepared = false;
    upgrader.upgradeDescriptor(closed, MinimalUpgradeHead, 7,
                               [&](QTcpSocket *) { prepared = true; });
    QTRY_COMPARE_WITH_TIMEOUT(abandoned, QList<quint64> { 7 }, 5000);
    QVERIFY(!prepared);
    QCOMPARE(delivered, 0);
}

QTEST_MAIN(TestWebSocketUpgrader)
#include "tst_websocketupgrader.moc"
