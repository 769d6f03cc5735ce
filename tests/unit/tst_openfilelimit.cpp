#include "OpenFileLimit.h"

#include <QDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

using namespace KioskGate;

class TestOpenFileLimit : public QObject
{
    Q_OBJECT
private slots:
    void reservingGrowsTheTableAtOnceWithoutKeepingADescriptor();
    void reservingMoreThanTheSoftLimitStopsAtIt();

private:
    static int openDescriptors()
    {
        return int(
            QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
    }
    static long softLimit()
    {
#ifdef Q_OS_UNIX
        rlimit limit {};
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
            return long(limit.rlim_cur);
#endif
        return -1;
    }
};

void TestOpenFileLimit::reservingGrowsTheTableAtOnceWithoutKeepingADescriptor()
{
#ifndef Q_OS_LINUX
    QSKIP("the descriptor table is reserved on Linux only");
#else
    raiseOpenFileLimit();
    const long before = reserveDescriptorTable(0); // reads the size, grows nothing
    QVERIFY2(before > 0, "FDSize not readable from /proc/self/status");
    const long wanted = qMin(qMax(before * 8, 4096L), softLimit());
    QVERIFY2(wanted > before, "the soft limit leaves no room to grow the table");
    const int descriptors = openDescriptors();

    const long after = reserveDescriptorTable(wanted);
    QVERIFY2(after >= wanted,
             qPrintable(QStringLiteral("%1 -> %2, wanted %3").arg(before).arg(after).arg(wanted)));
    QCOMPARE(openDescriptors(), descriptors);
    // New descriptors still take the lowest free number.
    const int next = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    QVERIFY(next >= 0);
    QVERIFY2(next < before, qPrintable(QString::number(next)));
    ::close(next);
    QCOMPARE(reserveDescriptorTable(0), after);
#endif
}

void TestOpenFileLimit::reservingMoreThanTheSoftLimitStopsAtIt()
{
#ifndef Q_OS_LINUX
    QSKIP("the descriptor table is reserved on Linux only");
#else
    // A soft limit of its own, so the bound holds whatever the machine's is.
    rlimit saved {};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &saved), 0);
    QVERIFY2(saved.rlim_max >= 3000, "hard limit below 3000");
    rlimit lowered = saved;
    lowered.rlim_cur = 3000;
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &lowered), 0);
    const int descriptors = openDescriptors();
    const long size = reserveDescriptorTable(1L << 20);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &saved), 0);
    // The kernel rounds the table up to a power of two.
    QVERIFY2(size >= 3000 && size <= 4096, qPrintable(QString::number(size)));
    QCOMPARE(openDescriptors(), descriptors);
#endif
}

QTEST_GUILESS_MAIN(TestOpenFileLimit)
#include "tst_openfilelimit.moc"
