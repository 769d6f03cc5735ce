// The epoll event dispatcher of the network threads, run as the dispatcher
// of this test's own main thread (and of worker threads): timers of every
// type, socket notifiers, posted events, wake-ups, interrupts, processEvents
// flags, nested loops and thread exit. Time bounds are one-sided where it
// matters (never early) and generous otherwise: the machine may be loaded.

#include "EpollEventDispatcher.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace KioskGate;

namespace {

constexpr int Slack = 1500; // upper bounds only guard against hangs

struct SocketPair
{
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    void closeOne(int i)
    {
        ::close(fds[i]);
        fds[i] = -1;
    }
};

EpollEventDispatcher *mainDispatcher()
{
    return dynamic_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

class TimerCounter : public QObject
{
public:
    int fired = 0;
    int lastId = 0;
    std::function<void(TimerCounter *, int)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired;
        lastId = event->timerId();
        if (onTimer)
            onTimer(this, event->timerId());
    }
};

class CustomEvent : public QEvent
{
public:
    static QEvent::Type kind() { return QEvent::Type(QEvent::User + 7); }
    CustomEvent() : QEvent(kind()) {}
};

class EventCounter : public QObject
{
public:
    std::atomic<int> received{0};
    QList<QThread *> threads;

protected:
    bool event(QEvent *event) override
    {
        if (event->type() == CustomEvent::kind()) {
            ++received;
            threads.append(QThread::currentThread());
            return true;
        }
        return QObject::event(event);
    }
};

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void installedOnMainThread();
    void preciseTimerNeverEarly();
    void coarseTimerWithinFivePercent();
    void veryCoarseTimerWholeSeconds();
    void repeatingTimerKeepsRhythm();
    void zeroTimerDoesNotStarveOthers();
    void killAndRestartInsideTimerEvent();
    void remainingTimeAndRegisteredTimers();
    void deletingObjectUnregistersItsTimers();
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
    void excludeTimers();
    void nestedLoopDoesNotReenterTimer();
    void deferredDeleteWaitsForOuterLoop();
    void idleLoopDoesNotSpin();
    void workerThreadRunsAndExits();
    void tcpEchoOverDispatcher();
};

void TestEpollDispatcher::installedOnMainThread()
{
    QVERIFY(mainDispatcher());
    QVERIFY(mainDispatcher()->isValid());
}

void TestEpollDispatcher::preciseTimerNeverEarly()
{
    for (int interval : {1, 7, 50}) {
        QElapsedTimer clock;
        bool fired = false;
        qint64 at = 0;
        QTimer timer;
        timer.setTimerType(Qt::PreciseTimer);
        timer.setSingleShot(true);
        connect(&timer, &QTimer::timeout, this, [&] {
            fired = true;
            at = clock.nsecsElapsed();
        });
        clock.start();
        timer.start(interval);
        QTRY_VERIFY_WITH_TIMEOUT(fired, interval + Slack);
        QVERIFY2(at >= qint64(interval) * 1'000'000, qPrintable(QString::number(at)));
    }
}

void TestEpollDispatcher::coarseTimerWithinFivePercent()
{
    QElapsedTimer clock;
    qint64 at = -1;
    QTimer timer;
    timer.setTimerType(Qt::CoarseTimer);
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, this, [&] { at = clock.elapsed(); });
    clock.start();
    timer.start(200);
    QTRY_VERIFY_WITH_TIMEOUT(at >= 0, 200 + Slack);
    QVERIFY2(at >= 190, qPrintable(QString::number(at)));
}

void TestEpollDispatcher::veryCoarseTimerWholeSeconds()
{
    QElapsedTimer clock;
    qint64 at = -1;
    QTimer timer;
    timer.setTimerType(Qt::VeryCoarseTimer);
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, this, [&] { at = clock.elapsed(); });
    clock.start();
    timer.start(1000);
    QTRY_VERIFY_WITH_TIMEOUT(at >= 0, 2000 + Slack);
    // Rounded to a second's boundary: within half a second of the interval.
    QVERIFY2(at >= 500 && at <= 2000 + Slack, qPrintable(QString::number(at)));
    // Long coarse timers become very coarse ones; short ones precise.
    TimerCounter object;
    const int longId = object.startTimer(25000, Qt::CoarseTimer);
    const int shortId = object.startTimer(10, Qt::CoarseTimer);
    const auto infos = QAbstractEventDispatcher::instance()->registeredTimers(&object);
    QCOMPARE(infos.size(), 2);
    for (const auto &info : infos) {
        if (info.timerId == longId) {
            QCOMPARE(info.timerType, Qt::VeryCoarseTimer);
            QCOMPARE(info.interval, 25000);
        } else {
            QCOMPARE(info.timerId, shortId);
            QCOMPARE(info.timerType, Qt::PreciseTimer);
        }
    }
}

void TestEpollDispatcher::repeatingTimerKeepsRhythm()
{
    int ticks = 0;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    QElapsedTimer clock;
    clock.start();
    timer.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 10, 200 + 20 * Slack);
    // Ten ticks of 20 ms cannot take less than 200 ms.
    QVERIFY2(clock.elapsed() >= 200, qPrintable(QString::number(clock.elapsed())));
}

void TestEpollDispatcher::zeroTimerDoesNotStarveOthers()
{
    int zeroTicks = 0;
    bool later = false;
    QTimer zero;
    connect(&zero, &QTimer::timeout, this, [&] { ++zeroTicks; });
    zero.start(0);
    QTimer::singleShot(50, this, [&] { later = true; });
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    bool readable = false;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        readable = true;
        notifier.setEnabled(false);
    });
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    QTRY_VERIFY_WITH_TIMEOUT(later && readable, Slack);
    QVERIFY(zeroTicks > 1);
    // Once per pass: a single non-blocking pass fires it once.
    const int before = zeroTicks;
    QCoreApplication::processEvents(QEventLoop::AllEvents);
    QCOMPARE(zeroTicks, before + 1);
}

void TestEpollDispatcher::killAndRestartInsideTimerEvent()
{
    TimerCounter object;
    int second = 0;
    object.onTimer = [&](TimerCounter *self, int id) {
        self->killTimer(id);
        if (self->fired == 1)
            second = self->startTimer(5);
    };
    const int first = object.startTimer(5);
    QTRY_COMPARE_WITH_TIMEOUT(object.fired, 2, Slack);
    QVERIFY(second > 0);
    QCOMPARE(object.lastId, second);
    Q_UNUSED(first);
    QTest::qWait(50);
    QCOMPARE(object.fired, 2); // both killed
    QVERIFY(QAbstractEventDispatcher::instance()->registeredTimers(&object).isEmpty());
}

void TestEpollDispatcher::remainingTimeAndRegisteredTimers()
{
    TimerCounter object;
    const int id = object.startTimer(1000, Qt::PreciseTimer);
    auto *dispatcher = QAbstractEventDispatcher::instance();
    const int remaining = dispatcher->remainingTime(id);
    QVERIFY2(remaining > 800 && remaining <= 1001, qPrintable(QString::number(remaining)));
    const auto infos = dispatcher->registeredTimers(&object);
    QCOMPARE(infos.size(), 1);
    QCOMPARE(infos.first().timerId, id);
    QCOMPARE(infos.first().interval, 1000);
    QCOMPARE(infos.first().timerType, Qt::PreciseTimer);
    QVERIFY(dispatcher->unregisterTimer(id));
    QVERIFY(!dispatcher->unregisterTimer(id));
    QCOMPARE(dispatcher->remainingTime(id), -1);
}

void TestEpollDispatcher::deletingObjectUnregistersItsTimers()
{
    auto *dispatcher = mainDispatcher();
    const int before = dispatcher->timerCount();
    auto *object = new TimerCounter;
    object->startTimer(10);
    object->startTimer(20);
    object->startTimer(30);
    QCOMPARE(dispatcher->timerCount(), before + 3);
    delete object;
    QCOMPARE(dispatcher->timerCount(), before);
    QTest::qWait(50); // nothing fires on a deleted object
}

void TestEpollDispatcher::readNotifier()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&](QSocketDescriptor fd) {
        QCOMPARE(int(fd), pair.fds[0]);
        char buffer[16];
        while (::read(pair.fds[0], buffer, sizeof buffer) > 0) {
        }
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

void TestEpollDispatcher::writeNotifierToggles()
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

void TestEpollDispatcher::exceptionNotifierOnUrgentData()
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

void TestEpollDispatcher::hangUpActivatesReadNotifier()
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

void TestEpollDispatcher::notifierDeletedByAnotherInSamePass()
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

void TestEpollDispatcher::notifierFdReusedAfterClose()
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

void TestEpollDispatcher::postedEventsDelivered()
{
    EventCounter receiver;
    for (int i = 0; i < 1000; ++i)
        QCoreApplication::postEvent(&receiver, new CustomEvent);
    QCOMPARE(receiver.received.load(), 0);
    QCoreApplication::processEvents();
    QCOMPARE(receiver.received.load(), 1000);
    bool queued = false;
    QMetaObject::invokeMethod(this, [&] { queued = true; }, Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(queued, Slack);
}

void TestEpollDispatcher::postFromOtherThreadWakesBlockingWait()
{
    EventCounter receiver;
    std::unique_ptr<QThread> poster(QThread::create([&receiver] {
        QThread::msleep(50);
        QCoreApplication::postEvent(&receiver, new CustomEvent);
    }));
    poster->start();
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
    poster->wait();
}

void TestEpollDispatcher::wakeUpFromOtherThread()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    std::unique_ptr<QThread> waker(QThread::create([dispatcher] {
        QThread::msleep(50);
        dispatcher->wakeUp();
    }));
    QTimer guard; // bounds the wait if the wake-up were lost
    guard.setSingleShot(true);
    guard.start(10 * Slack);
    QElapsedTimer clock;
    clock.start();
    waker->start();
    dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
    QVERIFY2(clock.elapsed() < 5 * Slack, qPrintable(QString::number(clock.elapsed())));
    waker->wait();
}

void TestEpollDispatcher::interruptFromOtherThread()
{
    QEventLoop loop;
    std::unique_ptr<QThread> quitter(QThread::create([&loop] {
        QThread::msleep(50);
        loop.quit(); // QEventLoop::exit interrupts the dispatcher
    }));
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, &loop, [&loop] { loop.exit(1); });
    guard.start(10 * Slack);
    quitter->start();
    QCOMPARE(loop.exec(), 0);
    quitter->wait();
    // interrupt() itself also ends a blocking pass.
    auto *dispatcher = QAbstractEventDispatcher::instance();
    std::unique_ptr<QThread> interrupter(QThread::create([dispatcher] {
        QThread::msleep(50);
        dispatcher->interrupt();
    }));
    QElapsedTimer clock;
    clock.start();
    interrupter->start();
    dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
    QVERIFY(clock.elapsed() < 5 * Slack);
    interrupter->wait();
}

void TestEpollDispatcher::excludeSocketNotifiers()
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
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents | QEventLoop::ExcludeSocketNotifiers);
        ++passes;
    }
    QVERIFY(timerFired);
    QVERIFY2(passes < 20, qPrintable(QString::number(passes)));
    QCOMPARE(activations, 0);
    QCoreApplication::processEvents();
    QCOMPARE(activations, 1);
}

void TestEpollDispatcher::excludeTimers()
{
    bool fired = false;
    QTimer::singleShot(0, this, [&] { fired = true; });
    QTimer due;
    due.setSingleShot(true);
    bool dueFired = false;
    connect(&due, &QTimer::timeout, this, [&] { dueFired = true; });
    due.start(1);
    QThread::msleep(5);
    QCoreApplication::processEvents(QEventLoop::X11ExcludeTimers);
    QVERIFY(!dueFired);
    QCoreApplication::processEvents();
    QVERIFY(dueFired);
    QVERIFY(fired);
}

void TestEpollDispatcher::nestedLoopDoesNotReenterTimer()
{
    int outerCalls = 0;
    int otherTicks = 0;
    bool reentered = false;
    bool inside = false;
    QTimer other;
    connect(&other, &QTimer::timeout, this, [&] { ++otherTicks; });
    other.start(5);
    QTimer repeating;
    connect(&repeating, &QTimer::timeout, this, [&] {
        if (inside) {
            reentered = true;
            return;
        }
        inside = true;
        ++outerCalls;
        if (outerCalls == 1) {
            QEventLoop nested;
            QTimer::singleShot(100, &nested, &QEventLoop::quit);
            const int before = otherTicks;
            nested.exec();
            QVERIFY(otherTicks > before); // other timers run in the nested loop
        }
        inside = false;
    });
    repeating.start(5);
    QTRY_VERIFY_WITH_TIMEOUT(outerCalls >= 3, Slack);
    QVERIFY(!reentered);
}

void TestEpollDispatcher::deferredDeleteWaitsForOuterLoop()
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

void TestEpollDispatcher::idleLoopDoesNotSpin()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    int awakenings = 0;
    const auto connection = connect(dispatcher, &QAbstractEventDispatcher::awake, this, [&] { ++awakenings; });
    QEventLoop loop;
    QTimer::singleShot(300, &loop, &QEventLoop::quit);
    QTimer far;
    far.start(60000); // a far timer must not shorten the wait
    loop.exec();
    disconnect(connection);
    QVERIFY2(awakenings < 10, qPrintable(QString::number(awakenings)));
}

void TestEpollDispatcher::workerThreadRunsAndExits()
{
    QThread thread;
    auto *dispatcher = createNetworkEventDispatcher();
    QVERIFY(dispatcher);
    thread.setEventDispatcher(dispatcher);
    QCOMPARE(thread.eventDispatcher(), dispatcher);

    SocketPair pair;
    auto *worker = new QObject;
    worker->moveToThread(&thread);
    std::atomic<int> ticks{0};
    std::atomic<int> reads{0};
    std::atomic<bool> ranOnWorker{false};
    QSocketNotifier *notifier = nullptr;
    connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
    QPointer<QObject> watch(worker);
    thread.start();
    QMetaObject::invokeMethod(worker, [&, worker] {
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
    }, Qt::BlockingQueuedConnection);
    QVERIFY(ranOnWorker);
    QCOMPARE(::write(pair.fds[1], "abc", 3), ssize_t(3));
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 3 && reads.load() >= 1, Slack);
    thread.quit();
    QVERIFY(thread.wait(Slack));
    QTRY_VERIFY_WITH_TIMEOUT(watch.isNull(), Slack); // deleted as the thread finished
}

void TestEpollDispatcher::tcpEchoOverDispatcher()
{
    // QTcpServer and QTcpSocket, which toggle notifiers on every write.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->write(socket->readAll()); });
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

int main(int argc, char *argv[])
{
    // Before the application exists: the main thread runs on it.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
