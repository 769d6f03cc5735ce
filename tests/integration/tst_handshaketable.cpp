// Every row of the handshake table in docs/protocol.md, over a real loopback
// socket, asserting the exact status line, headers and error code.

#include "ServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace {

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray errorOf(const RawResponse &response)
{
    return QJsonDocument::fromJson(response.body).object().value(QStringLiteral("error")).toString().toLatin1();
}

} // namespace

class TestHandshakeTable : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void table_data();
    void table();
    void subprotocolAnswerIsSingleAndClean();
    void healthz();
    void headTooLarge();

private:
    QByteArray token(const QString &kind);
    std::unique_ptr<ServerFixture> m_fixture;
    QByteArray m_good;
};

void TestHandshakeTable::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>();
    m_good = m_fixture->issue(QStringLiteral("lobby-1"));
    QVERIFY(!m_good.isEmpty());
}

void TestHandshakeTable::cleanupTestCase()
{
    m_fixture.reset();
}

QByteArray TestHandshakeTable::token(const QString &kind)
{
    ServerFixture &f = *m_fixture;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (kind == QLatin1String("good"))
        return m_good;
    if (kind == QLatin1String("tampered")) {
        QList<QByteArray> parts = m_good.split('.');
        QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding)).object();
        claims.insert(QStringLiteral("sub"), QStringLiteral("admin"));
        parts[1] = b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        return parts.join('.');
    }
    if (kind == QLatin1String("alg-none")) {
        const QList<QByteArray> parts = m_good.split('.');
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + '.' + parts[1] + '.';
    }
    if (kind == QLatin1String("expired"))
        return f.issue(QStringLiteral("old"), 60, {}, now - 3'600'000);
    if (kind == QLatin1String("not-yet-valid"))
        return f.issue(QStringLiteral("future"), 0, {}, now + 3'600'000);
    if (kind == QLatin1String("unrecorded"))
        return f.issue(QStringLiteral("ghost"), 0, {}, 0, false);
    if (kind == QLatin1String("revoked")) {
        QString jti;
        const QByteArray t = f.issue(QStringLiteral("gone"), 0, {}, 0, true, &jti);
        QStringList revoked;
        QString error;
        f.registry().revoke(jti, now / 1000, QStringLiteral("test"), &revoked, &error);
        return t;
    }
    if (kind == QLatin1String("unknown-kid")) {
        KioskGate::SigningKeyRing other;
        other.addKey(QStringLiteral("feedfeedfeed"), KioskGate::SigningKeyRing::generateKey());
        other.setCurrentKeyId(QStringLiteral("feedfeedfeed"));
        KioskGate::SystemClock clock;
        KioskGate::TokenService service(&other, &clock, f.issuer(), QStringLiteral("kioskgate"));
        KioskGate::IssuedToken issued;
        QString error;
        service.issue({QStringLiteral("lobby-1"), 0, {}}, &issued, &error);
        return issued.token;
    }
    if (kind == QLatin1String("bound-other"))
        return f.issue(QStringLiteral("bound"), 0, {QString::fromLatin1(ServerFixture::OtherAllowedOrigin)});
    return {};
}

void TestHandshakeTable::table_data()
{
    QTest::addColumn<QByteArray>("request"); // {T} stands for the token
    QTest::addColumn<QString>("tokenKind");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("error");
    QTest::addColumn<QByteArray>("header"); // "Name: value" that must be present

    const QByteArray allowed = "Origin: https://kiosk.example\r\n";
    const QByteArray sub = "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.{T}\r\n";
    const QByteArray bearer = "Authorization: Bearer {T}\r\n";
    const QByteArray www = "WWW-Authenticate: Bearer error=\"invalid_token\"";
    auto U = [](const QByteArray &h, const QByteArray &target = "/v1/kiosk") { return ServerFixture::upgrade(h, target); };

    QTest::newRow("101 header, native client") << U(bearer) << "good" << 101 << QByteArray() << QByteArray("Upgrade: websocket");
    QTest::newRow("101 header, allowed origin") << U(allowed + bearer) << "good" << 101 << QByteArray() << QByteArray("Connection: Upgrade");
    QTest::newRow("101 subprotocol, allowed origin") << U(allowed + sub) << "good" << 101 << QByteArray() << QByteArray("Sec-WebSocket-Protocol: kioskgate.v1");

    QTest::newRow("400 garbage") << QByteArray("HELLO\r\n\r\n") << "" << 400 << QByteArray("malformed_request") << QByteArray("Connection: close");
    QTest::newRow("400 bare LF") << QByteArray("GET /v1/kiosk HTTP/1.1\nHost: x\n\n") << "" << 400 << QByteArray("malformed_request") << QByteArray();
    QTest::newRow("400 not an upgrade") << QByteArray("GET /v1/kiosk HTTP/1.1\r\nHost: x\r\n" + bearer + "\r\n") << "good" << 400 << QByteArray("not_websocket_upgrade") << QByteArray();
    QTest::newRow("400 HTTP/1.0 upgrade") << U(bearer).replace("HTTP/1.1", "HTTP/1.0") << "good" << 400 << QByteArray("not_websocket_upgrade") << QByteArray();
    QTest::newRow("400 no Host") << U(bearer).replace("Host: 127.0.0.1\r\n", "") << "good" << 400 << QByteArray("not_websocket_upgrade") << QByteArray();
    QTest::newRow("400 short key") << U(bearer).replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=") << "good" << 400 << QByteArray("bad_websocket_key") << QByteArray();
    QTest::newRow("400 key not base64") << U(bearer).replace("dGhlIHNhbXBsZSBub25jZQ==", "!!!!!!!!!!!!!!!!!!!!!!==") << "good" << 400 << QByteArray("bad_websocket_key") << QByteArray();
    QTest::newRow("426 version 8") << U(bearer).replace("Version: 13", "Version: 8") << "good" << 426 << QByteArray("unsupported_websocket_version") << QByteArray("Sec-WebSocket-Version: 13");
    QTest::newRow("400 two bearer subprotocols") << U(allowed + "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.{T}, kioskgate.bearer.{T}\r\n") << "good" << 400 << QByteArray("ambiguous_token") << QByteArray();
    QTest::newRow("400 bearer without kioskgate.v1") << U(allowed + "Sec-WebSocket-Protocol: kioskgate.bearer.{T}\r\n") << "good" << 400 << QByteArray("subprotocol_required") << QByteArray();
    QTest::newRow("400 header and subprotocol") << U(allowed + bearer + sub) << "good" << 400 << QByteArray("ambiguous_token") << QByteArray();

    QTest::newRow("401 no token") << U(allowed) << "" << 401 << QByteArray("missing_token") << www;
    QTest::newRow("401 basic auth") << U("Authorization: Basic dTpw\r\n") << "" << 401 << QByteArray("invalid_token") << www;
    QTest::newRow("401 tampered payload") << U(bearer) << "tampered" << 401 << QByteArray("invalid_token") << www;
    QTest::newRow("401 alg none") << U(bearer) << "alg-none" << 401 << QByteArray("invalid_token") << www;
    QTest::newRow("401 expired") << U(bearer) << "expired" << 401 << QByteArray("invalid_token") << www;
    QTest::newRow("401 not yet valid") << U(bearer) << "not-yet-valid" << 401 << QByteArray("invalid_token") << www;
    QTest::newRow("401 unknown key id") << U(bearer) << "unknown-kid" << 401 << QByteArray("invalid_token") << www;
    QTest::newRow("401 revoked") << U(bearer) << "revoked" << 401 << QByteArray("revoked_token") << www;
    QTest::newRow("401 never recorded") << U(bearer) << "unrecorded" << 401 << QByteArray("revoked_token") << www;
    QTest::newRow("401 query token while disabled") << U("", "/v1/kiosk?access_token={T}") << "good" << 401 << QByteArray("query_token_disabled") << www;
    QTest::newRow("401 unknown ticket") << U(allowed, "/v1/kiosk?ticket=abc") << "" << 401 << QByteArray("invalid_token") << www;

    QTest::newRow("403 foreign origin, subprotocol") << U("Origin: https://evil.example\r\n" + sub) << "good" << 403 << QByteArray("origin_not_allowed") << QByteArray();
    QTest::newRow("403 foreign origin, header") << U("Origin: https://evil.example\r\n" + bearer) << "good" << 403 << QByteArray("origin_not_allowed") << QByteArray();
    QTest::newRow("403 suffix origin") << U("Origin: https://kiosk.example.evil.com\r\n" + sub) << "good" << 403 << QByteArray("origin_not_allowed") << QByteArray();
    QTest::newRow("403 null origin") << U("Origin: null\r\n" + sub) << "good" << 403 << QByteArray("origin_not_allowed") << QByteArray();
    QTest::newRow("403 subprotocol without origin") << U(sub) << "good" << 403 << QByteArray("origin_required") << QByteArray();
    QTest::newRow("403 origin not bound to token") << U(allowed + sub) << "bound-other" << 403 << QByteArray("origin_not_allowed") << QByteArray();
    QTest::newRow("403 bound token without origin") << U(bearer) << "bound-other" << 403 << QByteArray("origin_required") << QByteArray();
    QTest::newRow("101 bound token from its origin") << U("Origin: https://other.example\r\n" + sub) << "bound-other" << 101 << QByteArray() << QByteArray();

    QTest::newRow("404 unknown path") << U(bearer, "/v1/other") << "good" << 404 << QByteArray("not_found") << QByteArray();
    QTest::newRow("404 path prefix") << U(bearer, "/v1/kiosk/x") << "good" << 404 << QByteArray("not_found") << QByteArray();
    QTest::newRow("405 POST to kiosk path") << U(bearer).replace("GET ", "POST ") << "good" << 405 << QByteArray("method_not_allowed") << QByteArray("Allow: GET");
}

void TestHandshakeTable::table()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, tokenKind);
    QFETCH(int, status);
    QFETCH(QByteArray, error);
    QFETCH(QByteArray, header);

    const QByteArray credential = token(tokenKind);
    request.replace("{T}", credential);
    const RawResponse response = m_fixture->send(request);
    QVERIFY2(response.complete, "no complete response");
    QCOMPARE(response.statusLine.left(12), QByteArray("HTTP/1.1 ") + QByteArray::number(status));
    if (!error.isEmpty()) {
        QCOMPARE(errorOf(response), error);
        QCOMPARE(response.value("Content-Type"), QByteArray("application/json"));
    }
    if (!header.isEmpty()) {
        const int colon = header.indexOf(':');
        QVERIFY2(response.values(header.left(colon)).contains(header.mid(colon + 2)),
                 response.all().constData());
    }
    if (!credential.isEmpty())
        QVERIFY2(!response.all().contains(credential), "the response echoes the credential");
    if (status == 401)
        QCOMPARE(response.values("WWW-Authenticate").size(), 1);
}

void TestHandshakeTable::subprotocolAnswerIsSingleAndClean()
{
    const QByteArray request = ServerFixture::upgrade(
        "Origin: https://kiosk.example\r\nSec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer." + m_good + "\r\n");
    const RawResponse response = m_fixture->send(request);
    QCOMPARE(response.status(), 101);
    QCOMPARE(response.values("Sec-WebSocket-Protocol"), QList<QByteArray>{"kioskgate.v1"});
    QVERIFY(!response.all().contains(m_good));
    QVERIFY(!response.all().contains("kioskgate.bearer"));

    // The header transport offers no subprotocol, so none is answered.
    const RawResponse native = m_fixture->send(ServerFixture::upgrade("Authorization: Bearer " + m_good + "\r\n"));
    QCOMPARE(native.status(), 101);
    QVERIFY(native.values("Sec-WebSocket-Protocol").isEmpty());
}

void TestHandshakeTable::healthz()
{
    const RawResponse response = m_fixture->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(response.status(), 200);
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QVERIFY(body.contains(QStringLiteral("sessions")));
    const RawResponse post = m_fixture->send("POST /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(post.status(), 405);
    QCOMPARE(post.value("Allow"), QByteArray("GET, HEAD"));
    const RawResponse head = m_fixture->send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(head.status(), 200);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(head.value("Content-Length").toInt(), response.body.size());
}

void TestHandshakeTable::headTooLarge()
{
    const QByteArray padding = "X-Padding: " + QByteArray(9000, 'a') + "\r\n";
    const RawResponse response = m_fixture->send(ServerFixture::upgrade(padding + "Authorization: Bearer " + m_good + "\r\n"));
    QCOMPARE(response.status(), 431);
    QCOMPARE(errorOf(response), QByteArray("request_head_too_large"));
    // Never ending head without a blank line: answered as soon as the cap is hit.
    const RawResponse endless = m_fixture->send("GET /v1/kiosk HTTP/1.1\r\nX: " + QByteArray(20000, 'b'));
    QCOMPARE(endless.status(), 431);
    // A client still pushing a megabyte of head when the answer comes gets
    // the whole answer: the gate drains and half-closes instead of resetting.
    const RawResponse flood = m_fixture->send("GET /v1/kiosk HTTP/1.1\r\nX: " + QByteArray(1 << 20, 'c'));
    QCOMPARE(flood.status(), 431);
    QCOMPARE(errorOf(flood), QByteArray("request_head_too_large"));
}

QTEST_GUILESS_MAIN(TestHandshakeTable)
#include "tst_handshaketable.moc"
