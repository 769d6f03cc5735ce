// DirectWriteSocket over real loopback TCP: writes reach the peer without
// passing through Qt's buffer, the byte order survives a peer that stops
// reading (kernel full -> Qt's buffer -> kernel again), and the bytes the
// peer has not taken are counted wherever they wait.

#include "DirectWriteSocket.h"
#include "LoopbackListener.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using namespace KioskGate;

class TestDirectWriteSocket : public QObject
{
    Q_OBJECT

private slots:
    void writesGoStraightToTheKernel();
    void orderSurvivesAPeerThatStopsReading();
    void heldWritesLeaveTogetherOnRelease();
    void unsentUpperBoundCountsWritesSinceLastLook();
    void offMeansAPlainQTcpSocket();

private:
    struct Pair
    {
        std::unique_ptr<DirectWriteSocket> server;
        std::unique_ptr<QTcpSocket> client;
    };
    static Pair connectedPair(int clientReceiveBuffer = 0);
};

TestDirectWriteSocket::Pair TestDirectWriteSocket::connectedPair(int clientReceiveBuffer)
{
    LoopbackListener<DirectWriteSocket> listener; // as the gate accepts
    if (!listener.listen(QHostAddress::LocalHost))
        return {};
    Pair pair;
    pair.client = std::make_unique<QTcpSocket>();
    if (clientReceiveBuffer > 0) {
        // Before connect(): the window scale is fixed in the SYN, and a
        // machine with large tcp_rmem defaults would otherwise take every
        // byte the test writes. QTcpSocket drops socket options set before
        // it has a socket; bind() gives it one (as RawKiosk in AbuseKit.h).
        if (!pair.client->bind(QHostAddress::LocalHost, 0))
            return {};
        pair.client->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption,
                                     clientReceiveBuffer);
    }
    pair.client->connectToHost(QHostAddress::LocalHost, listener.serverPort());
    if (!pair.client->waitForConnected(5000))
        return {};
    QElapsedTimer timer;
    timer.start();
    while (listener.accepted.empty() && timer.elapsed() < 5000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    if (!listener.accepted.empty())
        pair.server = std::move(listener.accepted.front());
    if (!pair.server)
        pair.client.reset();
    return pair;
}

void TestDirectWriteSocket::writesGoStraightToTheKernel()
{
    Pair pair = connectedPair();
    QVERIFY(pair.server && pair.client);
    pair.server->setDirectWrites(true);
    const QByteArray message("HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello", 41);
    QCOMPARE(pair.server->write(message), qint64(message.size()));
#ifdef Q_OS_LINUX
    // Nothing waits in Qt's buffer: the kernel has it already.
    QCOMPARE(pair.server->bytesToWrite(), qint64(0));
    QCOMPARE(pair.server->directBytes(), qint64(message.size()));
#endif
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += pair.client->readAll()).size() >= message.size(), 5000);
    QCOMPARE(received, message);
    // Read and acknowledged: nothing unsent any more.
    QTRY_COMPARE_WITH_TIMEOUT(pair.server->unsentBytes(), qint64(0), 5000);
}

void TestDirectWriteSocket::orderSurvivesAPeerThatStopsReading()
{
    Pair pair = connectedPair(4096);
    QVERIFY(pair.server && pair.client);
    // The client stops taking bytes from its kernel once Qt holds 4 KiB.
    pair.client->setReadBufferSize(4096);
    pair.server->setDirectWrites(true);
    pair.server->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 16384);

    // Numbered records, written while the client reads nothing: the kernel
    // fills up, then Qt's buffer takes the rest.
    QByteArray expected;
    const int records = 20000;
    for (int i = 0; i < records; ++i) {
        const QByteArray record = QByteArray::number(i).rightJustified(8, '0') + '\n';
        expected += record;
        QCOMPARE(pair.server->write(record), qint64(record.size()));
    }
#ifdef Q_OS_LINUX
    QVERIFY2(pair.server->bytesToWrite() > 0, "the kernel never refused: the test did not reach Qt's buffer");
    QVERIFY(pair.server->directBytes() > 0);
#endif
    // Qt flushes its part into the kernel until the kernel's send queue is
    // full too (the client's window is closed): now bytes wait in both.
    QTest::qWait(300);
    const qint64 unsent = pair.server->unsentBytes();
    qInfo("%d bytes written, %lld of them directly; %lld still in Qt's buffer, %lld unsent in all",
          int(expected.size()), pair.server->directBytes(), pair.server->bytesToWrite(), unsent);
#ifdef Q_OS_LINUX
    QVERIFY2(unsent > pair.server->bytesToWrite(), "the kernel's send queue is not counted");
#endif
    QVERIFY(unsent > 0);
    QVERIFY(unsent <= expected.size());

    QByteArray received;
    pair.client->setReadBufferSize(0); // read again, all of it
    QElapsedTimer timer;
    timer.start();
    while (received.size() < expected.size() && timer.elapsed() < 20000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        pair.client->waitForReadyRead(10);
        received += pair.client->readAll();
    }
    QCOMPARE(received.size(), expected.size());
    QVERIFY2(received == expected, "bytes arrived out of order");
    QTRY_COMPARE_WITH_TIMEOUT(pair.server->unsentBytes(), qint64(0), 5000);
}

void TestDirectWriteSocket::heldWritesLeaveTogetherOnRelease()
{
    Pair pair = connectedPair();
    QVERIFY(pair.server && pair.client);
    pair.server->setDirectWrites(true);
    pair.server->holdWrites();
    const QByteArray answer("HTTP/1.1 101 Switching Protocols\r\n\r\n");
    const QByteArray welcome("\x81\x11{\"type\":\"welcome\"}", 19);
    QCOMPARE(pair.server->write(answer), qint64(answer.size()));
    QCOMPARE(pair.server->write(welcome), qint64(welcome.size()));
    // Held: not in the kernel, not in Qt's buffer, but counted as unsent.
    QCOMPARE(pair.server->bytesToWrite(), qint64(0));
    QCOMPARE(pair.server->directBytes(), qint64(0));
    QCOMPARE(pair.server->unsentBytes(), qint64(answer.size() + welcome.size()));
    QTest::qWait(100);
    QCOMPARE(pair.client->bytesAvailable(), qint64(0));

    pair.server->releaseWrites();
#ifdef Q_OS_LINUX
    QCOMPARE(pair.server->directBytes(), qint64(answer.size() + welcome.size()));
#endif
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += pair.client->readAll()).size() >= answer.size() + welcome.size(), 5000);
    QCOMPARE(received, answer + welcome);
    // Released for good: the next write goes straight out.
    QCOMPARE(pair.server->write("more"), qint64(4));
    QByteArray more;
    QTRY_COMPARE_WITH_TIMEOUT((more += pair.client->readAll()), QByteArray("more"), 5000);
}

void TestDirectWriteSocket::offMeansAPlainQTcpSocket()
{
    Pair pair = connectedPair();
    QVERIFY(pair.server && pair.client);
    QSignalSpy written(pair.server.get(), &QIODevice::bytesWritten);
    QCOMPARE(pair.server->write("plain"), qint64(5));
    QCOMPARE(pair.server->directBytes(), qint64(0));
    QCOMPARE(pair.server->bytesToWrite(), qint64(5)); // Qt's buffer, flushed later
    QTRY_COMPARE_WITH_TIMEOUT(written.size(), 1, 5000);
    QByteArray received;
    QTRY_COMPARE_WITH_TIMEOUT((received += pair.client->readAll()), QByteArray("plain"), 5000);
}

void TestDirectWriteSocket::unsentUpperBoundCountsWritesSinceLastLook()
{
    Pair pair = connectedPair();
    QVERIFY(pair.server && pair.client);
    pair.server->setDirectWrites(true);
    QCOMPARE(pair.server->unsentUpperBound(), qint64(0));
    pair.server->holdWrites();
    QCOMPARE(pair.server->write("held-"), qint64(5));
    QCOMPARE(pair.server->unsentUpperBound(), qint64(5));
    pair.server->releaseWrites(); // the same bytes, not counted twice
    QCOMPARE(pair.server->unsentUpperBound(), qint64(5));
    QCOMPARE(pair.server->write("and more"), qint64(8));
    QCOMPARE(pair.server->unsentUpperBound(), qint64(13));
    QVERIFY(pair.server->unsentUpperBound() >= pair.server->unsentBytes());

    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += pair.client->readAll()).size() >= 13, 5000);
    QCOMPARE(received, QByteArray("held-and more"));
    // Once the kernel says all was taken, the bound starts again from there.
    QTRY_COMPARE_WITH_TIMEOUT(pair.server->unsentBytes(), qint64(0), 5000);
    QCOMPARE(pair.server->unsentUpperBound(), qint64(0));
}

QTEST_MAIN(TestDirectWriteSocket)
#include "tst_directwritesocket.moc"
