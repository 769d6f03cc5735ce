// The gate behind TLS, in process on a loopback port: wss:// and https://
// on one port, heads read from the decrypted stream, a plain request to the
// TLS port answered 400, silent and stalled handshakes closed, a new
// certificate served live, and what a TLS handshake costs.

#include "KioskClient.h"
#include "ServerFixture.h"
#include "TlsCertificates.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <limits>

using namespace KioskGate;

namespace {

TlsIdentity makeIdentity()
{
    TlsIdentity identity;
    QString error;
    if (!TlsCertificates::generate(TlsCertificates::defaultRequest(), &identity, &error))
        qWarning("generate failed: %s", qPrintable(error));
    return identity;
}

ServerSettings tlsSettings()
{
    ServerSettings s = ServerFixture::defaults();
    s.tls = true;
    return s;
}

QSslConfiguration trusting(const TlsIdentity &identity)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromData(identity.certificatePem));
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return config;
}

// Connects with TLS, verifies the server against `identity`, sends
// `request` and returns everything read until the server closes.
struct TlsExchange
{
    bool encrypted = false;
    QSslCertificate peer;
    QSsl::SslProtocol protocol = QSsl::UnknownProtocol;
    QByteArray reply;
    QString error;
};

TlsExchange exchange(quint16 port, const TlsIdentity &identity, const QByteArray &request,
                     QSsl::SslProtocol protocol = QSsl::TlsV1_2OrLater)
{
    TlsExchange result;
    QSslSocket socket;
    QSslConfiguration config = trusting(identity);
    config.setProtocol(protocol);
    socket.setSslConfiguration(config);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    result.encrypted = socket.waitForEncrypted(5000);
    if (!result.encrypted) {
        result.error = socket.errorString();
        return result;
    }
    result.peer = socket.peerCertificate();
    result.protocol = socket.sessionProtocol();
    socket.write(request);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000 && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(50);
        result.reply += socket.readAll();
    }
    result.reply += socket.readAll();
    return result;
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void httpsAndWssOnOnePort();
    void tls12AndTls13Only();
    void untrustingClientFailsAndServerCarriesOn();
    void plainRequestToTlsPortGetsClearError();
    void silentAndStalledConnectionsAreClosed();
    void newCertificateIsServedLive();
    void reloadKeepsItsThreadRunningWhileTheNetworkThreadIsBusy();
    void handshakeCost();
};

void TestTls::httpsAndWssOnOnePort()
{
    const TlsIdentity identity = makeIdentity();
    ServerFixture f(tlsSettings(), identity);
    QVERIFY(f.server().isTls());
    QVERIFY(!f.server().isPlainOnNetwork());
    QVERIFY(f.server().kioskUrl().startsWith(QStringLiteral("wss://127.0.0.1:")));
    QVERIFY(!f.server().tlsFacts().spkiSha256.isEmpty());

    const TlsExchange health = exchange(f.port(), identity, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY2(health.encrypted, qPrintable(health.error));
    QCOMPARE(health.peer, QSslCertificate(identity.certificatePem));
    QVERIFY2(health.reply.startsWith("HTTP/1.1 200 "), health.reply.constData());
    QVERIFY(health.reply.contains("\"status\":\"ok\""));

    // A refusal travels over TLS too, complete (close_notify after it).
    const TlsExchange refused = exchange(f.port(), identity, ServerFixture::upgrade("Origin: https://evil.example\r\n"));
    QVERIFY2(refused.reply.startsWith("HTTP/1.1 401 "), refused.reply.constData());
    QVERIFY(refused.reply.endsWith("}"));

    KioskClient kiosk;
    kiosk.socket.setSslConfiguration(trusting(identity));
    kiosk.open(f.server().kioskUrl(), f.issue(QStringLiteral("lobby-tls")));
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-tls"), 5000);
    QCOMPARE(f.server().sessions().size(), 1);
}

void TestTls::tls12AndTls13Only()
{
    const TlsIdentity identity = makeIdentity();
    ServerFixture f(tlsSettings(), identity);
    const QByteArray request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const TlsExchange v12 = exchange(f.port(), identity, request, QSsl::TlsV1_2);
    QVERIFY2(v12.encrypted, qPrintable(v12.error));
    QCOMPARE(v12.protocol, QSsl::TlsV1_2);
    const TlsExchange v13 = exchange(f.port(), identity, request, QSsl::TlsV1_3);
    QVERIFY2(v13.encrypted, qPrintable(v13.error));
    QCOMPARE(v13.protocol, QSsl::TlsV1_3);
}

void TestTls::untrustingClientFailsAndServerCarriesOn()
{
    const TlsIdentity identity = makeIdentity();
    ServerFixture f(tlsSettings(), identity);
    const TlsExchange stranger = exchange(f.port(), makeIdentity(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(!stranger.encrypted);
    const TlsExchange friendly = exchange(f.port(), identity, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(friendly.reply.startsWith("HTTP/1.1 200 "), qPrintable(friendly.error));
}

void TestTls::plainRequestToTlsPortGetsClearError()
{
    ServerFixture f(tlsSettings(), makeIdentity());
    QSignalSpy refusals(&f.server(), &KioskServer::handshakeRefused);
    const RawResponse plain = f.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY2(plain.complete, "the server answered in plain text and closed");
    QCOMPARE(plain.status(), 400);
    QCOMPARE(plain.value("Content-Type"), QByteArray("application/json"));
    const QJsonObject body = QJsonDocument::fromJson(plain.body).object();
    QCOMPARE(body.value(QStringLiteral("error")).toString(), QStringLiteral("tls_required"));
    QCOMPARE(body.value(QStringLiteral("reason")).toString(),
             QStringLiteral("this port speaks TLS only: use https:// or wss://"));
    // A plain WebSocket upgrade gets the same answer, not an upgrade.
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer x\r\n")).status(), 400);
    QTRY_COMPARE(refusals.size(), 2);
    QCOMPARE(refusals.first().first().value<HandshakeRefusal>().code, QStringLiteral("tls_required"));
}

void TestTls::silentAndStalledConnectionsAreClosed()
{
    ServerSettings settings = tlsSettings();
    settings.tlsHandshakeTimeoutMs = 400;
    ServerFixture f(settings, makeIdentity());

    QTcpSocket silent;
    QTcpSocket stalled;
    silent.connectToHost(QHostAddress::LocalHost, f.port());
    stalled.connectToHost(QHostAddress::LocalHost, f.port());
    QVERIFY(silent.waitForConnected(2000));
    QVERIFY(stalled.waitForConnected(2000));
    // The start of a ClientHello record, then nothing.
    stalled.write(QByteArray::fromHex("160301"));
    QElapsedTimer timer;
    timer.start();
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 3000);
    const qint64 silentMs = timer.elapsed();
    QTRY_COMPARE_WITH_TIMEOUT(stalled.state(), QAbstractSocket::UnconnectedState, 3000);
    QVERIFY2(silentMs >= 300, qPrintable(QString::number(silentMs)));
    qInfo("silent connection closed after %lld ms, stalled handshake after %lld ms (timeout 400 ms)",
          silentMs, timer.elapsed());
}

void TestTls::newCertificateIsServedLive()
{
    const TlsIdentity first = makeIdentity();
    const TlsIdentity second = makeIdentity();
    ServerFixture f(tlsSettings(), first);
    KioskClient kiosk;
    kiosk.socket.setSslConfiguration(trusting(first));
    kiosk.open(f.server().kioskUrl(), f.issue(QStringLiteral("lobby-live")));
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-live"), 5000);

    QString error;
    QVERIFY2(f.server().reloadTls(second, &error), qPrintable(error));
    TlsFacts facts;
    QVERIFY(TlsCertificates::validate(second, QDateTime::currentSecsSinceEpoch(), &facts, &error));
    QCOMPARE(f.server().tlsFacts().spkiSha256, facts.spkiSha256);
    const TlsExchange after = exchange(f.port(), second, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(after.encrypted, qPrintable(after.error));
    QCOMPARE(after.peer, QSslCertificate(second.certificatePem));
    QVERIFY(!exchange(f.port(), first, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").encrypted);
    // The live session keeps its connection.
    QCOMPARE(kiosk.socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(kiosk.closeCode, -1);

    // A mismatched pair is refused and the served one stays.
    const TlsIdentity mixed{first.certificatePem, second.privateKeyPem};
    QVERIFY(!f.server().reloadTls(mixed, &error));
    QCOMPARE(error, QStringLiteral("the private key does not belong to the certificate"));
    QVERIFY(exchange(f.port(), second, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").encrypted);
}

void TestTls::reloadKeepsItsThreadRunningWhileTheNetworkThreadIsBusy()
{
    const TlsIdentity first = makeIdentity();
    const TlsIdentity second = makeIdentity();
    ServerFixture f(tlsSettings(), first);
    // The network thread busy for 400 ms, as with a broadcast's write loop
    // to a large fleet.
    constexpr int BusyMs = 400;
    auto *busy = new QObject;
    busy->moveToThread(f.server().networkThread());
    QMetaObject::invokeMethod(
        busy,
        [busy] {
            QThread::msleep(BusyMs);
            busy->deleteLater();
        },
        Qt::QueuedConnection);
    // The console's thread meanwhile: its timers (repaints, the kiosks
    // table's batches) must go on.
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, [&ticks] { ++ticks; });
    ticker.start();
    QElapsedTimer waited;
    waited.start();
    QString error;
    QVERIFY2(f.server().reloadTls(second, &error), qPrintable(error));
    const qint64 waitedMs = waited.elapsed();
    ticker.stop();
    QVERIFY2(waitedMs >= BusyMs - 50,
             qPrintable(QString::number(waitedMs))); // it did wait its turn
    QVERIFY2(ticks >= 10, qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(ticks).arg(waitedMs)));
    QVERIFY(exchange(f.port(), second, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").encrypted);
}

void TestTls::handshakeCost()
{
    const TlsIdentity identity = makeIdentity();
    ServerFixture tls(tlsSettings(), identity);
    ServerFixture plain;
    constexpr int Rounds = 40;
    const QByteArray request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    QElapsedTimer timer;
    timer.start();
    qint64 fastestTlsMs = std::numeric_limits<qint64>::max();
    for (int i = 0; i < Rounds; ++i) {
        QElapsedTimer one;
        one.start();
        QVERIFY(exchange(tls.port(), identity, request).reply.startsWith("HTTP/1.1 200"));
        fastestTlsMs = qMin(fastestTlsMs, one.elapsed());
    }
    const double tlsMs = double(timer.elapsed()) / Rounds;
    timer.restart();
    for (int i = 0; i < Rounds; ++i)
        QCOMPARE(plain.send(request).status(), 200);
    const double plainMs = double(timer.elapsed()) / Rounds;
    qInfo("GET /healthz, new connection each time (client and server in one process): "
          "TLS %.2f ms (fastest %lld ms), plain %.2f ms per request",
          tlsMs, fastestTlsMs, plainMs);
    // Not a speed limit (a loaded machine or a sanitizer build is slow):
    // a wait built into every handshake (a timer, an unflushed write) would
    // make even the fastest of 40 take a quarter second.
    QVERIFY2(fastestTlsMs < 250, "every TLS handshake on loopback waited a quarter second or more");
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
