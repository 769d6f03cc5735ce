// Live sessions with a real QWebSocket client: welcome, message limits,
// revocation (4403), expiry (4401), heartbeat and shutdown (1001).

#include "KioskClient.h"
#include "ServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>

class TestSessions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void welcomeAndStatus();
    void malformedMessagesAreAnswered();
    void messageTooBig();
    void binaryFramesCloseWith1008_data();
    void binaryFramesCloseWith1008();
    void revocationClosesWith4403();
    void expiryClosesWith4401();
    void deadPeerIsDropped();
    void shutdownClosesWith1001();
    void cutConnectionIsAbnormal1006();
};

void TestSessions::welcomeAndStatus()
{
    ServerFixture f;
    KioskClient client;
    client.open(f.url(), f.issue(QStringLiteral("lobby-1")));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    const QJsonObject welcome = client.messages.first();
    QCOMPARE(welcome.value(QStringLiteral("type")).toString(), QStringLiteral("welcome"));
    QCOMPARE(welcome.value(QStringLiteral("kiosk")).toString(), QStringLiteral("lobby-1"));
    QCOMPARE(welcome.value(QStringLiteral("session")).toString().size(), 16);

    client.socket.sendTextMessage(QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"1.2.3\",\"pageUrl\":\"https://kiosk.example/app\"}"));
    QTRY_VERIFY_WITH_TIMEOUT(!f.server().sessions().isEmpty()
                                 && f.server().sessions().first().clientVersion == QLatin1String("1.2.3"), 5000);
    const KioskGate::SessionInfo session = f.server().sessions().first();
    QCOMPARE(session.kiosk, QStringLiteral("lobby-1"));
    QCOMPARE(session.transport, QStringLiteral("header"));
    QCOMPARE(session.pageUrl, QStringLiteral("https://kiosk.example/app"));
    QCOMPARE(session.id, welcome.value(QStringLiteral("session")).toString());
}

void TestSessions::malformedMessagesAreAnswered()
{
    ServerFixture f;
    KioskClient client;
    client.open(f.url(), f.issue(QStringLiteral("lobby-1")));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    client.socket.sendTextMessage(QStringLiteral("{not json"));
    client.socket.sendTextMessage(QStringLiteral("{\"type\":\"launch-missiles\"}"));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 3, 5000);
    QCOMPARE(client.messages.at(1).value(QStringLiteral("error")).toString(), QStringLiteral("malformed_message"));
    QCOMPARE(client.messages.at(2).value(QStringLiteral("error")).toString(), QStringLiteral("unknown_type"));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestSessions::messageTooBig()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.maxFrameBytes = 4096;
    settings.maxMessageBytes = 4096;
    ServerFixture f(settings);
    KioskClient client;
    client.open(f.url(), f.issue(QStringLiteral("lobby-1")));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    client.socket.sendTextMessage(QString(8192, QLatin1Char('x')));
    QTRY_COMPARE_WITH_TIMEOUT(client.closeCode, 1009, 5000);
}

void TestSessions::binaryFramesCloseWith1008_data()
{
    QTest::addColumn<int>("frameSize");
    QTest::newRow("one frame") << 4096;
    QTest::newRow("fragmented") << 16; // the first of four frames is not final
}

void TestSessions::binaryFramesCloseWith1008()
{
    QFETCH(int, frameSize);
    ServerFixture f;
    KioskClient client;
    client.open(f.url(), f.issue(QStringLiteral("lobby-1")));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    client.socket.setOutgoingFrameSize(quint64(frameSize));
    client.socket.sendBinaryMessage(QByteArray(64, 'b'));
    QTRY_COMPARE_WITH_TIMEOUT(client.closeCode, 1008, 5000);
    QCOMPARE(client.closeReason, QStringLiteral("binary messages are not part of the protocol"));
}

void TestSessions::revocationClosesWith4403()
{
    ServerFixture f;
    QString jti;
    const QByteArray token = f.issue(QStringLiteral("lobby-1"), 0, {}, 0, true, &jti);
    KioskClient client;
    KioskClient bystander;
    client.open(f.url(), token);
    bystander.open(f.url(), f.issue(QStringLiteral("lobby-2")));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(bystander.messages.size(), 1, 5000);

    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(f.server().revokeTokens({jti}, QStringLiteral("token revoked")), 1);
    QTRY_COMPARE_WITH_TIMEOUT(client.closeCode, 4403, 1000);
    qInfo("closed %lld ms after the revocation", client.closedAtMs - start);
    QCOMPARE(client.socket.closeReason(), QStringLiteral("token revoked"));
    QCOMPARE(bystander.socket.state(), QAbstractSocket::ConnectedState);

    // And the token no longer gets in.
    QStringList revoked;
    QString error;
    QVERIFY(f.registry().revoke(jti, start / 1000, QStringLiteral("test"), &revoked, &error));
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n")).status(), 401);
}

void TestSessions::expiryClosesWith4401()
{
    ServerFixture f;
    KioskClient client;
    client.open(f.url(), f.issue(QStringLiteral("lobby-1"), 2));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(client.closeCode, 4401, 4000);
    QCOMPARE(client.socket.closeReason(), QStringLiteral("token expired"));
}

void TestSessions::deadPeerIsDropped()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.heartbeatIntervalMs = 200;
    settings.heartbeatMissesAllowed = 2;
    ServerFixture f(settings);
    // A raw socket completes the upgrade and then never answers a ping.
    QTcpSocket *raw = nullptr;
    const RawResponse response =
        f.send(ServerFixture::upgrade("Authorization: Bearer " + f.issue(QStringLiteral("mute")) + "\r\n"),
               QHostAddress::LocalHost, 5000, &raw);
    QCOMPARE(response.status(), 101);
    QTRY_COMPARE_WITH_TIMEOUT(f.server().sessions().size(), 1, 2000);
    QElapsedTimer timer;
    timer.start();
    QTRY_COMPARE_WITH_TIMEOUT(f.server().sessions().size(), 0, 3000);
    QVERIFY2(timer.elapsed() >= 300, "dropped before its heartbeats were missed");

    // A QWebSocket answers pings by itself and stays, with a round-trip time.
    KioskClient live;
    live.open(f.url(), f.issue(QStringLiteral("alive")));
    QTRY_COMPARE_WITH_TIMEOUT(live.messages.size(), 1, 5000);
    QTest::qWait(1000);
    QCOMPARE(live.socket.state(), QAbstractSocket::ConnectedState);
    QVERIFY(f.server().sessions().value(0).rttMs >= 0);
    delete raw;
}

void TestSessions::shutdownClosesWith1001()
{
    auto f = std::make_unique<ServerFixture>();
    KioskClient client;
    client.open(f->url(), f->issue(QStringLiteral("lobby-1")));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, 5000);
    // stop() blocks this thread while the network thread sends close frames,
    // so run it from the event loop and let the client answer meanwhile.
    QTimer::singleShot(0, [&f] { f->server().stop(); });
    QTRY_COMPARE_WITH_TIMEOUT(client.closeCode, 1001, 5000);
}

void TestSessions::cutConnectionIsAbnormal1006()
{
    ServerFixture f;
    QList<std::pair<QString, int>> closed;
    QObject::connect(&f.server(), &KioskGate::KioskServer::sessionClosed,
                     [&closed](const KioskGate::SessionInfo &s, int code, const QString &) { closed.append({s.kiosk, code}); });
    QList<int> batchCodes;
    QObject::connect(&f.server(), &KioskGate::KioskServer::sessionsChanged, [&batchCodes](const KioskGate::SessionBatch &b) {
        for (const KioskGate::SessionClosure &c : b.closed)
            batchCodes.append(c.closeCode);
    });

    // A raw upgraded connection cut without a close frame (a kiosk losing
    // power or its network): abnormal closure.
    QTcpSocket *raw = nullptr;
    const RawResponse response =
        f.send(ServerFixture::upgrade("Authorization: Bearer " + f.issue(QStringLiteral("cut")) + "\r\n"),
               QHostAddress::LocalHost, 5000, &raw);
    QCOMPARE(response.status(), 101);
    QTRY_COMPARE_WITH_TIMEOUT(f.server().sessions().size(), 1, 2000);
    raw->abort();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
    QCOMPARE(closed.at(0), std::make_pair(QStringLiteral("cut"), 1006));
    delete raw;

    // A QWebSocket aborted the same way.
    KioskClient aborted;
    aborted.open(f.url(), f.issue(QStringLiteral("aborted")));
    QTRY_COMPARE_WITH_TIMEOUT(aborted.messages.size(), 1, 5000);
    aborted.socket.abort();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 2, 5000);
    QCOMPARE(closed.at(1), std::make_pair(QStringLiteral("aborted"), 1006));

    // A kiosk that closes properly keeps its own code.
    KioskClient leaving;
    leaving.open(f.url(), f.issue(QStringLiteral("leaving")));
    QTRY_COMPARE_WITH_TIMEOUT(leaving.messages.size(), 1, 5000);
    leaving.socket.close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("page unloaded"));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 3, 5000);
    QCOMPARE(closed.at(2), std::make_pair(QStringLiteral("leaving"), 1001));
    KioskClient normal;
    normal.open(f.url(), f.issue(QStringLiteral("normal")));
    QTRY_COMPARE_WITH_TIMEOUT(normal.messages.size(), 1, 5000);
    normal.socket.close();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 4, 5000);
    QCOMPARE(closed.at(3), std::make_pair(QStringLiteral("normal"), 1000));
    // The batched feed (the window, the activity log) carries the same codes.
    QTRY_COMPARE_WITH_TIMEOUT(batchCodes, (QList<int>{1006, 1006, 1001, 1000}), 5000);
}

QTEST_GUILESS_MAIN(TestSessions)
#include "tst_sessions.moc"
