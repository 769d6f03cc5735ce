#include "HttpRequestHead.h"
#include "TokenExtractor.h"

#include <QtTest>

using namespace KioskGate;
using Protocol::Refusal;
using Protocol::Transport;

class TestTokenExtractor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void extract_data();
    void extract();
};

void TestTokenExtractor::extract_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("allowQuery");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("transport");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("refusal");
    QTest::addColumn<QString>("detail");

    const QByteArray kiosk = "/v1/kiosk";
    auto ok = [&](const char *name, const QByteArray &target, const QByteArray &headers, bool allowQuery,
                  Transport transport, const QByteArray &value) {
        QTest::newRow(name) << target << headers << allowQuery << true << int(transport) << value << 0 << QString();
    };
    auto no = [&](const char *name, const QByteArray &target, const QByteArray &headers, bool allowQuery,
                  Refusal refusal, const QString &detail = {}) {
        QTest::newRow(name) << target << headers << allowQuery << false << 0 << QByteArray() << int(refusal) << detail;
    };

    ok("header", kiosk, "Authorization: Bearer abc.def.ghi\r\n", false, Transport::Header, "abc.def.ghi");
    ok("header scheme case", kiosk, "Authorization: bEaReR abc\r\n", false, Transport::Header, "abc");
    ok("subprotocol", kiosk, "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.abc.def\r\n", false,
       Transport::Subprotocol, "abc.def");
    ok("subprotocol order", kiosk, "Sec-WebSocket-Protocol: kioskgate.bearer.abc, kioskgate.v1\r\n", false,
       Transport::Subprotocol, "abc");
    ok("subprotocol split over fields", kiosk,
       "Sec-WebSocket-Protocol: kioskgate.v1\r\nSec-WebSocket-Protocol: kioskgate.bearer.abc\r\n", false,
       Transport::Subprotocol, "abc");
    ok("ticket", kiosk + "?ticket=T1", "", false, Transport::Ticket, "T1");
    ok("query when enabled", kiosk + "?access_token=abc", "", true, Transport::Query, "abc");
    ok("percent-encoded query", kiosk + "?access_token=a%2Eb", "", true, Transport::Query, "a.b");
    ok("v1 alone with header", kiosk, "Authorization: Bearer abc\r\nSec-WebSocket-Protocol: kioskgate.v1\r\n",
       false, Transport::Header, "abc");

    no("nothing", kiosk, "", false, Refusal::MissingToken);
    no("only v1", kiosk, "Sec-WebSocket-Protocol: kioskgate.v1\r\n", false, Refusal::MissingToken);
    no("basic scheme", kiosk, "Authorization: Basic dXNlcjpwYXNz\r\n", false, Refusal::InvalidToken,
       QStringLiteral("unsupported_scheme"));
    no("bearer without value", kiosk, "Authorization: Bearer\r\n", false, Refusal::InvalidToken,
       QStringLiteral("unsupported_scheme"));
    no("bearer empty value", kiosk, "Authorization: Bearer  \r\n", false, Refusal::InvalidToken,
       QStringLiteral("unsupported_scheme"));
    no("two authorization headers", kiosk, "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n", false,
       Refusal::AmbiguousToken, QStringLiteral("repeated_authorization"));
    no("two bearer subprotocols", kiosk,
       "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.a, kioskgate.bearer.b\r\n", false,
       Refusal::AmbiguousToken, QStringLiteral("repeated_bearer_subprotocol"));
    no("bearer without v1", kiosk, "Sec-WebSocket-Protocol: kioskgate.bearer.abc\r\n", false,
       Refusal::SubprotocolRequired);
    no("empty bearer subprotocol", kiosk, "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.\r\n", false,
       Refusal::MissingToken, QStringLiteral("empty_credential"));
    no("header and subprotocol", kiosk,
       "Authorization: Bearer a\r\nSec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.b\r\n", false,
       Refusal::AmbiguousToken, QStringLiteral("several_transports"));
    no("header and query", kiosk + "?access_token=b", "Authorization: Bearer a\r\n", true,
       Refusal::AmbiguousToken, QStringLiteral("several_transports"));
    no("ticket and header", kiosk + "?ticket=t", "Authorization: Bearer a\r\n", false,
       Refusal::AmbiguousToken, QStringLiteral("several_transports"));
    no("query disabled", kiosk + "?access_token=abc", "", false, Refusal::QueryTokenDisabled);
    no("two query tokens", kiosk + "?access_token=a&access_token=b", "", true, Refusal::AmbiguousToken,
       QStringLiteral("repeated_query_parameter"));
    no("two tickets", kiosk + "?ticket=a&ticket=b", "", false, Refusal::AmbiguousToken,
       QStringLiteral("repeated_query_parameter"));
    no("empty ticket", kiosk + "?ticket=", "", false, Refusal::MissingToken, QStringLiteral("empty_credential"));
}

void TestTokenExtractor::extract()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, headers);
    QFETCH(bool, allowQuery);
    QFETCH(bool, ok);
    QFETCH(int, transport);
    QFETCH(QByteArray, value);
    QFETCH(int, refusal);
    QFETCH(QString, detail);

    HttpRequestHead head;
    QCOMPARE(head.parse("GET " + target + " HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n", 8192),
             HttpRequestHead::ParseResult::Complete);
    const ExtractedToken result = TokenExtractor::extract(head, allowQuery);
    QCOMPARE(result.ok, ok);
    if (ok) {
        QCOMPARE(int(result.transport), transport);
        QCOMPARE(result.value, value);
    } else {
        QCOMPARE(int(result.refusal), refusal);
        QCOMPARE(result.detail, detail);
        QVERIFY(result.value.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestTokenExtractor)
#include "tst_tokenextractor.moc"
