#include "HttpRequestHead.h"

#include <QtTest>

using KioskGate::HttpRequestHead;
using Result = HttpRequestHead::ParseResult;

class TestHttpRequestHead : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void fields();
    void lists();
    void headLength();
    void tooManyHeaders();
};

void TestHttpRequestHead::parse_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<int>("expected");

    const QByteArray good = "GET /v1/kiosk HTTP/1.1\r\nHost: a\r\n\r\n";
    QTest::newRow("complete") << good << 8192 << int(Result::Complete);
    QTest::newRow("http/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 8192 << int(Result::Complete);
    QTest::newRow("no headers yet") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n") << 8192 << int(Result::Incomplete);
    QTest::newRow("empty") << QByteArray() << 8192 << int(Result::Incomplete);
    QTest::newRow("exactly at cap") << good << int(good.size()) << int(Result::Complete);
    QTest::newRow("one over cap") << good << int(good.size() - 1) << int(Result::TooLarge);
    QTest::newRow("incomplete at cap") << QByteArray(100, 'a') << 100 << int(Result::TooLarge);
    QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: a\n\n") << 8192 << int(Result::Malformed);
    QTest::newRow("bare LF before end") << QByteArray("GET / HTTP/1.1\nHost") << 8192 << int(Result::Malformed);
    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("control char in value") << QByteArray("GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n") << 8192 << int(Result::Malformed);
    // Found by fuzz_http_request_head: only SP and HTAB surround a value.
    QTest::newRow("vertical tab after value") << QByteArray("GET / HTTP/1.1\r\nHost: a\x0b\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("form feed before value") << QByteArray("GET / HTTP/1.1\r\nX: \x0c" "b\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("CR before CRLF") << QByteArray("GET / HTTP/1.1\r\nX: b\r\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("tab around value") << QByteArray("GET / HTTP/1.1\r\nX:\tb \t\r\n\r\n") << 8192 << int(Result::Complete);
    QTest::newRow("bare CR in value") << QByteArray("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("absolute-form") << QByteArray("GET http://a/ HTTP/1.1\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("space in target") << QByteArray("GET /a b HTTP/1.1\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("method not a token") << QByteArray("G(T / HTTP/1.1\r\n\r\n") << 8192 << int(Result::Malformed);
    QTest::newRow("binary garbage") << QByteArray("\x16\x03\x01\x02\x00\r\n\r\n", 9) << 8192 << int(Result::Malformed);
    QTest::newRow("tls client hello") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00", 8) << 8192 << int(Result::Incomplete);
}

void TestHttpRequestHead::parse()
{
    QFETCH(QByteArray, data);
    QFETCH(int, maxBytes);
    QFETCH(int, expected);
    HttpRequestHead head;
    QCOMPARE(int(head.parse(data, maxBytes)), expected);
}

void TestHttpRequestHead::fields()
{
    HttpRequestHead head;
    const QByteArray data = "GET /v1/kiosk?ticket=abc&x=1 HTTP/1.1\r\n"
                            "Host: console:8765\r\n"
                            "ORIGIN: https://kiosk.example\r\n"
                            "X-Empty:\r\n"
                            "X-Spaced:   padded value  \r\n\r\n"
                            "trailing frame bytes";
    QCOMPARE(head.parse(data, 8192), Result::Complete);
    QCOMPARE(head.method(), QByteArray("GET"));
    QCOMPARE(head.target(), QByteArray("/v1/kiosk?ticket=abc&x=1"));
    QCOMPARE(head.path(), QByteArray("/v1/kiosk"));
    QCOMPARE(head.query(), QByteArray("ticket=abc&x=1"));
    QCOMPARE(head.version(), QByteArray("HTTP/1.1"));
    QCOMPARE(head.header("origin"), QByteArray("https://kiosk.example"));
    QCOMPARE(head.header("Origin"), QByteArray("https://kiosk.example"));
    QCOMPARE(head.headerCount("x-empty"), 1);
    QCOMPARE(head.header("x-empty"), QByteArray());
    QCOMPARE(head.header("x-spaced"), QByteArray("padded value"));
    QCOMPARE(head.headerCount("missing"), 0);
}

void TestHttpRequestHead::lists()
{
    HttpRequestHead head;
    const QByteArray data = "GET / HTTP/1.1\r\n"
                            "Sec-WebSocket-Protocol: kioskgate.v1, ,kioskgate.bearer.x\r\n"
                            "Sec-WebSocket-Protocol: other\r\n"
                            "Connection: keep-alive, Upgrade\r\n\r\n";
    QCOMPARE(head.parse(data, 8192), Result::Complete);
    QCOMPARE(head.headerList("sec-websocket-protocol"),
             (QList<QByteArray>{"kioskgate.v1", "kioskgate.bearer.x", "other"}));
    QVERIFY(head.headerHasToken("connection", "upgrade"));
    QVERIFY(!head.headerHasToken("connection", "close"));
}

void TestHttpRequestHead::headLength()
{
    HttpRequestHead head;
    const QByteArray h = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    int length = 0;
    QCOMPARE(head.parse(h + "\x81\x05hello", 8192, &length), Result::Complete);
    QCOMPARE(length, h.size());
}

void TestHttpRequestHead::tooManyHeaders()
{
    QByteArray data = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 65; ++i)
        data += "X-" + QByteArray::number(i) + ": v\r\n";
    data += "\r\n";
    HttpRequestHead head;
    QCOMPARE(head.parse(data, 65536, nullptr, 64), Result::TooLarge);
    QCOMPARE(head.parse(data, 65536, nullptr, 65), Result::Complete);
}

QTEST_GUILESS_MAIN(TestHttpRequestHead)
#include "tst_httprequesthead.moc"
