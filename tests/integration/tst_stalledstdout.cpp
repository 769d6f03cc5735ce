// The real executable with a stdout that nobody reads (a paused terminal, a
// stalled log pipe): kiosks still connect, since no thread that serves them
// waits for the log; and once the output is read again, every line is there.

#include "KioskClient.h"
#include "KioskGateProcess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <memory>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

class TestStalledStdout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void kiosksConnectWhileNobodyReadsTheLog();
};

namespace {

constexpr int kiosks = 600; // ~160 bytes of log each: 96 KB, beyond a 64 KiB pipe

#ifdef Q_OS_UNIX
/// Reads what is in the pipe now, without waiting.
QByteArray readAvailable(int fd)
{
    QByteArray all;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            return all;
        all.append(buffer, qsizetype(n));
    }
}
#endif

} // namespace

void TestStalledStdout::kiosksConnectWhileNobodyReadsTheLog()
{
#ifndef Q_OS_UNIX
    QSKIP("hands the server a pipe as stdout through fork(); Unix only");
#else
    QVERIFY2(!KioskGateProcess::binary().isEmpty(), "KIOSKGATE_BIN is not set (run through ctest)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList dataArgs { QStringLiteral("--data-dir"), dir.path(),
                                 QStringLiteral("--insecure-file-secrets") };
    const auto issued = KioskGateProcess::run(
        QStringList { QStringLiteral("token"), QStringLiteral("issue"), QStringLiteral("lobby") }
        + dataArgs);
    QCOMPARE(issued.exitCode, 0);
    const QByteArray token = issued.out.trimmed();
    QFile settings(QDir(dir.path()).filePath(QStringLiteral("settings.ini")));
    QVERIFY(settings.open(QIODevice::Append));
    settings.write("[limits]\nmax_connections_per_token=" + QByteArray::number(kiosks) + "\n");
    settings.close();

    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    const int readEnd = fds[0];
    const int writeEnd = fds[1];
    ::fcntl(readEnd, F_SETFL, ::fcntl(readEnd, F_GETFL) | O_NONBLOCK);
    QProcess server;
    server.setChildProcessModifier([writeEnd, readEnd] {
        ::dup2(writeEnd, STDOUT_FILENO);
        ::dup2(writeEnd, STDERR_FILENO);
        ::close(readEnd);
    });
    server.start(KioskGateProcess::binary(),
                 QStringList { QStringLiteral("--headless"), QStringLiteral("--no-tls"),
                               QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") }
                     + dataArgs);
    ::close(writeEnd);
    auto stop = qScopeGuard([&server, readEnd] {
        if (server.state() != QProcess::NotRunning) {
            server.kill();
            server.waitForFinished();
        }
        ::close(readEnd);
    });

    // Read up to the "ready" line, then not any more.
    static const QRegularExpression ready(QStringLiteral("ready: ws://[^ ]+:(\\d+)/v1/kiosk"));
    QByteArray log;
    quint16 port = 0;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 15000) {
        log += readAvailable(readEnd);
        const auto match = ready.match(QString::fromUtf8(log));
        if (match.hasMatch()) {
            port = quint16(match.captured(1).toUInt());
            break;
        }
        QTest::qWait(20);
    }
    QVERIFY2(port != 0, log.constData());

    std::vector<std::unique_ptr<KioskClient>> clients;
    for (int i = 0; i < kiosks; ++i) {
        clients.push_back(std::make_unique<KioskClient>());
        clients.back()->open(port, token);
    }
    const auto welcomed = [&clients] {
        return int(std::count_if(clients.cbegin(), clients.cend(),
                                 [](const auto &client) { return !client->kiosk.isEmpty(); }));
    };
    // A server whose network thread waited for stdout would stop at about
    // 400 kiosks, when the pipe is full.
    QTRY_COMPARE_WITH_TIMEOUT(welcomed(), kiosks, 30000);

    // Read again: every kiosk's line arrives, none dropped.
    clients.clear();
    server.terminate();
    QElapsedTimer draining;
    draining.start();
    while (server.state() != QProcess::NotRunning && draining.elapsed() < 20000) {
        log += readAvailable(readEnd);
        QTest::qWait(10);
    }
    QCOMPARE(server.state(), QProcess::NotRunning);
    log += readAvailable(readEnd);
    QCOMPARE(log.count(" connected from "), kiosks);
    QVERIFY2(!log.contains("log lines dropped"), log.right(2000).constData());
    QVERIFY2(log.contains("info kioskgate.server: stopped\n"), log.right(2000).constData());
    QCOMPARE(server.exitCode(), 0);
#endif
}

QTEST_GUILESS_MAIN(TestStalledStdout)
#include "tst_stalledstdout.moc"
