// One-time tickets, whoami and the client script over real loopback
// sockets: single use, expiry (a clock the test moves), origin binding,
// revocation after issue, caps, the failure budget, the ETag, and no ticket
// in any log line. The routes themselves (methods, bodies, preflights) are
// tst_httproutes.

#include "HttpKit.h"
#include "ServerFixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkRequest>
#include <QWebSocket>
#include <atomic>

namespace {

using KioskGate::Clock;

/// A clock the test thread moves while the network thread reads it.
class SteppingClock final : public Clock
{
public:
    SteppingClock() : m_nowMs(QDateTime::currentMSecsSinceEpoch()) {}
    qint64 nowMs() const override { return m_nowMs.load(); }
    void advanceSecs(qint64 secs) { m_nowMs += secs * 1000; }

private:
    std::atomic<qint64> m_nowMs;
};

// The repository: set by CTest, or found from this file's directory.
QString sourceDir()
{
    const QString fromEnv = qEnvironmentVariable("KIOSKGATE_SOURCE_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(QT_TESTCASE_SOURCEDIR "/../..") : fromEnv;
}

QByteArray whoami(const QByteArray &extra)
{
    return "GET /v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

QByteArray ticketUpgrade(const QByteArray &ticket, const QByteArray &extra)
{
    return ServerFixture::upgrade(extra, "/v1/kiosk?ticket=" + ticket);
}

// Every message any thread logs, so a test can look for secrets in them.
QMutex logMutex;
QStringList logLines;
QtMessageHandler previousHandler = nullptr;
void collectLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        logLines.append(message);
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

} // namespace

class TestTickets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void ticketIsSingleUse();
    void ticketExpires();
    void ticketIsBoundToOrigin();
    void ticketNeedsAnOriginAndTheHeader();
    void revokedAfterIssue();
    void whoamiSaysWhy();
    void whoamiAndTicketsSpendTheFailureBudget();
    void caps();
    void clientScript();
    void noTicketInLogs();

private:
    QByteArray issueTicket(ServerFixture &f, const QByteArray &token, const char *from);
    QStringList m_tickets; // every ticket handed out, for the log scan
};

void TestTickets::initTestCase()
{
    previousHandler = qInstallMessageHandler(collectLog);
}

QByteArray TestTickets::issueTicket(ServerFixture &f, const QByteArray &token, const char *from)
{
    const RawResponse response = f.send(postTicket(token, origin(from)));
    if (response.status() != 200) {
        qWarning("ticket refused: %s", response.all().constData());
        return {};
    }
    const QByteArray ticket = field(response, "ticket");
    m_tickets.append(QString::fromLatin1(ticket));
    return ticket;
}

void TestTickets::ticketIsSingleUse()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("single-use"));
    const RawResponse issued = f.send(postTicket(token, origin(ServerFixture::AllowedOrigin)));
    QVERIFY2(issued.status() == 200, issued.all().constData());
    QCOMPARE(issued.value("Content-Type"), QByteArray("application/json"));
    QCOMPARE(issued.value("Cache-Control"), QByteArray("no-store"));
    QCOMPARE(issued.value("Access-Control-Allow-Origin"), QByteArray(ServerFixture::AllowedOrigin));
    QCOMPARE(issued.value("Vary"), QByteArray("Origin"));
    QVERIFY(issued.values("Access-Control-Allow-Credentials").isEmpty());
    const QJsonObject body = jsonOf(issued);
    QCOMPARE(body.size(), 2);
    QCOMPARE(body.value(QStringLiteral("expiresIn")).toInt(), 30);
    const QByteArray ticket = body.value(QStringLiteral("ticket")).toString().toLatin1();
    m_tickets.append(QString::fromLatin1(ticket));
    QCOMPARE(ticket.size(), 43); // 32 bytes, base64url, unpadded
    QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]{43}$")).match(QString::fromLatin1(ticket)).hasMatch());
    QCOMPARE(QByteArray::fromBase64(ticket, QByteArray::Base64UrlEncoding).size(), 32);
    QVERIFY(!issued.all().contains(token));

    // Two tickets are never the same.
    const QByteArray second = issueTicket(f, token, ServerFixture::AllowedOrigin);
    QVERIFY(!second.isEmpty());
    QVERIFY(second != ticket);

    const RawResponse first = f.send(ticketUpgrade(ticket, origin(ServerFixture::AllowedOrigin)));
    QVERIFY2(first.statusLine.startsWith("HTTP/1.1 101"), first.all().constData());
    const RawResponse reuse = f.send(ticketUpgrade(ticket, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(reuse.status(), 401);
    QCOMPARE(field(reuse, "error"), QByteArray("invalid_token"));
    QCOMPARE(field(reuse, "reason"), QByteArray("invalid_ticket"));
    QCOMPARE(reuse.value("WWW-Authenticate"), QByteArray("Bearer error=\"invalid_token\""));
    QVERIFY(!reuse.all().contains(ticket));

    const QByteArray unknown = QByteArray(43, 'A');
    const RawResponse guessed = f.send(ticketUpgrade(unknown, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(guessed.status(), 401);
    QCOMPARE(field(guessed, "reason"), QByteArray("invalid_ticket"));

    // A live session opened with a ticket is a ticket session of its kiosk.
    const QByteArray third = issueTicket(f, token, ServerFixture::AllowedOrigin);
    QWebSocket socket;
    QNetworkRequest request{QUrl(f.url(QStringLiteral("/v1/kiosk?ticket=") + QString::fromLatin1(third)))};
    request.setRawHeader("Origin", ServerFixture::AllowedOrigin);
    socket.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 5000);
    QList<KioskGate::SessionInfo> sessions;
    QTRY_VERIFY_WITH_TIMEOUT((sessions = f.server().sessions()).size() == 1, 3000);
    QCOMPARE(sessions.first().kiosk, QStringLiteral("single-use"));
    QCOMPARE(sessions.first().transport, QStringLiteral("ticket"));
    socket.close();
}

void TestTickets::ticketExpires()
{
    SteppingClock clock;
    ServerFixture f(ServerFixture::defaults(), {}, &clock);
    // Issued on the server's (stepping) clock: with the wall clock, a second
    // boundary between the two would make the token "not yet valid".
    const QByteArray token = f.issue(QStringLiteral("late"), 0, {}, clock.nowMs());
    const QByteArray onTime = issueTicket(f, token, ServerFixture::AllowedOrigin);
    const QByteArray late = issueTicket(f, token, ServerFixture::AllowedOrigin);
    QVERIFY(!onTime.isEmpty() && !late.isEmpty());

    clock.advanceSecs(29);
    const RawResponse ok = f.send(ticketUpgrade(onTime, origin(ServerFixture::AllowedOrigin)));
    QVERIFY2(ok.statusLine.startsWith("HTTP/1.1 101"), ok.all().constData());

    clock.advanceSecs(1); // 30 s after issue: dead
    const RawResponse refused = f.send(ticketUpgrade(late, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(refused.status(), 401);
    QCOMPARE(field(refused, "reason"), QByteArray("invalid_ticket"));

    // A ticket never outlives its token: 10 s left on the token, 10 s ticket.
    const QByteArray shortToken = f.issue(QStringLiteral("short"), 10, {}, clock.nowMs());
    const RawResponse issued = f.send(postTicket(shortToken, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(issued.status(), 200);
    // (the token's exp is whole seconds, the clock is not: 9.x s remain)
    const int expiresIn = jsonOf(issued).value(QStringLiteral("expiresIn")).toInt();
    QVERIFY2(expiresIn == 9 || expiresIn == 10, qPrintable(QString::number(expiresIn)));
    m_tickets.append(QString::fromLatin1(field(issued, "ticket")));
    clock.advanceSecs(10);
    const RawResponse afterToken =
        f.send(ticketUpgrade(field(issued, "ticket"), origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(afterToken.status(), 401);
}

void TestTickets::ticketIsBoundToOrigin()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("bound"));
    const QByteArray ticket = issueTicket(f, token, ServerFixture::AllowedOrigin);
    QVERIFY(!ticket.isEmpty());
    // Another allowed origin: 401 invalid_ticket, and the ticket is spent.
    const RawResponse other = f.send(ticketUpgrade(ticket, origin(ServerFixture::OtherAllowedOrigin)));
    QCOMPARE(other.status(), 401);
    QCOMPARE(field(other, "reason"), QByteArray("invalid_ticket"));
    const RawResponse afterwards = f.send(ticketUpgrade(ticket, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(afterwards.status(), 401);

    // A foreign origin is refused before the ticket is looked at (and so
    // does not burn it); no Origin at all is 403 for any browser transport.
    const QByteArray kept = issueTicket(f, token, ServerFixture::AllowedOrigin);
    const RawResponse foreign = f.send(ticketUpgrade(kept, origin("https://evil.example")));
    QCOMPARE(foreign.status(), 403);
    QCOMPARE(field(foreign, "error"), QByteArray("origin_not_allowed"));
    const RawResponse none = f.send(ticketUpgrade(kept, {}));
    QCOMPARE(none.status(), 403);
    QCOMPARE(field(none, "error"), QByteArray("origin_required"));
    const RawResponse good = f.send(ticketUpgrade(kept, origin(ServerFixture::AllowedOrigin)));
    QVERIFY2(good.statusLine.startsWith("HTTP/1.1 101"), good.all().constData());

    // A token bound to other origins gets no ticket for this one.
    const QByteArray narrow =
        f.issue(QStringLiteral("narrow"), 0, {QString::fromLatin1(ServerFixture::OtherAllowedOrigin)});
    const RawResponse refused = f.send(postTicket(narrow, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(refused.status(), 403);
    QCOMPARE(field(refused, "reason"), QByteArray("origin_not_bound_to_token"));
    QCOMPARE(refused.value("Access-Control-Allow-Origin"), QByteArray(ServerFixture::AllowedOrigin));
}

void TestTickets::ticketNeedsAnOriginAndTheHeader()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("native"));
    const RawResponse native = f.send(postTicket(token));
    QCOMPARE(native.status(), 403);
    QCOMPARE(field(native, "error"), QByteArray("origin_required"));
    QCOMPARE(field(native, "reason"), QByteArray("ticket_requires_origin"));

    // The subprotocol or a query token cannot ask for a ticket.
    const RawResponse viaQuery = f.send("POST /v1/tickets?ticket=abc HTTP/1.1\r\nHost: x\r\n"
                                        + origin(ServerFixture::AllowedOrigin) + "Content-Length: 0\r\n\r\n");
    QCOMPARE(viaQuery.status(), 401);
    QCOMPARE(field(viaQuery, "reason"), QByteArray("authorization_header_required"));
    const RawResponse viaProtocol =
        f.send("POST /v1/tickets HTTP/1.1\r\nHost: x\r\n" + origin(ServerFixture::AllowedOrigin)
               + "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer." + token + "\r\nContent-Length: 0\r\n\r\n");
    QCOMPARE(viaProtocol.status(), 401);
    QCOMPARE(field(viaProtocol, "reason"), QByteArray("authorization_header_required"));
}

void TestTickets::revokedAfterIssue()
{
    ServerFixture f;
    QString jti;
    const QByteArray token = f.issue(QStringLiteral("revoked-later"), 0, {}, 0, true, &jti);
    const QByteArray ticket = issueTicket(f, token, ServerFixture::AllowedOrigin);
    QVERIFY(!ticket.isEmpty());
    f.server().revokeTokens({jti}, QStringLiteral("test"));
    const RawResponse refused = f.send(ticketUpgrade(ticket, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(refused.status(), 401);
    QVERIFY(!refused.statusLine.startsWith("HTTP/1.1 101"));
    // And no new ticket for it.
    const RawResponse again = f.send(postTicket(token, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(again.status(), 401);
    QCOMPARE(field(again, "error"), QByteArray("revoked_token"));

    // A session opened with a ticket just before the revoke closes with 4403
    // like any other.
    QString liveJti;
    const QByteArray live = f.issue(QStringLiteral("live"), 0, {}, 0, true, &liveJti);
    const QByteArray liveTicket = issueTicket(f, live, ServerFixture::AllowedOrigin);
    QWebSocket socket;
    int closeCode = -1;
    QObject::connect(&socket, &QWebSocket::disconnected, [&] { closeCode = int(socket.closeCode()); });
    QNetworkRequest request{QUrl(f.url(QStringLiteral("/v1/kiosk?ticket=") + QString::fromLatin1(liveTicket)))};
    request.setRawHeader("Origin", ServerFixture::AllowedOrigin);
    socket.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 5000);
    f.server().revokeTokens({liveJti}, QStringLiteral("test"));
    QTRY_COMPARE_WITH_TIMEOUT(closeCode, 4403, 5000);
}

void TestTickets::whoamiSaysWhy()
{
    ServerFixture f;
    QString jti;
    const QByteArray token = f.issue(QStringLiteral("who-1"), 3600, {}, 0, true, &jti);
    const QByteArray allowed = origin(ServerFixture::AllowedOrigin);

    const RawResponse ok = f.send(whoami("Authorization: Bearer " + token + "\r\n" + allowed));
    QVERIFY2(ok.status() == 200, ok.all().constData());
    const QJsonObject me = jsonOf(ok);
    QCOMPARE(me.value(QStringLiteral("kiosk")).toString(), QStringLiteral("who-1"));
    QCOMPARE(me.value(QStringLiteral("jti")).toString(), jti);
    QCOMPARE(me.value(QStringLiteral("origin")).toString(), QString::fromLatin1(ServerFixture::AllowedOrigin));
    const QDateTime expires = QDateTime::fromString(me.value(QStringLiteral("expiresAt")).toString(), Qt::ISODate);
    QVERIFY(expires.isValid());
    QVERIFY(qAbs(expires.toSecsSinceEpoch() - QDateTime::currentSecsSinceEpoch() - 3600) < 60);
    QCOMPARE(ok.value("Access-Control-Allow-Origin"), QByteArray(ServerFixture::AllowedOrigin));
    QCOMPARE(ok.value("Cache-Control"), QByteArray("no-store"));

    // A native client: no Origin, no CORS, origin null; a token without exp.
    const QByteArray noExpiry = f.issue(QStringLiteral("who-2"));
    const RawResponse native = f.send(whoami("Authorization: Bearer " + noExpiry + "\r\n"));
    QCOMPARE(native.status(), 200);
    QVERIFY(jsonOf(native).value(QStringLiteral("origin")).isNull());
    QVERIFY(jsonOf(native).value(QStringLiteral("expiresAt")).isNull());
    QVERIFY(!hasCorsHeader(native));
    // HEAD: same head, no body.
    const RawResponse head = f.send("HEAD /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + noExpiry + "\r\n\r\n");
    QCOMPARE(head.status(), 200);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(head.value("Content-Length"), native.value("Content-Length"));

    QList<QByteArray> parts = token.split('.');
    parts[2][5] = parts[2][5] == 'A' ? 'B' : 'A';
    const QByteArray tampered = parts.join('.');
    const QByteArray narrow =
        f.issue(QStringLiteral("who-narrow"), 0, {QString::fromLatin1(ServerFixture::OtherAllowedOrigin)});
    struct Row
    {
        QByteArray headers;
        int status;
        QByteArray error;
        QByteArray reason;
        bool cors;
    };
    const Row rows[] = {
        {allowed, 401, "missing_token", {}, true},
        {"Authorization: Basic abc\r\n" + allowed, 401, "invalid_token", "unsupported_scheme", true},
        {"Authorization: Bearer " + tampered + "\r\n" + allowed, 401, "invalid_token", "bad_signature", true},
        {"Authorization: Bearer " + narrow + "\r\n" + allowed, 403, "origin_not_allowed", "origin_not_bound_to_token", true},
        {"Authorization: Bearer " + narrow + "\r\n", 403, "origin_required", "token_bound_to_origins", false},
        {"Authorization: Bearer " + token + "\r\nOrigin: https://evil.example\r\n", 403, "origin_not_allowed", {}, false},
        {"Authorization: Bearer " + token + "\r\nAuthorization: Bearer " + token + "\r\n", 400, "ambiguous_token",
         "repeated_authorization", false},
    };
    for (const Row &row : rows) {
        const RawResponse response = f.send(whoami(row.headers));
        QVERIFY2(response.status() == row.status, response.all().constData());
        QCOMPARE(field(response, "error"), row.error);
        QCOMPARE(field(response, "reason"), row.reason);
        QCOMPARE(hasCorsHeader(response), row.cors);
        if (row.status == 401) {
            QCOMPARE(response.value("WWW-Authenticate"), QByteArray("Bearer error=\"invalid_token\""));
            QVERIFY(response.value("Access-Control-Expose-Headers").contains("WWW-Authenticate"));
        }
        QVERIFY(!response.all().contains(token));
    }

    f.server().revokeTokens({jti}, QStringLiteral("test"));
    const RawResponse revoked = f.send(whoami("Authorization: Bearer " + token + "\r\n" + allowed));
    QCOMPARE(revoked.status(), 401);
    QCOMPARE(field(revoked, "error"), QByteArray("revoked_token"));
    QCOMPARE(field(revoked, "reason"), QByteArray("revoked"));
}

void TestTickets::whoamiAndTicketsSpendTheFailureBudget()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.failureBurst = 2;
    settings.failureRefillMs = 600000;
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("budget"));
    const QByteArray allowed = origin(ServerFixture::AllowedOrigin);
    QCOMPARE(f.send(whoami("Authorization: Bearer x.y.z\r\n" + allowed)).status(), 401);
    QCOMPARE(f.send(postTicket("x.y.z", allowed)).status(), 401);
    // Budget spent: even a good token is refused before it is looked at, and
    // the handshake sees the same budget.
    const RawResponse blocked = f.send(whoami("Authorization: Bearer " + token + "\r\n" + allowed));
    QCOMPARE(blocked.status(), 429);
    QCOMPARE(field(blocked, "error"), QByteArray("too_many_failures"));
    QVERIFY(blocked.value("Retry-After").toInt() >= 1);
    QCOMPARE(blocked.value("Access-Control-Allow-Origin"), QByteArray(ServerFixture::AllowedOrigin));
    QCOMPARE(f.send(postTicket(token, allowed)).status(), 429);
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n")).status(), 429);
    // Another address is unaffected.
    QCOMPARE(f.send(whoami("Authorization: Bearer " + token + "\r\n"), QHostAddress(QStringLiteral("127.0.0.2"))).status(),
             200);
}

void TestTickets::caps()
{
    KioskGate::ServerSettings settings = ServerFixture::defaults();
    settings.maxTicketsPerToken = 2;
    settings.maxTickets = 3;
    ServerFixture f(settings);
    const QByteArray a = f.issue(QStringLiteral("cap-a"));
    const QByteArray b = f.issue(QStringLiteral("cap-b"));
    const QByteArray a1 = issueTicket(f, a, ServerFixture::AllowedOrigin);
    QVERIFY(!a1.isEmpty());
    QVERIFY(!issueTicket(f, a, ServerFixture::AllowedOrigin).isEmpty());
    const RawResponse perToken = f.send(postTicket(a, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(perToken.status(), 429);
    QCOMPARE(field(perToken, "error"), QByteArray("too_many_tickets"));
    const int retryAfter = perToken.value("Retry-After").toInt();
    QVERIFY2(retryAfter >= 1 && retryAfter <= 30, perToken.all().constData());
    QCOMPARE(perToken.value("Access-Control-Allow-Origin"), QByteArray(ServerFixture::AllowedOrigin));

    QVERIFY(!issueTicket(f, b, ServerFixture::AllowedOrigin).isEmpty());
    const RawResponse overall = f.send(postTicket(b, origin(ServerFixture::AllowedOrigin)));
    QCOMPARE(overall.status(), 503);
    QCOMPARE(field(overall, "error"), QByteArray("server_full"));
    QCOMPARE(field(overall, "reason"), QByteArray("too_many_tickets"));

    // Redeeming a ticket frees its slot.
    QVERIFY(f.send(ticketUpgrade(a1, origin(ServerFixture::AllowedOrigin))).statusLine.startsWith("HTTP/1.1 101"));
    QVERIFY(!issueTicket(f, a, ServerFixture::AllowedOrigin).isEmpty());
}

void TestTickets::clientScript()
{
    ServerFixture f;
    QFile source(sourceDir() + QStringLiteral("/resources/client/kioskgate.js"));
    QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(source.fileName()));
    const QByteArray expected = source.readAll();

    const RawResponse js = f.send("GET /kioskgate.js HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(js.status(), 200);
    QCOMPARE(js.body, expected);
    QCOMPARE(js.value("Content-Type"), QByteArray("text/javascript; charset=utf-8"));
    QCOMPARE(js.value("X-Content-Type-Options"), QByteArray("nosniff"));
    QCOMPARE(js.values("Cache-Control"), QList<QByteArray>{"no-cache"});
    QCOMPARE(js.value("Access-Control-Allow-Origin"), QByteArray("*"));
    QCOMPARE(js.value("Content-Length").toInt(), expected.size());
    const QByteArray etag = js.value("ETag");
    QVERIFY2(etag.size() > 2 && etag.startsWith('"') && etag.endsWith('"'), etag.constData());

    const RawResponse notModified = f.send("GET /kioskgate.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
    QCOMPARE(notModified.status(), 304);
    QVERIFY(notModified.body.isEmpty());
    QVERIFY(notModified.values("Content-Length").isEmpty());
    QCOMPARE(notModified.value("ETag"), etag);
    QCOMPARE(notModified.value("Cache-Control"), QByteArray("no-cache"));
    QCOMPARE(f.send("GET /kioskgate.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"old\", W/" + etag + "\r\n\r\n").status(), 304);
    QCOMPARE(f.send("GET /kioskgate.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"old\"\r\n\r\n").status(), 200);

    const RawResponse head = f.send("HEAD /kioskgate.js?v=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(head.status(), 200);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(head.value("Content-Length").toInt(), expected.size());
    QCOMPARE(head.value("ETag"), etag);

    // The declarations are served when the repository has them.
    QFile types(sourceDir() + QStringLiteral("/resources/client/kioskgate.d.ts"));
    const RawResponse dts = f.send("GET /kioskgate.d.ts HTTP/1.1\r\nHost: x\r\n\r\n");
    if (types.open(QIODevice::ReadOnly)) {
        QCOMPARE(dts.status(), 200);
        QCOMPARE(dts.body, types.readAll());
    } else {
        QCOMPARE(dts.status(), 404);
    }
}

void TestTickets::noTicketInLogs()
{
    QVERIFY2(m_tickets.size() >= 10, qPrintable(QString::number(m_tickets.size())));
    QMutexLocker lock(&logMutex);
    QVERIFY(logLines.size() > 10);
    bool sawIssue = false;
    for (const QString &line : logLines) {
        sawIssue = sawIssue || line.contains(QLatin1String("ticket issued for kiosk"));
        for (const QString &ticket : m_tickets)
            QVERIFY2(ticket.isEmpty() || !line.contains(ticket), qPrintable(line));
    }
    QVERIFY(sawIssue);
}

QTEST_GUILESS_MAIN(TestTickets)
#include "tst_tickets.moc"
