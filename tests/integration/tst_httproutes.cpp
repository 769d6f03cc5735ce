// Plain HTTP on the gate's port over real loopback sockets: the route table
// with POST and OPTIONS (405 with Allow, 404), body framing and limits, a
// body that comes late or never, and CORS preflights from allowed and
// foreign origins (no failure budget spent on them).

#include "HttpKit.h"
#include "ServerFixture.h"

#include <QTcpSocket>
#include <QtTest>

class TestHttpRoutes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void routeTable();
    void postBodies();
    void bodyArrivingLater();
    void bodyThatNeverArrives();
    void preflightAllowedOrigin();
    void preflightForeignOrigin();
};

void TestHttpRoutes::routeTable()
{
    ServerFixture f;
    struct Row
    {
        QByteArray request;
        int status;
        QByteArray allow;
    };
    const Row rows[] = {
        { "GET /v1/tickets HTTP/1.1\r\nHost: x\r\n\r\n", 405, "POST, OPTIONS" },
        { "PUT /v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405,
          "POST, OPTIONS" },
        { "POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405,
          "GET, HEAD, OPTIONS" },
        { "DELETE /kioskgate.js HTTP/1.1\r\nHost: x\r\n\r\n", 405, "GET, HEAD" },
        { "OPTIONS /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405, "GET, HEAD" },
        { "POST /v1/kiosk HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, "GET" },
        { "POST /v1/tickets/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404, {} },
        { "OPTIONS /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404, {} },
    };
    for (const Row &row : rows) {
        const RawResponse response = f.send(row.request);
        QVERIFY2(response.status() == row.status, response.all().constData());
        QCOMPARE(response.value("Allow"), row.allow);
    }
    // A plain OPTIONS (no Origin) is answered with the methods, no CORS.
    const RawResponse options = f.send("OPTIONS /v1/tickets HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(options.status(), 204);
    QCOMPARE(options.value("Allow"), QByteArray("POST, OPTIONS"));
    QVERIFY(!hasCorsHeader(options));
    QVERIFY(options.values("Content-Length").isEmpty());
}

void TestHttpRoutes::postBodies()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("body-1"));
    const QByteArray head = "POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
        + "\r\n" + origin(ServerFixture::AllowedOrigin);
    struct Row
    {
        QByteArray framing;
        QByteArray body;
        int status;
        QByteArray error;
    };
    const Row rows[] = {
        { "Content-Length: 1025\r\n", QByteArray(1025, 'x'), 413, "body_too_large" },
        { "Content-Length: 99999999\r\n", {}, 413, "body_too_large" },
        { "Transfer-Encoding: chunked\r\n", "0\r\n\r\n", 411, "length_required" },
        { "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n", 400,
          "malformed_request" },
        { "Content-Length: 5\r\nContent-Length: 5\r\n", "hello", 400, "malformed_request" },
        { "Content-Length: -1\r\n", {}, 400, "malformed_request" },
        { "Content-Length: 0x10\r\n", {}, 400, "malformed_request" },
        { "Content-Length: 1024\r\n", QByteArray(1024, 'x'), 200, {} },
        { "Content-Length: 2\r\n", "{}", 200, {} },
        { "", {}, 200, {} }, // no framing header: no body (curl -X POST)
    };
    for (const Row &row : rows) {
        const RawResponse response = f.send(head + row.framing + "\r\n" + row.body);
        QVERIFY2(response.status() == row.status,
                 (row.framing + " -> " + response.all()).constData());
        if (!row.error.isEmpty())
            QCOMPARE(field(response, "error"), row.error);
        QVERIFY(!response.all().contains(token));
    }
}

void TestHttpRoutes::bodyArrivingLater()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("slow-body"));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, f.port());
    QVERIFY(socket.waitForConnected(3000));
    socket.write("POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
                 + origin(ServerFixture::AllowedOrigin) + "Content-Length: 4\r\n\r\nab");
    QVERIFY(socket.waitForBytesWritten(1000));
    // Nothing may come back while the body is incomplete.
    QVERIFY(!socket.waitForReadyRead(400));
    socket.write("cd");
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains("\r\n\r\n{") && timer.elapsed() < 5000) {
        socket.waitForReadyRead(100);
        answer += socket.readAll();
    }
    QVERIFY2(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer.constData());
}

void TestHttpRoutes::bodyThatNeverArrives()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.headTimeoutMs = 300;
    ServerFixture f(settings);
    const RawResponse response
        = f.send("POST /v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
                 QHostAddress::LocalHost, 5000);
    QCOMPARE(response.status(), 408);
    QCOMPARE(field(response, "error"), QByteArray("request_timeout"));
}

void TestHttpRoutes::preflightAllowedOrigin()
{
    ServerFixture f;
    for (const QByteArray &path : { QByteArray("/v1/tickets"), QByteArray("/v1/whoami") }) {
        const RawResponse response = f.send(
            "OPTIONS " + path + " HTTP/1.1\r\nHost: x\r\n" + origin(ServerFixture::AllowedOrigin)
            + "Access-Control-Request-Method: " + (path == "/v1/tickets" ? "POST" : "GET")
            + "\r\nAccess-Control-Request-Headers: authorization\r\n\r\n");
        QVERIFY2(response.status() == 204, response.all().constData());
        QCOMPARE(response.value("Access-Control-Allow-Origin"),
                 QByteArray(ServerFixture::AllowedOrigin));
        QCOMPARE(response.value("Vary"), QByteArray("Origin"));
        QCOMPARE(response.value("Access-Control-Allow-Methods"),
                 path == "/v1/tickets" ? QByteArray("POST") : QByteArray("GET, HEAD"));
        QVERIFY(response.value("Access-Control-Allow-Headers").split(',').first()
                == "authorization");
        QCOMPARE(response.value("Access-Control-Max-Age"), QByteArray("600"));
        QVERIFY(response.values("Access-Control-Allow-Credentials").isEmpty());
        QVERIFY(response.values("Content-Length").isEmpty()); // 204
        QVERIFY(response.body.isEmpty());
    }
}

void TestHttpRoutes::preflightForeignOrigin()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.failureBurst = 1;
    ServerFixture f(settings);
    for (const char *foreign : { "https://evil.example", "https://kiosk.example.evil.com", "null",
                                 "https://kiosk.example:443" }) {
        const RawResponse response
            = f.send("OPTIONS /v1/tickets HTTP/1.1\r\nHost: x\r\nOrigin: " + QByteArray(foreign)
                     + "\r\nAccess-Control-Request-Method: POST\r\n\r\n");
        QVERIFY2(response.status() == 403, response.all().constData());
        QCOMPARE(field(response, "error"), QByteArray("origin_not_allowed"));
        QVERIFY2(!hasCorsHeader(response), response.all().constData());
    }
    // Preflights carry no credential and spend no budget: with a budget of
    // one, four refused preflights still leave a real request its chance.
    const QByteArray token = f.issue(QStringLiteral("after-preflights"));
    QCOMPARE(f.send(postTicket(token, origin(ServerFixture::AllowedOrigin))).status(), 200);
    // The request itself from a foreign origin: 403, no CORS header.
    const RawResponse post = f.send(postTicket(token, origin("https://evil.example")));
    QCOMPARE(post.status(), 403);
    QVERIFY(!hasCorsHeader(post));
}

QTEST_MAIN(TestHttpRoutes)
#include "tst_httproutes.moc"
