// Abuse after the upgrade, over loopback against an in-process server:
// oversized frames and fragment floods, message and ping floods, malformed
// messages, and clients that never read. Every case proves that a
// legitimate kiosk keeps connecting and receiving commands while the abuse
// runs. Attackers come from other loopback addresses (127.0.0.2 and up).
// Every loop is bounded.

#include "AbuseKit.h"

#include <memory>

using namespace KioskGate;
using namespace KioskGate::AbuseKit;

class TestSessionAbuse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oversizedFramesAndFragmentFloods();
    void messageFloodClosesOnlyTheFlooder();
    void pingFloodClosesOnlyTheFlooder();
    void malformedAndUnknownMessagesAreAnswered();
    void clientsThatNeverReadAreDropped();
};

void TestSessionAbuse::oversizedFramesAndFragmentFloods()
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

void TestSessionAbuse::messageFloodClosesOnlyTheFlooder()
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
        flooder.socket.sendTextMessage(
            QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"x\"}"));
        if (sent % 100 == 99)
            QTest::qWait(1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(flooder.closeCode, 1008, 10000);
    QCOMPARE(flooder.socket.closeReason(), QStringLiteral("message rate limit exceeded"));
    qInfo("flooder closed with 1008 after %d messages sent in %lld ms", sent, timer.elapsed());
    // A kiosk that stays inside the rate is never touched.
    for (int i = 0; i < 10; ++i) {
        calm.socket.sendTextMessage(
            QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"ok\"}"));
        QTest::qWait(60);
    }
    QCOMPARE(calm.closeCode, -1);
    QString error;
    const CommandRecord record
        = f.server().issueCommand(QStringLiteral("reset"), { QStringLiteral("lobby-1") },
                                  QStringLiteral("abuse test"), &error);
    QVERIFY2(!record.id.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!calm.messages.isEmpty()
                                 && calm.messages.last().value(QStringLiteral("id")).toString()
                                     == record.id,
                             5000);
    QCOMPARE(calm.closeCode, -1);
}

void TestSessionAbuse::pingFloodClosesOnlyTheFlooder()
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
    qInfo("ping flooder closed with 1008 after %lld bytes of pings (%lld pings) in %lld ms", sent,
          sent / 131, timer.elapsed());
    QVERIFY2(sent < 2 * 1024 * 1024, qPrintable(QString::number(sent)));
    QCOMPARE(calm.closeCode, -1);
    proveKioskServed(f, f.issue(QStringLiteral("lobby-2")), QStringLiteral("lobby-2"));
    QCOMPARE(calm.closeCode, -1);
}

void TestSessionAbuse::malformedAndUnknownMessagesAreAnswered()
{
    ServerFixture f;
    const QByteArray token = f.issue(QStringLiteral("lobby-1"));
    KioskClient kiosk;
    kiosk.open(f.port(), token);
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-1"), 5000);
    const QString nested = QString(20000, QLatin1Char('[')); // deeper than any parser should go
    const QStringList bad
        = { QStringLiteral("not json"), QStringLiteral("[]"), QStringLiteral("42"),
            QStringLiteral("{\"type\":\"format-disk\"}"), QStringLiteral("{}"),
            QStringLiteral("{\"type\":7}"), nested, QStringLiteral("{\"type\":\"ack\""),
            // "ok" is true or false; anything else is not an answer
            QStringLiteral("{\"type\":\"ack\",\"id\":\"0000000000000000\",\"ok\":\"false\"}"),
            QStringLiteral("{\"type\":\"ack\",\"id\":\"0000000000000000\",\"ok\":0}") };
    const QStringList expected
        = { QStringLiteral("malformed_message"), QStringLiteral("malformed_message"),
            QStringLiteral("malformed_message"), QStringLiteral("unknown_type"),
            QStringLiteral("unknown_type"),      QStringLiteral("unknown_type"),
            QStringLiteral("malformed_message"), QStringLiteral("malformed_message"),
            QStringLiteral("malformed_message"), QStringLiteral("malformed_message") };
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
    kiosk.socket.sendTextMessage(
        QStringLiteral("{\"type\":\"ack\",\"id\":\"0000000000000000\",\"ok\":true}"));
    kiosk.socket.sendTextMessage(QStringLiteral("{\"type\":\"done\",\"id\":\"../../etc\"}"));
    QTest::qWait(300);
    QCOMPARE(kiosk.messages.size(), 1 + 3 * int(bad.size()));
    QCOMPARE(kiosk.closeCode, -1);
    proveKioskServed(f, token, QStringLiteral("lobby-1"));
    QCOMPARE(kiosk.closeCode, -1);
}

void TestSessionAbuse::clientsThatNeverReadAreDropped()
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
    qInfo("%d clients that never read connected, flooded and dropped within %lld ms; RSS %lld KiB "
          "before, %lld KiB after; "
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

QTEST_MAIN(TestSessionAbuse)
#include "tst_sessionabuse.moc"
