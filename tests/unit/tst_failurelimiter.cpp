#include "Clock.h"
#include "FailureLimiter.h"

#include <QtTest>

using namespace KioskGate;

class TestFailureLimiter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void burstThenBlocked();
    void refillsOverTime();
    void addressesAreIndependent();
    void retryAfterRoundsUp();
    void trackingIsBounded();
};

void TestFailureLimiter::burstThenBlocked()
{
    ManualClock clock;
    FailureLimiter limiter(&clock, 3, 10'000);
    QVERIFY(!limiter.isBlocked(QStringLiteral("10.0.0.1")));
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!limiter.isBlocked(QStringLiteral("10.0.0.1")));
        limiter.recordFailure(QStringLiteral("10.0.0.1"));
    }
    int retryAfter = 0;
    QVERIFY(limiter.isBlocked(QStringLiteral("10.0.0.1"), &retryAfter));
    QCOMPARE(retryAfter, 10);
}

void TestFailureLimiter::refillsOverTime()
{
    ManualClock clock;
    FailureLimiter limiter(&clock, 2, 5'000);
    limiter.recordFailure(QStringLiteral("a"));
    limiter.recordFailure(QStringLiteral("a"));
    QVERIFY(limiter.isBlocked(QStringLiteral("a")));
    clock.advanceMs(4'999);
    QVERIFY(limiter.isBlocked(QStringLiteral("a")));
    clock.advanceMs(1);
    QVERIFY(!limiter.isBlocked(QStringLiteral("a")));
    limiter.recordFailure(QStringLiteral("a"));
    QVERIFY(limiter.isBlocked(QStringLiteral("a")));
    // The budget never grows beyond the burst, however long the pause.
    clock.advanceMs(1'000'000);
    limiter.recordFailure(QStringLiteral("a"));
    limiter.recordFailure(QStringLiteral("a"));
    QVERIFY(limiter.isBlocked(QStringLiteral("a")));
}

void TestFailureLimiter::addressesAreIndependent()
{
    ManualClock clock;
    FailureLimiter limiter(&clock, 1, 60'000);
    limiter.recordFailure(QStringLiteral("127.0.0.1"));
    QVERIFY(limiter.isBlocked(QStringLiteral("127.0.0.1")));
    QVERIFY(!limiter.isBlocked(QStringLiteral("127.0.0.2")));
    QVERIFY(!limiter.isBlocked(QStringLiteral("::1")));
}

void TestFailureLimiter::retryAfterRoundsUp()
{
    ManualClock clock;
    FailureLimiter limiter(&clock, 1, 2'500);
    limiter.recordFailure(QStringLiteral("a"));
    int retryAfter = 0;
    QVERIFY(limiter.isBlocked(QStringLiteral("a"), &retryAfter));
    QCOMPARE(retryAfter, 3);
    clock.advanceMs(2'000);
    QVERIFY(limiter.isBlocked(QStringLiteral("a"), &retryAfter));
    QCOMPARE(retryAfter, 1);
}

void TestFailureLimiter::trackingIsBounded()
{
    ManualClock clock;
    FailureLimiter limiter(&clock, 5, 1'000, 100);
    for (int i = 0; i < 1000; ++i)
        limiter.recordFailure(QStringLiteral("10.0.%1.%2").arg(i / 256).arg(i % 256));
    QVERIFY(limiter.trackedAddresses() <= 100);
}

QTEST_GUILESS_MAIN(TestFailureLimiter)
#include "tst_failurelimiter.moc"
