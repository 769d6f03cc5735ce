// GateListener's plain front over real loopback sockets: each accepted
// connection is offered as a bare descriptor with its peer's address as the
// rest of the server writes it (an IPv4 client of a dual-stack listener as
// plain IPv4), and one the front declines still arrives as a socket. On
// Linux a deferring listener offers a connection once its client has sent
// something, and a silent one only after the deferral.

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
    void deferredAcceptWaitsForTheFirstByte_data();
    void deferredAcceptWaitsForTheFirstByte();
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
    QVERIFY2(listener.listen(listenOn, 0, 128, 0, &error), qPrintable(error));

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

void TestGateListener::deferredAcceptWaitsForTheFirstByte_data()
{
    QTest::addColumn<int>("deferSecs");
    QTest::newRow("deferred") << 1;
    QTest::newRow("at once") << 0;
}

void TestGateListener::deferredAcceptWaitsForTheFirstByte()
{
#ifndef Q_OS_LINUX
    QSKIP("TCP_DEFER_ACCEPT is Linux's");
#else
    QFETCH(int, deferSecs);
    GateListener listener;
    QList<qintptr> offered;
    QList<qint64> offeredAtMs; // after the silent client connected
    QElapsedTimer sinceConnect;
    listener.setPlainFront([&](qintptr descriptor, const QString &) {
        offered.append(descriptor);
        offeredAtMs.append(sinceConnect.elapsed());
        return true;
    });
    QString error;
    QVERIFY2(listener.listen(QHostAddress::LocalHost, 0, 128, deferSecs, &error),
             qPrintable(error));

    QTcpSocket silent;
    sinceConnect.start();
    silent.connectToHost(QHostAddress::LocalHost, listener.serverPort());
    QVERIFY(silent.waitForConnected(2000));
    QTest::qWait(400);
    if (deferSecs > 0) {
        // Connected as far as the client can tell, yet not the gate's.
        QCOMPARE(offered.size(), 0);
        QTcpSocket talking;
        talking.connectToHost(QHostAddress::LocalHost, listener.serverPort());
        QVERIFY(talking.waitForConnected(2000));
        talking.write("GET /");
        QTRY_COMPARE_WITH_TIMEOUT(offered.size(), 1, 2000);
        // The kernel hands the silent one over once the deferral is up.
        QTRY_COMPARE_WITH_TIMEOUT(offered.size(), 2, 10000);
        qInfo("the silent connection was offered %lld ms after it connected", offeredAtMs.at(1));
    } else {
        QCOMPARE(offered.size(), 1);
        QVERIFY2(offeredAtMs.at(0) < 400, qPrintable(QString::number(offeredAtMs.at(0))));
    }
    for (qintptr descriptor : std::as_const(offered))
        ::close(int(descriptor));
#endif
}

QTEST_MAIN(TestGateListener)
#include "tst_gatelistener.moc"
