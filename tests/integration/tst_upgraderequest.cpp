// The head QWebSocketServer is handed (UpgradeRequest) over real loopback
// TCP and a real QWebSocketServer: the upgrade still answers the kiosk's own
// key and subprotocol, while the QWebSocket that lives as long as the
// session keeps neither the token nor the URL's query nor the other headers.

#include "HttpRequestHead.h"
#include "LoopbackListener.h"
#include "Protocol.h"
#include "UpgradeRequest.h"

#include <QCryptographicHash>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <memory>

using namespace KioskGate;

namespace {

constexpr char Key[] = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr char Secret[] = "SECRET-eyJhbGciOiJIUzI1NiJ9";

QByteArray expectedAccept()
{
    return QCryptographicHash::hash(QByteArray(Key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                    QCryptographicHash::Sha1)
        .toBase64();
}

// A browser-like upgrade carrying the secret in every place a kiosk may put it.
QByteArray browserHead(const QByteArray &protocols)
{
    QByteArray head = "GET /v1/kiosk?ticket=" + QByteArray(Secret) + " HTTP/1.1\r\n"
                      "Host: console.example:8443\r\n"
                      "Connection: Upgrade\r\n"
                      "Pragma: no-cache\r\n"
                      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36\r\n"
                      "Upgrade: websocket\r\n"
                      "Origin: https://kiosk.example\r\n"
                      "Sec-WebSocket-Version: 13\r\n"
                      "Accept-Language: en-GB,en;q=0.9\r\n"
                      "Cookie: session=" + QByteArray(Secret) + "\r\n"
                      "Authorization: Bearer " + QByteArray(Secret) + "\r\n"
                      "Sec-WebSocket-Key: " + QByteArray(Key) + "\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    if (!protocols.isEmpty())
        head += "Sec-WebSocket-Protocol: " + protocols + "\r\n";
    return head + "\r\n";
}

struct Pair
{
    LoopbackListener<QTcpSocket> listener;
    std::unique_ptr<QTcpSocket> client;

    // Connects and sends `bytes`; the server side then holds them all.
    bool sendAndWait(const QByteArray &bytes)
    {
        if (!listener.listen(QHostAddress::LocalHost))
            return false;
        client = std::make_unique<QTcpSocket>();
        client->connectToHost(QHostAddress::LocalHost, listener.serverPort());
        if (!client->waitForConnected(5000))
            return false;
        client->write(bytes);
        return QTest::qWaitFor(
            [&] { return !listener.accepted.empty() && listener.accepted.front()->bytesAvailable() >= bytes.size(); }, 5000);
    }
};

// The accepted socket's head, parsed as the gate parses it.
int parseHead(QTcpSocket *socket, HttpRequestHead *head)
{
    int length = 0;
    if (head->parse(socket->peek(16384), 16384, &length) != HttpRequestHead::ParseResult::Complete)
        return -1;
    return length;
}

QByteArray readResponseHead(QTcpSocket *client)
{
    // The event loop runs meanwhile: the server side writes from it.
    QByteArray response;
    (void)QTest::qWaitFor([&] {
        response += client->readAll();
        return response.contains("\r\n\r\n");
    }, 5000);
    return response;
}

} // namespace

class TestUpgradeRequest : public QObject
{
    Q_OBJECT

private slots:
    void minimalHeadKeepsOnlyTheUpgrade();
    void minimalHeadWithoutSubprotocol();
    void bytesAfterTheHeadStayInOrder();
    void sessionKeepsNoCredentialAndAnswersTheKiosk_data();
    void sessionKeepsNoCredentialAndAnswersTheKiosk();
};

void TestUpgradeRequest::minimalHeadKeepsOnlyTheUpgrade()
{
    const QByteArray original =
        browserHead("kioskgate.v1, kioskgate.bearer." + QByteArray(Secret));
    HttpRequestHead head;
    int length = 0;
    QCOMPARE(head.parse(original, 16384, &length), HttpRequestHead::ParseResult::Complete);

    const QByteArray minimal = UpgradeRequest::minimalHead(head);
    QCOMPARE(minimal, QByteArray("GET /v1/kiosk HTTP/1.1\r\n"
                                 "Host: console.example:8443\r\n"
                                 "Upgrade: websocket\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Version: 13\r\n"
                                 "Sec-WebSocket-Protocol: kioskgate.v1\r\n"
                                 "\r\n"));
    // It is itself an upgrade the gate would accept the shape of.
    HttpRequestHead reparsed;
    QCOMPARE(reparsed.parse(minimal, 16384), HttpRequestHead::ParseResult::Complete);
    QVERIFY(reparsed.headerHasToken("upgrade", "websocket"));
    QVERIFY(reparsed.headerHasToken("connection", "upgrade"));
}

void TestUpgradeRequest::minimalHeadWithoutSubprotocol()
{
    HttpRequestHead head;
    QCOMPARE(head.parse(browserHead({}), 16384), HttpRequestHead::ParseResult::Complete);
    const QByteArray minimal = UpgradeRequest::minimalHead(head);
    QVERIFY(!minimal.contains("Sec-WebSocket-Protocol"));
    QVERIFY(!minimal.contains(Secret));
    QVERIFY(minimal.endsWith("Sec-WebSocket-Version: 13\r\n\r\n"));
}

void TestUpgradeRequest::bytesAfterTheHeadStayInOrder()
{
    const QByteArray original = browserHead(Protocol::SubprotocolV1);
    // A client that does not wait for the 101 before its first frame.
    const QByteArray trailing("\x81\x85\x01\x02\x03\x04" "abcde", 11);
    Pair pair;
    QVERIFY(pair.sendAndWait(original + trailing));
    QTcpSocket *socket = pair.listener.accepted.front().get();

    HttpRequestHead head;
    const int length = parseHead(socket, &head);
    QCOMPARE(length, original.size());
    const QByteArray minimal = UpgradeRequest::minimalHead(head);
    UpgradeRequest::substituteHead(socket, length, minimal);
    QCOMPARE(socket->bytesAvailable(), qint64(minimal.size() + trailing.size()));
    QCOMPARE(socket->readAll(), minimal + trailing);
}

void TestUpgradeRequest::sessionKeepsNoCredentialAndAnswersTheKiosk_data()
{
    QTest::addColumn<QByteArray>("protocols");
    QTest::addColumn<QByteArray>("answered");
    QTest::newRow("bearer subprotocol")
        << QByteArray("kioskgate.v1, kioskgate.bearer.") + Secret << QByteArray("kioskgate.v1");
    QTest::newRow("v1 only") << QByteArray("kioskgate.v1") << QByteArray("kioskgate.v1");
    QTest::newRow("no subprotocol") << QByteArray() << QByteArray();
}

void TestUpgradeRequest::sessionKeepsNoCredentialAndAnswersTheKiosk()
{
    QFETCH(QByteArray, protocols);
    QFETCH(QByteArray, answered);
    Pair pair;
    QVERIFY(pair.sendAndWait(browserHead(protocols)));
    QTcpSocket *socket = pair.listener.accepted.front().release();

    HttpRequestHead head;
    const int length = parseHead(socket, &head);
    QVERIFY(length > 0);
    UpgradeRequest::substituteHead(socket, length, UpgradeRequest::minimalHead(head));

    QWebSocketServer server(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    server.setSupportedSubprotocols({QString::fromLatin1(Protocol::SubprotocolV1)});
    QSignalSpy opened(&server, &QWebSocketServer::newConnection);
    server.handleConnection(socket);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
    std::unique_ptr<QWebSocket> session(server.nextPendingConnection());
    QVERIFY(session);

    // What the session keeps for its whole life.
    QCOMPARE(session->requestUrl().path(), QStringLiteral("/v1/kiosk"));
    QVERIFY(!session->requestUrl().hasQuery());
    const QNetworkRequest request = session->request();
    QVERIFY(!request.hasRawHeader("Authorization"));
    QVERIFY(!request.hasRawHeader("Cookie"));
    QVERIFY(!request.hasRawHeader("User-Agent"));
    for (const QByteArray &name : request.rawHeaderList())
        QVERIFY2(!request.rawHeader(name).contains(Secret), name.constData());
    QVERIFY(!request.url().toEncoded().contains(Secret));
    QCOMPARE(session->subprotocol().toLatin1(), answered);

    // What the kiosk sees: an upgrade of its own key, its subprotocol.
    const QByteArray response = readResponseHead(pair.client.get());
    QVERIFY2(response.startsWith("HTTP/1.1 101"), response.constData());
    QVERIFY2(response.contains("Sec-WebSocket-Accept: " + expectedAccept() + "\r\n"), response.constData());
    if (answered.isEmpty())
        QVERIFY2(!response.contains("Sec-WebSocket-Protocol"), response.constData());
    else
        QVERIFY2(response.contains("Sec-WebSocket-Protocol: " + answered + "\r\n"), response.constData());
}

QTEST_MAIN(TestUpgradeRequest)
#include "tst_upgraderequest.moc"
