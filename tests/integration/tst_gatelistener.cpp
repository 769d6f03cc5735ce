// GateListener's plain front over real loopback sockets: each accepted
// connection is offered as a bare descriptor with its peer's address as the
// rest of the server writes it (an IPv4 client of a dual-stack listener as
// plain IPv4), and one the front declines still arrives as a socket.

#include "GateListener.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>
#include <unistd.h>

using namespace KioskGate;

class TestGateListener : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void plainFrontSeesEveryConnectionWithItsAddress_data();
    void plainFrontSeesEveryConnectionWithItsAddress();
};

void TestGateListener::plainFrontSeesEveryConnectionWithItsAddress_data()
{
    QTest::addColumn<QHostAddress>("listenOn");
    QTest::addColumn<QHostAddress>("client");
    QTest::addColumn<QString>("expected");
    QTest::newRow("IPv4") << QHostAddress(QHostAddress::LocalHost)
                          << QHostAddress(QHostAddress::LocalHost) << QStringLiteral("127.0.0.1");
    QTest::newRow("IPv6") << QHostAddress(QHostAddress::LocalHostIPv6)
                          << QHostAddress(QHostAddress::LocalHostIPv6) << QStringLiteral("::1");
    QTest::newRow("IPv4 on dual stack")
        << QHostAddress(QHostAddress::Any) << QHostAddress(QStringLiteral("127.0.0.2"))
        << QStringLiteral("127.0.0.2");
}

void TestGateListener::plainFrontSeesEveryConnectionWithItsAddress()
{
    QFETCH(QHostAddress, listenOn);
    QFETCH(QHostAddress, client);
    QFETCH(QString, expected);
    GateListener listener;
    QStringList offered;
    QList<qintptr> taken;
    // Takes every other connection, declines the rest.
    listener.setPlainFront([&](qintptr descriptor, const QString &address) {
        offered.append(address);
        if (offered.size() % 2 == 0)
            return false;
        taken.append(descriptor);
        return true;
    });
    QList<QTcpSocket *> sockets;
    connect(&listener, &GateListener::accepted, this,
            [&](QTcpSocket *socket) { sockets.append(socket); });
    QString error;
    QVERIFY2(listener.listen(listenOn, 0, 128, &error), qPrintable(error));

    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->bind(client, 0);
        clients.back()->connectToHost(client, listener.serverPort());
        QVERIFY(clients.back()->waitForConnected(2000));
        QTRY_COMPARE_WITH_TIMEOUT(offered.size(), i + 1, 2000);
    }
    QCOMPARE(offered, QStringList(4, expected));
    QCOMPARE(taken.size(), 2);
    QCOMPARE(sockets.size(), 2);
    for (QTcpSocket *socket : sockets) {
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(socket->peerPort(), clients[size_t(sockets.indexOf(socket) * 2 + 1)]->localPort());
    }
    // A taken descriptor is the front's: still the client's connection.
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(::write(int(taken[i]), "hi", 2), 2);
        QVERIFY(clients[size_t(i * 2)]->waitForReadyRead(2000));
        QCOMPARE(clients[size_t(i * 2)]->readAll(), QByteArray("hi"));
        ::close(int(taken[i]));
    }
}

QTEST_MAIN(TestGateListener)
#include "tst_gatelistener.moc"
