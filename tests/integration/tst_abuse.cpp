// Abuse over loopback: floods and misbehaving clients against an in-process
// server. Every case proves that a legitimate kiosk keeps connecting and
// receiving commands while the abuse runs. Attackers come from other
// loopback addresses (127.0.0.2 and up) so the per-address cap does not hit
// the legitimate kiosk on 127.0.0.1. Every loop is bounded.

#include "KioskClient.h"
#include "ServerFixture.h"
#include "TlsCertificates.h"

#include <QFile>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QtTest>

#include <algorithm>
#include <memory>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

using namespace KioskGate;

namespace {

QHostAddress attacker(int n)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(n));
}

// `count` plain connections to `port`, spread over 127.0.0.2-5, still
// connecting when this returns.
QList<QTcpSocket *> openConnections(int count, quint16 port)
{
    QList<QTcpSocket *> sockets;
    for (int i = 0; i < count; ++i) {
        auto *socket = new QTcpSocket;
        socket->bind(attacker(2 + i % 4), 0);
        socket->connectToHost(QHostAddress::LocalHost, port);
        sockets.append(socket);
    }
    return sockets;
}

int connectedCount(const QList<QTcpSocket *> &sockets)
{
    return int(std::count_if(sockets.cbegin(), sockets.cend(), [](const QTcpSocket *s) {
        return s->state() == QAbstractSocket::ConnectedState;
    }));
}

// A certificate for the console and a client configuration that trusts it
// alone; false (with `error`) if the certificate could not be made.
bool makeTlsPair(TlsIdentity *identity, QSslConfiguration *trusting, QString *error)
{
    if (!TlsCertificates::generate(TlsCertificates::defaultRequest(), identity, error))
        return false;
    *trusting = QSslConfiguration::defaultConfiguration();
    trusting->setCaCertificates(QSslCertificate::fromData(identity->certificatePem));
    trusting->setPeerVerifyMode(QSslSocket::VerifyPeer);
    return true;
}

// VmRSS / VmHWM of this process in KiB (the server runs in it), or -1.
qint64 procStatusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field)) + 1).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// One masked client frame (RFC 6455 5.2).
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0x00) | opcode));
    const qint64 n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(n >> 8)).append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((n >> shift) & 0xff));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (qint64 i = 0; i < n; ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

// A frame header announcing `length` bytes, without the bytes.
QByteArray clientFrameHeader(quint8 opcode, quint64 length)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    frame.append(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        frame.append(char((length >> shift) & 0xff));
    frame.append("\x11\x22\x33\x44", 4);
    return frame;
}

// Finds the close code in the server frames after the 101 head, or -1.
int closeCodeIn(const QByteArray &stream)
{
    int pos = stream.indexOf("\r\n\r\n");
    if (pos < 0)
        return -1;
    pos += 4;
    while (pos + 2 <= stream.size()) {
        const quint8 opcode = quint8(stream.at(pos)) & 0x0f;
        quint64 length = quint8(stream.at(pos + 1)) & 0x7f;
        int header = 2;
        if (length == 126) {
            if (pos + 4 > stream.size())
                return -1;
            length = (quint8(stream.at(pos + 2)) << 8) | quint8(stream.at(pos + 3));
            header = 4;
        } else if (length == 127) {
            return -1; // the server never sends frames that big here
        }
        if (pos + header + qint64(length) > stream.size())
            return -1;
        if (opcode == 0x8 && length >= 2)
            return (quint8(stream.at(pos + header)) << 8) | quint8(stream.at(pos + header + 1));
        pos += header + int(length);
    }
    return -1;
}

// A raw WebSocket connection from `local`: the upgrade is done by hand so
// the test controls every byte (and whether it ever reads again).
struct RawKiosk
{
    QTcpSocket socket;
    QByteArray received;

    bool open(quint16 port, const QByteArray &token, const QHostAddress &local, int receiveBuffer = 0)
    {
        socket.bind(local, 0);
#ifdef Q_OS_UNIX
        if (receiveBuffer > 0) {
            // Before connect, so the window stays small: the server's
            // frames pile up on its side once this one stops reading.
            const int fd = int(socket.socketDescriptor());
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        }
#endif
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(5000))
            return false;
        socket.write(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 5000 && !received.contains("\"welcome\"")) {
            socket.waitForReadyRead(50);
            received += socket.readAll();
        }
        if (receiveBuffer > 0)
            socket.setReadBufferSize(receiveBuffer); // Qt stops draining the kernel too
        return received.startsWith("HTTP/1.1 101") && received.contains("\"welcome\"");
    }

    // Reads until the server's close frame or the connection end.
    int waitClose(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            socket.waitForReadyRead(50);
            received += socket.readAll();
            const int code = closeCodeIn(received);
            if (code != -1)
                return code;
            if (socket.state() == QAbstractSocket::UnconnectedState)
                return 1006;
        }
        return -1;
    }
};

// Starts a new VmHWM period (Linux: "5" to clear_refs), so the peak
// measured by one case is not an earlier case's peak; false if it cannot.
bool resetPeakRss()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

} // namespace

class TestAbuse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void slowlorisHeadsDoNotStarveKiosks();
    void idleTlsConnectionsDoNotStarveKiosks();
    void tlsConnectionsWithoutHeadsDoNotStarveKiosks();
    void headerFloodsGet431();
    void oversizedFramesAndFragmentFloods();
    void messageFloodClosesOnlyTheFlooder();
    void pingFloodClosesOnlyTheFlooder();
    void bruteForceIsThrottledPerAddress();
    void connectionsPerTokenAndPerAddressAreCapped();
    void malformedAndUnknownMessagesAreAnswered();
    void clientsThatNeverReadAreDropped();

private:
    // A fresh kiosk on 127.0.0.1 connects, gets a reload command and acks it.
    void proveKioskServed(ServerFixture &f, const QByteArray &token, const QString &kiosk,
                          const QSslConfiguration *tls = nullptr);
};

void TestAbuse::proveKioskServed(ServerFixture &f, const QByteArray &token, const QString &kiosk,
                                 const QSslConfiguration *tls)
{
    QElapsedTimer timer;
    timer.start();
    KioskClient client;
    if (tls)
        client.socket.setSslConfiguration(*tls);
    client.open(f.server().kioskUrl(), token);
    QTRY_COMPARE_WITH_TIMEOUT(client.kiosk, kiosk, 10000);
    QString error;
    const CommandRecord record = f.server().issueCommand(QStringLiteral("reload"), {kiosk}, QStringLiteral("abuse test"), &error);
    QVERIFY2(!record.id.isEmpty(), qPrintable(error));
    auto gotCommand = [&] {
        for (const QJsonObject &m : client.messages) {
            if (m.value(QStringLiteral("type")) == QLatin1String("command")
                && m.value(QStringLiteral("id")).toString() == record.id)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(gotCommand(), 10000);
    client.socket.sendTextMessage(QStringLiteral("{\"type\":\"ack\",\"id\":\"%1\",\"ok\":true}").arg(record.id));
    QTRY_VERIFY_WITH_TIMEOUT(f.server().command(record.id).has_value()
                                 && f.server().command(record.id)->counts.value(CommandState::Delivered) == 1,
                             10000);
    client.socket.close();
    qInfo("legitimate kiosk %s connected and acked a command in %lld ms", qPrintable(kiosk), timer.elapsed());
}

void TestAbuse::slowlorisHeadsDoNotStarveKiosks()
{
    ServerSettings settings = ServerFixture::defaults();
    settings.headTimeoutMs = 4000;
    settings.maxPendingHeads = 500; // the flood is twice that: the oldest heads go
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));

    const int count = 1000;
    const QList<QTcpSocket *> loris = openConnections(count, f.port());
    for (QTcpSocket *socket : loris) {
        QObject::connect(socket, &QTcpSocket::connected, socket, [socket] {
            socket->write("GET /v1/kiosk HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websock");
        });
    }
    QElapsedTimer timer;
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(connectedCount(loris) > 0, 5000);
    // Newcomers meet 503 while the held heads are young; once they have
    // waited a second they are the slow ones and make room.
    QTest::qWait(1200);
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    const int stillOpen = connectedCount(loris);
    qInfo("%d slow-loris sockets opened; %d still held after %lld ms (cap 500)", count, stillOpen, timer.elapsed());
    QVERIFY2(stillOpen <= 520, qPrintable(QString::number(stillOpen)));
    // The head timeout ends the rest.
    QTRY_COMPARE_WITH_TIMEOUT(connectedCount(loris), 0, 15000);
    qInfo("all slow-loris sockets closed %lld ms after the flood began", timer.elapsed());
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    qDeleteAll(loris);
}

void TestAbuse::idleTlsConnectionsDoNotStarveKiosks()
{
    TlsIdentity identity;
    QSslConfiguration trusting;
    QString error;
    QVERIFY2(makeTlsPair(&identity, &trusting, &error), qPrintable(error));
    ServerSettings settings = ServerFixture::defaults();
    settings.tls = true;
    settings.tlsHandshakeTimeoutMs = 2000;
    ServerFixture f(settings, identity);
    const QByteArray token = f.issue(QStringLiteral("lobby-tls"));

    // Plain TCP connections that never send a ClientHello.
    const QList<QTcpSocket *> idle = openConnections(1000, f.port());
    QTRY_VERIFY_WITH_TIMEOUT(connectedCount(idle) > 900, 10000);
    QElapsedTimer timer;
    timer.start();
    proveKioskServed(f, token, QStringLiteral("lobby-tls"), &trusting);
    QTRY_COMPARE_WITH_TIMEOUT(connectedCount(idle), 0, 15000);
    qInfo("1000 idle TLS connections closed within %lld ms of the kiosk's proof", timer.elapsed());
    qDeleteAll(idle);
}

void TestAbuse::tlsConnectionsWithoutHeadsDoNotStarveKiosks()
{
    TlsIdentity identity;
    QSslConfiguration trusting;
    QString error;
    QVERIFY2(makeTlsPair(&identity, &trusting, &error), qPrintable(error));
    ServerSettings settings = ServerFixture::defaults();
    settings.tls = true;
    settings.tlsHandshakeTimeoutMs = 5000; // the defaults: 5 s for the handshake, 10 s for the head
    settings.headTimeoutMs = 10000;
    ServerFixture f(settings, identity);
    const QByteArray token = f.issue(QStringLiteral("lobby-tls"));

    // Connections that finish the TLS handshake and then never send a
    // request head: the TLS timeout no longer applies, the head timeout must
    // (counted from the end of each handshake).
    const int count = 1000; // 2,000 descriptors in this process (client and server side)
    QList<QSslSocket *> idle;
    int refused408 = 0; // the gate's own count: what the clients read depends on their timing
    QObject::connect(&f.server(), &KioskServer::handshakeRefused, &f.server(),
                     [&refused408](const HandshakeRefusal &refusal) { refused408 += refusal.status == 408; });
    QElapsedTimer timer;
    timer.start();
    int encrypted = 0;
    int answered408 = 0;
    qint64 longestHeldMs = 0;
    auto settled = [&idle] {
        return std::all_of(idle.cbegin(), idle.cend(), [](QSslSocket *s) {
            return s->isEncrypted() || s->state() == QAbstractSocket::UnconnectedState;
        });
    };
    for (int i = 0; i < count; ++i) {
        // In waves of 100: a thousand handshakes begun at once on a busy
        // machine would meet the handshake timeout, not the head timeout.
        if (i % 100 == 0)
            QTRY_VERIFY_WITH_TIMEOUT(settled(), 30000);
        auto *socket = new QSslSocket;
        socket->setSslConfiguration(trusting);
        socket->bind(attacker(2 + i % 4), 0);
        auto encryptedAt = std::make_shared<qint64>(-1);
        QObject::connect(socket, &QSslSocket::encrypted, socket, [&, encryptedAt] {
            *encryptedAt = timer.elapsed();
            ++encrypted;
        });
        QObject::connect(socket, &QSslSocket::readyRead, socket, [socket, &answered408] {
            if (socket->readAll().startsWith("HTTP/1.1 408"))
                ++answered408;
        });
        QObject::connect(socket, &QSslSocket::disconnected, socket, [&, encryptedAt] {
            if (*encryptedAt >= 0)
                longestHeldMs = qMax(longestHeldMs, timer.elapsed() - *encryptedAt);
        });
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), f.port(), QStringLiteral("127.0.0.1"));
        idle.append(socket);
    }
    auto heldCount = [&] {
        int n = 0;
        for (QSslSocket *s : idle)
            n += s->isEncrypted() && s->state() == QAbstractSocket::ConnectedState;
        return n;
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 30000);
    QVERIFY2(encrypted >= count * 9 / 10, qPrintable(QString::number(encrypted)));
    const int heldDuringProof = heldCount();
    QElapsedTimer proof;
    proof.start();
    proveKioskServed(f, token, QStringLiteral("lobby-tls"), &trusting);
    const qint64 proofMs = proof.elapsed();
    QTRY_COMPARE_WITH_TIMEOUT(heldCount(), 0, 20000);
    qInfo("%d of %d TLS connections finished the handshake and sent nothing more; a wss kiosk was served in %lld ms "
          "while %d of them were held; all closed %lld ms after the flood began, each within %lld ms of its handshake "
          "(head timeout 10000 ms); the gate answered %d with 408, %d clients read it",
          encrypted, count, proofMs, heldDuringProof, timer.elapsed(), longestHeldMs, refused408, answered408);
    QVERIFY2(proofMs < 10000, qPrintable(QString::number(proofMs)));
    // 10 s, plus the gate's 250 ms sweep, plus scheduling on a loaded machine.
    QVERIFY2(longestHeldMs <= 10000 + 2000, qPrintable(QString::number(longestHeldMs)));
    QTRY_VERIFY_WITH_TIMEOUT(refused408 >= encrypted, 5000);
    proveKioskServed(f, token, QStringLiteral("lobby-tls"), &trusting);
    qDeleteAll(idle);
}

void TestAbuse::headerFloodsGet431()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    QByteArray manyFields;
    for (int i = 0; i < 65; ++i)
        manyFields += "X-Filler-" + QByteArray::number(i) + ": a\r\n";
    const QByteArray hugeLine = "X-Huge: " + QByteArray(9000, 'a') + "\r\n";
    QByteArray endless = "GET /v1/kiosk HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (int i = 0; i < 2000; ++i)
        endless += "X-More-" + QByteArray::number(i) + ": b\r\n"; // never ends

    QList<QTcpSocket *> floods;
    const QByteArray requests[] = {ServerFixture::upgrade(manyFields), ServerFixture::upgrade(hugeLine), endless};
    for (int i = 0; i < 150; ++i) {
        auto *socket = new QTcpSocket;
        socket->bind(attacker(3), 0);
        socket->connectToHost(QHostAddress::LocalHost, f.port());
        const QByteArray request = requests[i % 3];
        QObject::connect(socket, &QTcpSocket::connected, socket, [socket, request] { socket->write(request); });
        floods.append(socket);
    }
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    for (const QByteArray &request : requests) {
        const RawResponse response = f.send(request, attacker(4));
        QCOMPARE(response.status(), 431);
        QVERIFY(response.body.contains("request_head_too_large"));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(floods.cbegin(), floods.cend(), [](QTcpSocket *s) {
        s->readAll();
        return s->state() == QAbstractSocket::UnconnectedState;
    }), 15000);
    qDeleteAll(floods);
}

void TestAbuse::oversizedFramesAndFragmentFloods()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    const QByteArray flooder = f.issue(QStringLiteral("flooder"));

    // A frame announcing 1 GiB: refused from the header alone.
    RawKiosk big;
    QVERIFY(big.open(f.port(), flooder, attacker(5)));
    big.socket.write(clientFrameHeader(0x1, quint64(1) << 30));
    QCOMPARE(big.waitClose(10000), 1009);

    // A message grown from small fragments past the message cap.
    RawKiosk grown;
    QVERIFY(grown.open(f.port(), flooder, attacker(5)));
    grown.socket.write(clientFrame(0x1, QByteArray(1000, 'a'), false));
    for (int i = 0; i < 30; ++i) // 31 KB in 31 frames: under the rate limit's burst
        grown.socket.write(clientFrame(0x0, QByteArray(1000, 'a'), false));
    grown.socket.write(clientFrame(0x0, QByteArray(40000, 'a'), false));
    QCOMPARE(grown.waitClose(10000), 1009);

    // Endless empty continuation frames never grow the message: the frame
    // rate limit ends them.
    RawKiosk fragments;
    QVERIFY(fragments.open(f.port(), flooder, attacker(5)));
    QByteArray burst = clientFrame(0x1, "{", false);
    for (int i = 0; i < 5000; ++i)
        burst += clientFrame(0x0, {}, false);
    fragments.socket.write(burst);
    QCOMPARE(fragments.waitClose(10000), 1008);

    proveKioskServed(f, token, QStringLiteral("lobby-1"));
}

void TestAbuse::messageFloodClosesOnlyTheFlooder()
{
    ServerFixture f; // defaults: 20 messages per second, burst 40
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    KioskClient calm;
    calm.open(f.port(), token);
    QTRY_COMPARE_WITH_TIMEOUT(calm.kiosk, QStringLiteral("lobby-1"), 5000);

    KioskClient flooder;
    flooder.open(f.port(), f.issue(QStringLiteral("flooder")));
    QTRY_COMPARE_WITH_TIMEOUT(flooder.kiosk, QStringLiteral("flooder"), 5000);
    QElapsedTimer timer;
    timer.start();
    int sent = 0;
    for (; sent < 2000 && flooder.closeCode == -1; ++sent) {
        flooder.socket.sendTextMessage(QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"x\"}"));
        if (sent % 100 == 99)
            QTest::qWait(1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(flooder.closeCode, 1008, 10000);
    QCOMPARE(flooder.socket.closeReason(), QStringLiteral("message rate limit exceeded"));
    qInfo("flooder closed with 1008 after %d messages sent in %lld ms", sent, timer.elapsed());
    // A kiosk that stays inside the rate is never touched.
    for (int i = 0; i < 10; ++i) {
        calm.socket.sendTextMessage(QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"ok\"}"));
        QTest::qWait(60);
    }
    QCOMPARE(calm.closeCode, -1);
    QString error;
    const CommandRecord record = f.server().issueCommand(QStringLiteral("reset"), {QStringLiteral("lobby-1")},
                                                         QStringLiteral("abuse test"), &error);
    QVERIFY2(!record.id.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!calm.messages.isEmpty()
                                 && calm.messages.last().value(QStringLiteral("id")).toString() == record.id,
                             5000);
    QCOMPARE(calm.closeCode, -1);
}

void TestAbuse::pingFloodClosesOnlyTheFlooder()
{
    ServerFixture f; // defaults: 64 KiB per second, bursts of 256 KiB
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    QString reason;
    QObject::connect(&f.server(), &KioskServer::sessionClosed, &f.server(),
                     [&reason](const SessionInfo &session, int, const QString &why) {
                         if (session.kiosk == QLatin1String("pinger"))
                             reason = why;
                     });
    // A kiosk that pings now and then (QWebSocket::ping) is never touched.
    KioskClient calm;
    calm.open(f.port(), token);
    QTRY_COMPARE_WITH_TIMEOUT(calm.kiosk, QStringLiteral("lobby-1"), 5000);
    int pongs = 0;
    QObject::connect(&calm.socket, &QWebSocket::pong, &calm.socket, [&pongs] { ++pongs; });
    for (int i = 0; i < 20; ++i)
        calm.socket.ping(QByteArray(100, 'p'));
    QTRY_COMPARE_WITH_TIMEOUT(pongs, 20, 5000);

    // The flooder reads its pongs (it is no slow consumer): only the inbound
    // byte budget can stop it. At most 40 x 500 pings of 131 bytes (2.6 MB).
    RawKiosk pinger;
    QVERIFY(pinger.open(f.port(), f.issue(QStringLiteral("pinger")), attacker(13)));
    QByteArray burst;
    for (int i = 0; i < 500; ++i)
        burst += clientFrame(0x9, QByteArray(125, 'x'));
    QElapsedTimer timer;
    timer.start();
    int code = -1;
    qint64 sent = 0;
    for (int round = 0; round < 40 && code == -1; ++round) {
        pinger.socket.write(burst);
        sent += burst.size();
        code = pinger.waitClose(50);
    }
    if (code == -1)
        code = pinger.waitClose(10000);
    QCOMPARE(code, 1008);
    QTRY_COMPARE_WITH_TIMEOUT(reason, QStringLiteral("inbound byte limit exceeded"), 5000);
    qInfo("ping flooder closed with 1008 after %lld bytes of pings (%lld pings) in %lld ms",
          sent, sent / 131, timer.elapsed());
    QVERIFY2(sent < 2 * 1024 * 1024, qPrintable(QString::number(sent)));
    QCOMPARE(calm.closeCode, -1);
    proveKioskServed(f, f.issue(QStringLiteral("lobby-2")), QStringLiteral("lobby-2"));
    QCOMPARE(calm.closeCode, -1);
}

void TestAbuse::bruteForceIsThrottledPerAddress()
{
    ServerSettings settings = ServerFixture::defaults();
    settings.failureBurst = 5;
    settings.failureRefillMs = 60000;
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    const QByteArray real = f.issue(QStringLiteral("lobby-2"));
    // Guesses: the real token with its last characters changed.
    int refused401 = 0, refused429 = 0;
    QByteArray retryAfter;
    for (int i = 0; i < 60; ++i) {
        QByteArray guess = real;
        guess.chop(4);
        guess += QByteArray::number(1000 + i);
        const RawResponse response = f.send(ServerFixture::upgrade("Authorization: Bearer " + guess + "\r\n"), attacker(6));
        if (response.status() == 401)
            ++refused401;
        else if (response.status() == 429) {
            ++refused429;
            retryAfter = response.value("Retry-After");
        }
    }
    qInfo("60 guesses from one address: %d answered 401, %d answered 429 (Retry-After %s)", refused401,
          refused429, retryAfter.constData());
    QCOMPARE(refused401, 5);
    QCOMPARE(refused429, 55);
    QVERIFY(retryAfter.toInt() >= 1);
    // Even the right token waits out the budget from that address...
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + real + "\r\n"), attacker(6)).status(), 429);
    // ...while another address is untouched.
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer garbage.x.y\r\n"), attacker(7)).status(), 401);
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + real + "\r\n"), attacker(7)).status(), 101);
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
}

void TestAbuse::connectionsPerTokenAndPerAddressAreCapped()
{
    ServerSettings settings = ServerFixture::defaults();
    settings.maxConnectionsPerToken = 3;
    settings.maxConnectionsPerAddress = 20;
    ServerFixture f(settings);
    const QByteArray shared = f.issue(QStringLiteral("shared"));
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));

    QList<QTcpSocket *> open;
    for (int i = 0; i < 3; ++i) {
        QTcpSocket *socket = nullptr;
        const RawResponse ok = f.send(ServerFixture::upgrade("Authorization: Bearer " + shared + "\r\n"),
                                      attacker(8), 5000, &socket);
        QCOMPARE(ok.status(), 101);
        open.append(socket);
    }
    for (int i = 0; i < 20; ++i) {
        const RawResponse refused = f.send(ServerFixture::upgrade("Authorization: Bearer " + shared + "\r\n"), attacker(9));
        QCOMPARE(refused.status(), 429);
        QVERIFY(refused.body.contains("too_many_connections_for_token"));
        QCOMPARE(refused.value("Retry-After"), QByteArray("5"));
    }
    // 429 spends no failure budget, and other tokens are not affected.
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    // Room again once one of them leaves.
    open.takeFirst()->abort();
    QTRY_COMPARE_WITH_TIMEOUT(
        f.send(ServerFixture::upgrade("Authorization: Bearer " + shared + "\r\n"), attacker(9)).status(), 101, 5000);
    // The cap follows settings applied while running (the console's path).
    // Two sessions stay open: a cap of 2 refuses the next, a cap of 5 lets it in.
    ServerSettings changed = f.server().settings();
    QString error;
    changed.maxConnectionsPerToken = 2;
    QVERIFY2(f.server().applySettings(changed, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(
        f.send(ServerFixture::upgrade("Authorization: Bearer " + shared + "\r\n"), attacker(9)).status(), 429, 5000);
    changed.maxConnectionsPerToken = 5;
    QVERIFY2(f.server().applySettings(changed, &error), qPrintable(error));
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + shared + "\r\n"), attacker(9)).status(), 101);

    // Per address: 20 unfinished heads and sessions from one host, then 429.
    QList<QTcpSocket *> heads;
    for (int i = 0; i < 20; ++i) {
        auto *socket = new QTcpSocket;
        socket->bind(attacker(10), 0);
        socket->connectToHost(QHostAddress::LocalHost, f.port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write("GET /v1/kiosk HTTP/1.1\r\n");
        heads.append(socket);
    }
    QTest::qWait(200);
    const RawResponse busy = f.send(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"), attacker(10));
    QCOMPARE(busy.status(), 429);
    QVERIFY(busy.body.contains("too_many_connections_from_address"));
    QVERIFY(!busy.value("Retry-After").isEmpty());
    QCOMPARE(f.send(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"), attacker(11)).status(), 101);
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    qDeleteAll(heads);
    qDeleteAll(open);
}

void TestAbuse::malformedAndUnknownMessagesAreAnswered()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    KioskClient kiosk;
    kiosk.open(f.port(), token);
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-1"), 5000);
    const QString nested = QString(20000, QLatin1Char('[')); // deeper than any parser should go
    const QStringList bad = {QStringLiteral("not json"), QStringLiteral("[]"), QStringLiteral("42"),
                             QStringLiteral("{\"type\":\"format-disk\"}"), QStringLiteral("{}"),
                             QStringLiteral("{\"type\":7}"), nested, QStringLiteral("{\"type\":\"ack\""),
                             // "ok" is true or false; anything else is not an answer
                             QStringLiteral("{\"type\":\"ack\",\"id\":\"0000000000000000\",\"ok\":\"false\"}"),
                             QStringLiteral("{\"type\":\"ack\",\"id\":\"0000000000000000\",\"ok\":0}")};
    const QStringList expected = {QStringLiteral("malformed_message"), QStringLiteral("malformed_message"),
                                  QStringLiteral("malformed_message"), QStringLiteral("unknown_type"),
                                  QStringLiteral("unknown_type"), QStringLiteral("unknown_type"),
                                  QStringLiteral("malformed_message"), QStringLiteral("malformed_message"),
                                  QStringLiteral("malformed_message"), QStringLiteral("malformed_message")};
    for (int round = 0; round < 3; ++round) { // 30 messages: inside the burst of 40
        for (const QString &text : bad)
            kiosk.socket.sendTextMessage(text);
    }
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.messages.size(), 1 + 3 * int(bad.size()), 10000);
    for (int i = 0; i < 3 * bad.size(); ++i) {
        const QJsonObject reply = kiosk.messages.at(1 + i);
        QCOMPARE(reply.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
        QCOMPARE(reply.value(QStringLiteral("error")).toString(), expected.at(i % bad.size()));
    }
    // Acks and dones for commands nobody gave change nothing and get no reply.
    kiosk.socket.sendTextMessage(QStringLiteral("{\"type\":\"ack\",\"id\":\"0000000000000000\",\"ok\":true}"));
    kiosk.socket.sendTextMessage(QStringLiteral("{\"type\":\"done\",\"id\":\"../../etc\"}"));
    QTest::qWait(300);
    QCOMPARE(kiosk.messages.size(), 1 + 3 * int(bad.size()));
    QCOMPARE(kiosk.closeCode, -1);
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    QCOMPARE(kiosk.closeCode, -1);
}

void TestAbuse::clientsThatNeverReadAreDropped()
{
    ServerSettings settings = ServerFixture::defaults();
    settings.maxWriteBufferBytes = 64 * 1024;
    settings.messagesPerSecond = 100000; // this case is about the write side
    settings.messageBurst = 1000000;
    settings.inboundBytesPerSecond = 64 * 1024 * 1024; // each sends 400 KB of requests at once
    settings.inboundByteBurst = 64 * 1024 * 1024;
    ServerFixture f(settings);
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    int dropped = 0;
    QObject::connect(&f.server(), &KioskServer::sessionClosed, &f.server(),
                     [&dropped](const SessionInfo &session, int code, const QString &reason) {
                         if (session.kiosk == QLatin1String("deaf") && code == 1008
                             && reason == QLatin1String("write buffer over limit"))
                             ++dropped;
                     });
    // Earlier cases (1,000 TLS connections) left a higher peak behind.
    [[maybe_unused]] const bool peakReset = resetPeakRss(); // asserted where RSS is (below)
    const qint64 rssBefore = procStatusKiB("VmRSS:");
    const qint64 peakBefore = procStatusKiB("VmHWM:");

    // Each deaf client asks for ~2 MB of error replies and reads none.
    const int clients = 20;
    QByteArray requests;
    for (int i = 0; i < 50000; ++i)
        requests += clientFrame(0x1, "{}");
    QList<RawKiosk *> deafs;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < clients; ++i) {
        auto *client = new RawKiosk;
        // One token each: the per-token cap is not what this case is about.
        QVERIFY(client->open(f.port(), f.issue(QStringLiteral("deaf")), attacker(12), 4096));
        client->socket.write(requests);
        deafs.append(client);
    }
    // Their sessions go; none of their replies is read meanwhile.
    QTRY_COMPARE_WITH_TIMEOUT(dropped, clients, 20000);
    const qint64 droppedMs = timer.elapsed();
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    const qint64 rssAfter = procStatusKiB("VmRSS:");
    const qint64 peakAfter = procStatusKiB("VmHWM:");
    qInfo("%d clients that never read connected, flooded and dropped within %lld ms; RSS %lld KiB before, %lld KiB after; "
          "peak RSS %lld KiB before, %lld KiB after (client buffers included)",
          clients, droppedMs, rssBefore, rssAfter, peakBefore, peakAfter);
    // Unbounded, the server alone would queue 20 x 2 MB of replies; the
    // client side of this process holds 20 x 400 KB of requests at most.
#if defined(Q_OS_LINUX) && !defined(__SANITIZE_ADDRESS__)
    // RSS comes from /proc (Linux). Under AddressSanitizer, quarantine and
    // shadow memory make it say nothing about the server's buffers. The
    // drops above are asserted everywhere.
    QVERIFY2(peakReset, "cannot reset the peak RSS (/proc/self/clear_refs)");
    QVERIFY2(peakAfter - rssBefore < 32 * 1024,
             qPrintable(QStringLiteral("peak grew by %1 KiB").arg(peakAfter - rssBefore)));
#endif
    qDeleteAll(deafs);
}

QTEST_MAIN(TestAbuse)
#include "tst_abuse.moc"
