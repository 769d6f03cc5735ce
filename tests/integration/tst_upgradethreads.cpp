// The WebSocket upgrade on threads of its own (server/upgrade_threads):
// sockets go to an upgrade thread and come back to the network thread. A
// whole fleet opens and leaves with each thread count, nothing a kiosk sends
// after its welcome is lost, connections that end mid-upgrade are not
// counted forever, and a server stopped with upgrades in flight closes them
// (under the sanitizers: without leaks or races). Heads that are already
// there when the gate accepts (a busy network thread) are decided at once
// from the bare descriptor, with every other kind of request beside them
// still taking its usual way.

#include "KioskClient.h"
#include "ServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <memory>
#include <vector>

namespace {

constexpr int Fleet = 60;

KioskGate::ServerSettings withUpgradeThreads(int threads)
{
    KioskGate::ServerSettings s = ServerFixture::defaults();
    s.upgradeThreads = threads;
    s.maxConnectionsPerToken = 1000;
    return s;
}

QByteArray upgradeHead(const QByteArray &token)
{
    return "GET /v1/kiosk HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
           "Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Authorization: Bearer "
        + token + "\r\n\r\n";
}

/// Sessions plus upgrades in flight, as /healthz reports them.
int connectionsReported(ServerFixture &f)
{
    const RawResponse response = f.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return QJsonDocument::fromJson(response.body)
        .object()
        .value(QStringLiteral("sessions"))
        .toInt(-1);
}

/// What a raw client got: the response head and whatever followed it
/// within a moment (a body, or the welcome frame behind a 101).
QByteArray readAnswer(QTcpSocket *client)
{
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (!data.contains("\r\n\r\n") && timer.elapsed() < 5000) {
        client->waitForReadyRead(50);
        data += client->readAll();
    }
    QElapsedTimer rest;
    rest.start();
    while (rest.elapsed() < 200 && client->state() == QAbstractSocket::ConnectedState) {
        client->waitForReadyRead(20);
        data += client->readAll();
    }
    return data + client->readAll();
}

/// Keeps the server's network thread asleep for `ms` from now.
void stallNetworkThread(ServerFixture &f, int ms)
{
    auto *sleeper = new QObject;
    sleeper->moveToThread(f.server().networkThread());
    QMetaObject::invokeMethod(
        sleeper,
        [sleeper, ms] {
            QThread::msleep(ms);
            sleeper->deleteLater();
        },
        Qt::QueuedConnection);
}

} // namespace

class TestUpgradeThreads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fleetOpensAndLeaves_data();
    void fleetOpensAndLeaves();
    void connectionsCutMidUpgradeAreUncounted_data();
    void connectionsCutMidUpgradeAreUncounted();
    void floodRightBehindTheHeadIsCutOff();
    void stopWithUpgradesInFlight();
    void headsAlreadyThereWhenAccepted_data();
    void headsAlreadyThereWhenAccepted();
};

void TestUpgradeThreads::fleetOpensAndLeaves_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("on the network thread") << 0;
    QTest::newRow("one upgrade thread") << 1;
    QTest::newRow("three upgrade threads") << 3;
}

void TestUpgradeThreads::fleetOpensAndLeaves()
{
    QFETCH(int, threads);
    ServerFixture f(withUpgradeThreads(threads));
    const QByteArray token = f.issue(QStringLiteral("hall"));
    std::vector<std::unique_ptr<KioskClient>> fleet;
    for (int i = 0; i < Fleet; ++i) {
        fleet.push_back(std::make_unique<KioskClient>());
        KioskClient *client = fleet.back().get();
        // Answers its welcome at once, as the kiosk page does: the session's
        // slots must already be connected on the network thread.
        QObject::connect(
            &client->socket, &QWebSocket::textMessageReceived, &client->socket, [client, i] {
                if (client->messages.size() == 1)
                    client->socket.sendTextMessage(
                        QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"v%1\"}").arg(i));
            });
        client->open(f.url(), token);
    }
    QTRY_COMPARE_WITH_TIMEOUT(f.server().sessions().size(), Fleet, 15000);
    for (const auto &client : fleet)
        QTRY_VERIFY_WITH_TIMEOUT(!client->kiosk.isEmpty(), 5000);
    // Every status arrived: each session reports its own kiosk's version.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QSet<QString> versions;
            for (const KioskGate::SessionInfo &session : f.server().sessions())
                versions.insert(session.clientVersion);
            return versions.size() == Fleet && !versions.contains(QString());
        }(),
        10000);
    QCOMPARE(connectionsReported(f), Fleet);

    for (const auto &client : fleet)
        client->socket.close();
    QTRY_COMPARE_WITH_TIMEOUT(f.server().sessions().size(), 0, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(connectionsReported(f), 0, 5000);
}

void TestUpgradeThreads::connectionsCutMidUpgradeAreUncounted_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("on the network thread") << 0;
    QTest::newRow("one upgrade thread") << 1;
}

void TestUpgradeThreads::connectionsCutMidUpgradeAreUncounted()
{
    // Each client sends a valid upgrade and resets the connection at once:
    // most are cut while their socket is on its way to, on, or back from an
    // upgrade thread. Whichever moment it was, the connection must leave the
    // counts (the cap and /healthz) once it is gone.
    QFETCH(int, threads);
    KioskGate::ServerSettings settings = withUpgradeThreads(threads);
    settings.maxConnectionsPerAddress = 60;
    ServerFixture f(settings);
    const QByteArray head = upgradeHead(f.issue(QStringLiteral("hall")));
    int cut = 0;
    // Each client is reset `lag` heads after its own was sent: 0 cuts most
    // before the gate has read the head, larger lags cut later and later
    // into the upgrade and the hand-back.
    for (const int lag : { 0, 1, 2, 4, 8, 16, 32 }) {
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < 60; ++i) {
            clients.push_back(std::make_unique<QTcpSocket>());
            clients.back()->connectToHost(QHostAddress::LocalHost, f.port());
        }
        for (auto &client : clients)
            QVERIFY(client->waitForConnected(5000));
        for (int i = 0; i < int(clients.size()) + lag; ++i) {
            if (i < int(clients.size())) {
                clients[i]->write(head);
                clients[i]->flush();
            }
            if (i - lag >= 0) {
                clients[i - lag]->abort();
                ++cut;
            }
        }
    }
    QCOMPARE(cut, 7 * 60);
    QTRY_COMPARE_WITH_TIMEOUT(connectionsReported(f), 0, 10000);
    // Had even one cut connection stayed counted for its address, the
    // per-address cap (60) would now refuse one of these 60 with 429.
    const QByteArray token = f.issue(QStringLiteral("after"));
    std::vector<std::unique_ptr<KioskClient>> fleet;
    for (int i = 0; i < 60; ++i) {
        fleet.push_back(std::make_unique<KioskClient>());
        fleet.back()->open(f.url(), token);
    }
    for (const auto &kiosk : fleet)
        QTRY_COMPARE_WITH_TIMEOUT(kiosk->kiosk, QStringLiteral("after"), 5000);
}

void TestUpgradeThreads::floodRightBehindTheHeadIsCutOff()
{
    // Bytes pouring in behind the upgrade request are charged to the
    // connection's inbound budget wherever the socket is at that moment
    // (the network thread, the upgrade thread, or a session): it is cut
    // off, and nothing of it stays counted.
    KioskGate::ServerSettings settings = withUpgradeThreads(1);
    settings.inboundBytesPerSecond = 1024;
    settings.inboundByteBurst = 1024;
    ServerFixture f(settings);
    const QByteArray head = upgradeHead(f.issue(QStringLiteral("hall")));
    const QByteArray junk(16 * 1024, 'x');
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *client = clients.back().get();
        client->connectToHost(QHostAddress::LocalHost, f.port());
        QVERIFY(client->waitForConnected(5000));
        client->write(head);
        for (int k = 0; k < 8; ++k)
            client->write(junk);
        client->flush();
    }
    for (auto &client : clients) {
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 10000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(connectionsReported(f), 0, 5000);
    QCOMPARE(f.server().sessions().size(), 0);
}

void TestUpgradeThreads::stopWithUpgradesInFlight()
{
    KioskGate::ServerSettings settings = withUpgradeThreads(2);
    // The silent connection below must be the gate's when it stops: with
    // the kernel's deferral it would still be waiting there, unaccepted.
    settings.deferAcceptSecs = 0;
    auto f = std::make_unique<ServerFixture>(settings);
    const QByteArray head = upgradeHead(f->issue(QStringLiteral("hall")));
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 200; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, f->port());
    }
    for (auto &client : clients) {
        QVERIFY(client->waitForConnected(5000));
        client->write(head);
        client->flush();
    }
    // And heads the gate still waits for: none yet (a bare descriptor) and
    // half of one (a socket).
    for (const QByteArray &part : { QByteArray(), head.left(30) }) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, f->port());
        QVERIFY(clients.back()->waitForConnected(5000));
        clients.back()->write(part);
        clients.back()->flush();
    }
    QTest::qWait(300); // accepted and waited for by now
    // Some upgrades are done, some on an upgrade thread, some not started.
    QTRY_VERIFY_WITH_TIMEOUT(!f->server().sessions().isEmpty(), 5000);
    f->server().stop();
    QVERIFY(!f->server().isRunning());
    f.reset();
    // Every connection was closed by the server, none left open.
    for (auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
}

void TestUpgradeThreads::headsAlreadyThereWhenAccepted_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("on the network thread") << 0;
    QTest::newRow("one upgrade thread") << 1;
}

void TestUpgradeThreads::headsAlreadyThereWhenAccepted()
{
    QFETCH(int, threads);
    ServerFixture f(withUpgradeThreads(threads));
    const QByteArray token = f.issue(QStringLiteral("hall"));
    const QByteArray head = upgradeHead(token);
    const QByteArray badHead = upgradeHead(QByteArray(token).replace(token.size() - 4, 4, "AAAA"));
    // While the network thread sleeps, the kernel completes the connections
    // and takes their heads: the gate finds each head there as it accepts.
    stallNetworkThread(f, 400);
    QTest::qWait(50);
    auto connectTo = [&f] {
        auto client = std::make_unique<QTcpSocket>();
        client->connectToHost(QHostAddress::LocalHost, f.port());
        return client;
    };
    std::vector<std::unique_ptr<QTcpSocket>> kiosks;
    for (int i = 0; i < 20; ++i)
        kiosks.push_back(connectTo());
    auto forged = connectTo(); // a token with a broken signature
    auto health = connectTo(); // another path on the same port
    auto halfHead = connectTo(); // the rest of its head comes later
    auto silent = connectTo(); // its whole head comes later
    for (auto &kiosk : kiosks) {
        QVERIFY(kiosk->waitForConnected(2000));
        kiosk->write(head);
        kiosk->flush();
    }
    for (QTcpSocket *client : { forged.get(), health.get(), halfHead.get(), silent.get() })
        QVERIFY(client->waitForConnected(2000));
    forged->write(badHead);
    health->write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    halfHead->write(head.left(40));
    for (QTcpSocket *client : { forged.get(), health.get(), halfHead.get() })
        client->flush();

    for (auto &kiosk : kiosks) {
        const QByteArray answer = readAnswer(kiosk.get());
        QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
        QVERIFY2(answer.contains("\"type\":\"welcome\",\"kiosk\":\"hall\""), answer.constData());
    }
    const QByteArray refused = readAnswer(forged.get());
    QVERIFY2(refused.startsWith("HTTP/1.1 401"), refused.constData());
    QVERIFY(refused.contains("invalid_token"));
    QVERIFY(!refused.contains(token.left(token.size() - 4)));
    const QByteArray healthz = readAnswer(health.get());
    QVERIFY2(healthz.startsWith("HTTP/1.1 200"), healthz.constData());
    halfHead->write(head.mid(40));
    silent->write(head);
    for (QTcpSocket *late : { halfHead.get(), silent.get() }) {
        const QByteArray answer = readAnswer(late);
        QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
    }
    QTRY_COMPARE_WITH_TIMEOUT(f.server().sessions().size(), 22, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(connectionsReported(f), 22, 5000);
    kiosks.clear();
    halfHead.reset();
    silent.reset();
    QTRY_COMPARE_WITH_TIMEOUT(connectionsReported(f), 0, 5000);
}

QTEST_MAIN(TestUpgradeThreads)
#include "tst_upgradethreads.moc"
