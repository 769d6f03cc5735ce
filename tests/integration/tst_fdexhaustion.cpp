// Out of file descriptors: this test process lowers its own RLIMIT_NOFILE
// under an in-process server, then connects clients until accept() fails
// with EMFILE. The gate must pause accepting (no spinning: the pending
// connection keeps the listener readable), say so once per episode (one
// warning, however often it retries), and accept again once descriptors
// are free ("accepting again" once accepts worked for 3 s), with plain TCP
// and with TLS.

#include "KioskClient.h"
#include "ServerFixture.h"
#include "TlsCertificates.h"

#include <QtTest>

#include <arpa/inet.h>
#include <atomic>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace KioskGate;

namespace {

std::atomic<int> pausedLogs{0};
std::atomic<int> resumedLogs{0};
QtMessageHandler previousHandler = nullptr;

void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.contains(QLatin1String("pausing accepts")))
        ++pausedLogs;
    if (message.contains(QLatin1String("accepting again")))
        ++resumedLogs;
    previousHandler(type, context, message);
}

int openDescriptors()
{
    int count = 0;
    if (DIR *dir = opendir("/proc/self/fd")) {
        while (readdir(dir))
            ++count;
        closedir(dir);
    }
    return count - 2; // . and ..
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace

class TestFdExhaustion : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void pausesAndResumes_data();
    void pausesAndResumes();
};

void TestFdExhaustion::initTestCase()
{
}

void TestFdExhaustion::pausesAndResumes_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("plain") << false;
    QTest::newRow("tls") << true;
}

void TestFdExhaustion::pausesAndResumes()
{
    QFETCH(bool, tls);
    pausedLogs = 0;
    resumedLogs = 0;
    // Installed here: QtTest installs its own handler for each test.
    previousHandler = qInstallMessageHandler(countingHandler);
    struct Uninstall
    {
        ~Uninstall() { qInstallMessageHandler(previousHandler); }
    } uninstall;
    ServerSettings settings = ServerFixture::defaults();
    TlsIdentity identity;
    if (tls) {
        settings.tls = true;
        QString error;
        QVERIFY2(TlsCertificates::generate(TlsCertificates::defaultRequest(), &identity, &error), qPrintable(error));
    }
    ServerFixture server(settings, identity);
    const quint16 port = server.port();
    QVERIFY(port != 0);

    // Client sockets are made while descriptors are plentiful; connecting
    // them later needs none, so only the server's accept() runs out.
    constexpr int Clients = 60;
    std::vector<int> clients;
    for (int i = 0; i < Clients; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        clients.push_back(fd);
    }
    rlimit original{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &original), 0);
    // Restored however the test ends: the next row needs descriptors.
    struct Restore
    {
        rlimit limit;
        ~Restore() { setrlimit(RLIMIT_NOFILE, &limit); }
    } restore{original};
    rlimit low = original;
    low.rlim_cur = rlim_t(openDescriptors() + 10); // room for a few accepts only
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &low), 0);

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int fd : clients)
        ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);

    QTRY_COMPARE_WITH_TIMEOUT(pausedLogs.load(), 1, 5000);
    // Out of descriptors for a while: retries go on, quietly, without
    // spinning (a spinning network thread would burn ~a core: >= 2 s here).
    const double cpuBefore = cpuSeconds();
    QTest::qWait(2500);
    const double cpuUsed = cpuSeconds() - cpuBefore;
    QCOMPARE(pausedLogs.load(), 1);
    QCOMPARE(resumedLogs.load(), 0);
    QVERIFY2(cpuUsed < 1.25, qPrintable(QStringLiteral("%1 s of CPU in 2.5 s").arg(cpuUsed)));

    // Descriptors come back: accepting resumes by itself.
    for (int fd : clients)
        ::close(fd);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &original), 0);
    QTRY_COMPARE_WITH_TIMEOUT(resumedLogs.load(), 1, 10000);
    if (!tls) {
        KioskClient kiosk;
        kiosk.open(port, server.issue(QStringLiteral("after-exhaustion")));
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("after-exhaustion"), 5000);
    }
    QCOMPARE(pausedLogs.load(), 1);
}

QTEST_GUILESS_MAIN(TestFdExhaustion)
#include "tst_fdexhaustion.moc"
