// Limits and switches of the gate: the per-address failure budget (429), the
// connection cap (503), the head timeout (408), non-browser clients and
// query tokens.

#include "ServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>

#include <memory>

class TestGateLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void failureBudgetPerAddress();
    void connectionCap();
    void headTimeout();
    void nonBrowserClientsCanBeRefused();
    void queryTokenWhenEnabled();
};

void TestGateLimits::failureBudgetPerAddress()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.failureBurst = 3;
    settings.failureRefillMs = 60'000;
    ServerFixture f(settings);
    const QByteArray good = f.issue(QStringLiteral("lobby-1"));
    const QByteArray bad = ServerFixture::upgrade("Authorization: Bearer not.a.token\r\n");
    const QHostAddress attacker(QStringLiteral("127.0.0.2"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(f.send(bad, attacker).status(), 401);
    const RawResponse limited = f.send(bad, attacker);
    QCOMPARE(limited.status(), 429);
    const int retryAfter = limited.value("Retry-After").toInt();
    QVERIFY2(retryAfter >= 1 && retryAfter <= 60, limited.value("Retry-After").constData());
    QVERIFY(limited.body.contains("too_many_failures"));
    // Even a valid token waits out the block: guessing costs time, not luck.
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + good + "\r\n"), attacker).status(), 429);
    // Another address is not affected.
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + good + "\r\n")).status(), 101);
    // Malformed requests (400) and unknown paths (404) do not spend budget.
    KioskGate::ServerSettings tight = ServerFixture::defaults();
    tight.failureBurst = 1;
    ServerFixture g(tight);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(g.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").status(), 404);
    QCOMPARE(g.send(ServerFixture::upgrade("Authorization: Bearer " + g.issue(QStringLiteral("k")) + "\r\n")).status(), 101);
}

void TestGateLimits::connectionCap()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.maxConnections = 2;
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    QList<QWebSocket *> clients;
    for (int i = 0; i < 2; ++i) {
        auto *ws = new QWebSocket;
        QNetworkRequest request{QUrl(f.url())};
        request.setRawHeader("Authorization", "Bearer " + token);
        ws->open(request);
        QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
        clients.append(ws);
    }
    const RawResponse full = f.send(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"));
    QCOMPARE(full.status(), 503);
    QVERIFY(full.body.contains("server_full"));
    QVERIFY(!full.value("Retry-After").isEmpty());
    // Room again once a kiosk leaves.
    const std::unique_ptr<QWebSocket> leaving(clients.takeFirst());
    leaving->close();
    QCOMPARE(f.sendUntil(101, ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"))
                 .status(),
             101);
    qDeleteAll(clients);
}

void TestGateLimits::headTimeout()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.headTimeoutMs = 300;
    ServerFixture f(settings);
    QElapsedTimer timer;
    timer.start();
    // A slowloris head that never ends.
    const RawResponse response = f.send("GET /v1/kiosk HTTP/1.1\r\nHost: x\r\n", QHostAddress::LocalHost, 5000);
    QCOMPARE(response.status(), 408);
    QVERIFY(response.body.contains("request_timeout"));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    // A silent client is cut off too.
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, f.port());
    QVERIFY(silent.waitForConnected(2000));
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 3000);
}

void TestGateLimits::nonBrowserClientsCanBeRefused()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.allowNonBrowserClients = false;
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    const RawResponse native = f.send(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"));
    QCOMPARE(native.status(), 403);
    QVERIFY(native.body.contains("non_browser_clients_disabled"));
    QCOMPARE(f.send(ServerFixture::upgrade("Origin: https://kiosk.example\r\nAuthorization: Bearer " + token + "\r\n"))
                 .status(), 101);
}

void TestGateLimits::queryTokenWhenEnabled()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.allowQueryToken = true;
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("legacy"));
    const RawResponse response =
        f.send(ServerFixture::upgrade("Origin: https://kiosk.example\r\n", "/v1/kiosk?access_token=" + token));
    QCOMPARE(response.status(), 101);
    // Without Origin, only the header transport is accepted, even here.
    QCOMPARE(f.send(ServerFixture::upgrade("", "/v1/kiosk?access_token=" + token)).status(), 403);
}

QTEST_GUILESS_MAIN(TestGateLimits)
#include "tst_gatelimits.moc"
