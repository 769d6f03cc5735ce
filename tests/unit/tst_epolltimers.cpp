// The epoll event dispatcher of the network threads, run as the dispatcher
// of this test's own main thread: timers of every type, their rhythm and
// bookkeeping, timers excluded from a pass, nested loops and an idle loop.
// Time bounds are one-sided where it matters (never early) and generous
// otherwise: the machine may be loaded.

#include "EpollTestKit.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QSocketNotifier>
#include <QTimer>

using namespace KioskGate;
using namespace KioskGate::EpollTestKit;

namespace {

// When a single-shot timer of `type` fired, in ns from its start; -1 if it
// did not within `waitMs`.
qint64 singleShotFiredAtNs(Qt::TimerType type, int intervalMs, int waitMs)
{
    QElapsedTimer clock;
    qint64 at = -1;
    QTimer timer;
    timer.setTimerType(type);
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, [&] { at = clock.nsecsElapsed(); });
    clock.start();
    timer.start(intervalMs);
    return QTest::qWaitFor([&] { return at >= 0; }, waitMs) ? at : -1;
}

} // namespace

class TestEpollTimers : public QObject
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
    void excludeTimers();
    void nestedLoopDoesNotReenterTimer();
    void idleLoopDoesNotSpin();
};

void TestEpollTimers::installedOnMainThread()
{
    QVERIFY(mainDispatcher());
    QVERIFY(mainDispatcher()->isValid());
}

void TestEpollTimers::preciseTimerNeverEarly()
{
    for (int interval : { 1, 7, 50 }) {
        const qint64 at = singleShotFiredAtNs(Qt::PreciseTimer, interval, interval + Slack);
        QVERIFY2(at >= 0, "the timer did not fire");
        QVERIFY2(at >= qint64(interval) * 1'000'000, qPrintable(QString::number(at)));
    }
}

void TestEpollTimers::coarseTimerWithinFivePercent()
{
    const qint64 atNs = singleShotFiredAtNs(Qt::CoarseTimer, 200, 200 + Slack);
    QVERIFY2(atNs >= 0, "the timer did not fire");
    const qint64 at = atNs / 1'000'000;
    QVERIFY2(at >= 190, qPrintable(QString::number(at)));
}

void TestEpollTimers::veryCoarseTimerWholeSeconds()
{
    const qint64 atNs = singleShotFiredAtNs(Qt::VeryCoarseTimer, 1000, 2000 + Slack);
    QVERIFY2(atNs >= 0, "the timer did not fire");
    const qint64 at = atNs / 1'000'000;
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

void TestEpollTimers::repeatingTimerKeepsRhythm()
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

void TestEpollTimers::zeroTimerDoesNotStarveOthers()
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

void TestEpollTimers::killAndRestartInsideTimerEvent()
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

void TestEpollTimers::remainingTimeAndRegisteredTimers()
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

void TestEpollTimers::deletingObjectUnregistersItsTimers()
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

void TestEpollTimers::excludeTimers()
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

void TestEpollTimers::nestedLoopDoesNotReenterTimer()
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

void TestEpollTimers::idleLoopDoesNotSpin()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    int awakenings = 0;
    const auto connection
        = connect(dispatcher, &QAbstractEventDispatcher::awake, this, [&] { ++awakenings; });
    QEventLoop loop;
    QTimer::singleShot(300, &loop, &QEventLoop::quit);
    QTimer far;
    far.start(60000); // a far timer must not shorten the wait
    loop.exec();
    disconnect(connection);
    QVERIFY2(awakenings < 10, qPrintable(QString::number(awakenings)));
}

KIOSKGATE_EPOLL_TEST_MAIN(TestEpollTimers)

#include "tst_epolltimers.moc"
