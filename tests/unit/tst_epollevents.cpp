// The epoll event dispatcher of the network threads, run as the dispatcher
// of this test's own main thread (and of worker threads): socket notifiers,
// posted events, wake-ups and interrupts from other threads, processEvents
// flags, deferred deletes, thread exit and TCP over the dispatcher. Upper
// time bounds only guard against hangs. Helper threads are std::threads, and
// the call to the worker goes through TsanHandover with a std::promise to
// wait on: synchronisation ThreadSanitizer sees (Debian's Qt is not
// instrumented, so QThread::wait(), blocking queued calls and the event
// queue look unsynchronised to it).

#include "EpollTestKit.h"
#include "TsanHandover.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <future>
#include <netinet/in.h>
#include <thread>

using namespace KioskGate;
using namespace KioskGate::EpollTestKit;

namespace {

// How long one blocking pass of this thread's dispatcher lasts when another
// thread calls `end` 50 ms into it. A guard timer bounds the pass if `end`
// were lost.
qint64 blockingPassEndedBy(const std::function<void()> &end)
{
    QTimer guard;
    guard.setSingleShot(true);
    guard.start(10 * Slack);
    QElapsedTimer clock;
    clock.start();
    std::thread other([&end] {
        QThread::msleep(50);
        end();
    });
    QAbstractEventDispatcher::instance()->processEvents(QEventLoop::WaitForMoreEvents);
    const qint64 took = clock.elapsed();
    other.join();
    return took;
}

} // namespace

class TestEpollEvents : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(mainDispatcher() && mainDispatcher()->isValid()); }
    void readNotifier();
    void writeNotifierToggles();
    void exceptionNotifierOnUrgentData();
    void hangUpActivatesReadNotifier();
    void notifierDeletedByAnotherInSamePass();
    void notifierFdReusedAfterClose();
    void postedEventsDelivered();
    void postFromOtherThreadWakesBlockingWait();
    void wakeUpFromOtherThread();
    void interruptFromOtherThread();
    void excludeSocketNotifiers();
    void deferredDeleteWaitsForOuterLoop();
    void workerThreadRunsAndExits();
    void tcpEchoOverDispatcher();
};

void TestEpollEvents::readNotifier()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&](QSocketDescriptor fd) {
        QCOMPARE(int(fd), pair.fds[0]);
        char buffer[16];
        while (::read(pair.fds[0], buffer, sizeof buffer) > 0) { }
        ++activations;
    });
    QTest::qWait(30);
    QCOMPARE(activations, 0);
    QCOMPARE(::write(pair.fds[1], "hello", 5), ssize_t(5));
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, Slack);
    QTest::qWait(30);
    QCOMPARE(activations, 1); // level-triggered, but drained
    notifier.setEnabled(false);
    QCOMPARE(::write(pair.fds[1], "again", 5), ssize_t(5));
    QTest::qWait(30);
    QCOMPARE(activations, 1);
    notifier.setEnabled(true);
    QTRY_COMPARE_WITH_TIMEOUT(activations, 2, Slack);
}

void TestEpollEvents::writeNotifierToggles()
{
    SocketPair pair;
    auto *dispatcher = mainDispatcher();
    const int sockets = dispatcher->socketCount();
    QSocketNotifier read(pair.fds[0], QSocketNotifier::Read);
    QSocketNotifier write(pair.fds[0], QSocketNotifier::Write);
    QCOMPARE(dispatcher->socketCount(), sockets + 1); // one epoll entry per fd
    int writable = 0;
    connect(&write, &QSocketNotifier::activated, this, [&] {
        ++writable;
        write.setEnabled(false); // as QAbstractSocket does once its buffer is out
    });
    QTRY_COMPARE_WITH_TIMEOUT(writable, 1, Slack);
    for (int i = 0; i < 100; ++i) {
        write.setEnabled(true);
        QCoreApplication::processEvents();
    }
    QCOMPARE(writable, 101);
    read.setEnabled(false);
    QCOMPARE(dispatcher->socketCount(), sockets);
}

void TestEpollEvents::exceptionNotifierOnUrgentData()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(Slack));
    QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), Slack);
    QTcpSocket *accepted = server.nextPendingConnection();
    const int fd = int(accepted->socketDescriptor());
    // Take the socket away from QTcpSocket's own notifiers.
    accepted->setReadBufferSize(1);
    QSocketNotifier urgent(fd, QSocketNotifier::Exception);
    int activations = 0;
    connect(&urgent, &QSocketNotifier::activated, this, [&] {
        ++activations;
        char byte = 0;
        ::recv(fd, &byte, 1, MSG_OOB);
    });
    const char mark = '!';
    QCOMPARE(::send(int(client.socketDescriptor()), &mark, 1, MSG_OOB), ssize_t(1));
    QTRY_VERIFY_WITH_TIMEOUT(activations >= 1, Slack);
}

void TestEpollEvents::hangUpActivatesReadNotifier()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    bool activated = false;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        activated = true;
        notifier.setEnabled(false);
    });
    pair.closeOne(1);
    QTRY_VERIFY_WITH_TIMEOUT(activated, Slack);
}

void TestEpollEvents::notifierDeletedByAnotherInSamePass()
{
    SocketPair a;
    SocketPair b;
    auto *first = new QSocketNotifier(a.fds[0], QSocketNotifier::Read);
    QPointer<QSocketNotifier> second = new QSocketNotifier(b.fds[0], QSocketNotifier::Read);
    int firstCalls = 0;
    int secondCalls = 0;
    // Whichever runs first deletes the other: the other must not run in
    // that same pass.
    connect(first, &QSocketNotifier::activated, this, [&] {
        ++firstCalls;
        delete second;
        first->setEnabled(false);
    });
    connect(second, &QSocketNotifier::activated, this, [&] {
        ++secondCalls;
        delete first;
        first = nullptr;
        second->setEnabled(false);
    });
    QCOMPARE(::write(a.fds[1], "x", 1), ssize_t(1));
    QCOMPARE(::write(b.fds[1], "x", 1), ssize_t(1));
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    QTRY_COMPARE_WITH_TIMEOUT(firstCalls + secondCalls, 1, Slack);
    QTest::qWait(30);
    QCOMPARE(firstCalls + secondCalls, 1);
    delete first;
    delete second;
}

void TestEpollEvents::notifierFdReusedAfterClose()
{
    // A descriptor closed while its notifier was still enabled (the kernel
    // drops it from the epoll set) and then reused by a new socket.
    int reused = -1;
    {
        SocketPair pair;
        auto *stale = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
        reused = pair.fds[0];
        pair.closeOne(0);
        delete stale;
    }
    SocketPair fresh;
    QSocketNotifier notifier(fresh.fds[0], QSocketNotifier::Read);
    bool activated = false;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        activated = true;
        notifier.setEnabled(false);
    });
    QCOMPARE(::write(fresh.fds[1], "x", 1), ssize_t(1));
    QTRY_VERIFY_WITH_TIMEOUT(activated, Slack);
    Q_UNUSED(reused);
}

void TestEpollEvents::postedEventsDelivered()
{
    EventCounter receiver;
    for (int i = 0; i < 1000; ++i)
        QCoreApplication::postEvent(&receiver, new CustomEvent);
    QCOMPARE(receiver.received.load(), 0);
    QCoreApplication::processEvents();
    QCOMPARE(receiver.received.load(), 1000);
    bool queued = false;
    QMetaObject::invokeMethod(
        this, [&] { queued = true; }, Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(queued, Slack);
}

void TestEpollEvents::postFromOtherThreadWakesBlockingWait()
{
    EventCounter receiver;
    std::thread poster([&receiver] {
        QThread::msleep(50);
        QCoreApplication::postEvent(&receiver, new CustomEvent);
    });
    QElapsedTimer clock;
    clock.start();
    // Only the post (or this guard) can end the wait.
    QTimer guard;
    guard.setSingleShot(true);
    guard.start(10 * Slack);
    while (receiver.received.load() == 0 && clock.elapsed() < 10 * Slack)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    QCOMPARE(receiver.received.load(), 1);
    QVERIFY2(clock.elapsed() < 5 * Slack, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(receiver.threads.first(), QThread::currentThread());
    poster.join();
}

void TestEpollEvents::wakeUpFromOtherThread()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    const qint64 took = blockingPassEndedBy([dispatcher] { dispatcher->wakeUp(); });
    QVERIFY2(took < 5 * Slack, qPrintable(QString::number(took)));
}

void TestEpollEvents::interruptFromOtherThread()
{
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, &loop, [&loop] { loop.exit(1); });
    guard.start(10 * Slack);
    std::thread quitter([&loop] {
        QThread::msleep(50);
        loop.quit(); // QEventLoop::exit interrupts the dispatcher
    });
    QCOMPARE(loop.exec(), 0);
    quitter.join();
    // interrupt() itself also ends a blocking pass.
    auto *dispatcher = QAbstractEventDispatcher::instance();
    QVERIFY(blockingPassEndedBy([dispatcher] { dispatcher->interrupt(); }) < 5 * Slack);
}

void TestEpollEvents::excludeSocketNotifiers()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++activations;
        notifier.setEnabled(false);
    });
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    bool timerFired = false;
    QTimer::singleShot(30, this, [&] { timerFired = true; });
    // Waiting with sockets excluded ends with the timer, not at once in a
    // spin on the readable socket, and leaves the socket alone.
    int passes = 0;
    while (!timerFired && passes < 1000) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents
                                        | QEventLoop::ExcludeSocketNotifiers);
        ++passes;
    }
    QVERIFY(timerFired);
    QVERIFY2(passes < 20, qPrintable(QString::number(passes)));
    QCOMPARE(activations, 0);
    QCoreApplication::processEvents();
    QCOMPARE(activations, 1);
}

void TestEpollEvents::deferredDeleteWaitsForOuterLoop()
{
    QPointer<QObject> doomed;
    bool aliveAfterNested = false;
    bool done = false;
    QTimer::singleShot(0, this, [&] {
        doomed = new QObject;
        doomed->deleteLater();
        QEventLoop nested;
        QTimer::singleShot(50, &nested, &QEventLoop::quit);
        nested.exec();
        aliveAfterNested = !doomed.isNull();
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Slack);
    QVERIFY(aliveAfterNested); // deleteLater from an outer level waits for it
    QTRY_VERIFY_WITH_TIMEOUT(doomed.isNull(), Slack);
}

void TestEpollEvents::workerThreadRunsAndExits()
{
    QThread thread;
    auto *dispatcher = createNetworkEventDispatcher();
    QVERIFY(dispatcher);
    thread.setEventDispatcher(dispatcher);
    QCOMPARE(thread.eventDispatcher(), dispatcher);

    SocketPair pair;
    auto *worker = new QObject;
    worker->moveToThread(&thread);
    std::atomic<int> ticks { 0 };
    std::atomic<int> reads { 0 };
    std::atomic<bool> ranOnWorker { false };
    QSocketNotifier *notifier = nullptr;
    connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
    QPointer<QObject> watch(worker);
    thread.start();
    std::promise<void> set;
    // TsanHandover: the call's captures are written here and read there,
    // ordered by Qt's event queue, which ThreadSanitizer cannot see.
    TsanHandover::post(
        worker, [&, worker] {
            ranOnWorker = QThread::currentThread() != qApp->thread()
                && QAbstractEventDispatcher::instance() == dispatcher;
            auto *timer = new QTimer(worker);
            QObject::connect(timer, &QTimer::timeout, worker, [&] { ++ticks; });
            timer->start(5);
            notifier = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read, worker);
            QObject::connect(notifier, &QSocketNotifier::activated, worker, [&] {
                char buffer[8];
                while (::read(pair.fds[0], buffer, sizeof buffer) > 0)
                    ++reads;
            });
            set.set_value();
        });
    set.get_future().wait();
    QVERIFY(ranOnWorker);
    QCOMPARE(::write(pair.fds[1], "abc", 3), ssize_t(3));
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 3 && reads.load() >= 1, Slack);
    thread.quit();
    QVERIFY(thread.wait(Slack));
    QTRY_VERIFY_WITH_TIMEOUT(watch.isNull(), Slack); // deleted as the thread finished
}

void TestEpollEvents::tcpEchoOverDispatcher()
{
    // QTcpServer and QTcpSocket, which toggle notifiers on every write.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket,
                [socket] { socket->write(socket->readAll()); });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QByteArray received;
    connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
    QByteArray sent;
    for (int i = 0; i < 200; ++i) {
        const QByteArray chunk = QByteArray::number(i).repeated(500);
        sent += chunk;
        client.write(chunk);
    }
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), sent.size(), 5 * Slack);
    QCOMPARE(received, sent);
}

KIOSKGATE_EPOLL_TEST_MAIN(TestEpollEvents)

#include "tst_epollevents.moc"
