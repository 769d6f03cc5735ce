// The real executable with a stdout that nobody reads (a paused terminal, a
// stalled log pipe): kiosks still connect, since no thread that serves them
// waits for the log; once the output is read again, every line is there;
// and a stop still ends the process, output read or not. Unix only (built
// only there): the server gets the pipe as stdout through fork().

#include "KioskClient.h"
#include "KioskGateProcess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

class TestStalledStdout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void kiosksConnectWhileNobodyReadsTheLog();
    void stopsWhileNobodyReadsTheLog();
};

namespace {

constexpr int kiosks = 600; // ~160 bytes of log each: 96 KB, beyond a 64 KiB pipe

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

/// `kioskgate --headless` with stdout and stderr on a pipe that the test
/// reads only when it says so, a token, and room for `kiosks` sessions.
class StalledServer
{
public:
    bool start()
    {
        if (KioskGateProcess::binary().isEmpty() || !m_dir.isValid())
            return false;
        const QStringList dataArgs { QStringLiteral("--data-dir"), m_dir.path(),
                                     QStringLiteral("--insecure-file-secrets") };
        const auto issued
            = KioskGateProcess::run(QStringList { QStringLiteral("token"), QStringLiteral("issue"),
                                                  QStringLiteral("lobby") }
                                    + dataArgs);
        if (issued.exitCode != 0)
            return false;
        m_token = issued.out.trimmed();
        QFile settings(QDir(m_dir.path()).filePath(QStringLiteral("settings.ini")));
        if (!settings.open(QIODevice::Append))
            return false;
        settings.write("[limits]\nmax_connections_per_token=" + QByteArray::number(kiosks) + "\n");
        settings.close();

        int fds[2];
        if (::pipe(fds) != 0)
            return false;
        m_readEnd = fds[0];
        const int writeEnd = fds[1];
        ::fcntl(m_readEnd, F_SETFL, ::fcntl(m_readEnd, F_GETFL) | O_NONBLOCK);
        m_process.setChildProcessModifier([writeEnd, readEnd = m_readEnd] {
            ::dup2(writeEnd, STDOUT_FILENO);
            ::dup2(writeEnd, STDERR_FILENO);
            ::close(readEnd);
        });
        m_process.start(KioskGateProcess::binary(),
                        QStringList { QStringLiteral("--headless"), QStringLiteral("--no-tls"),
                                      QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") }
                            + dataArgs);
        ::close(writeEnd);

        // Read up to the "ready" line, then not any more.
        static const QRegularExpression ready(QStringLiteral("ready: ws://[^ ]+:(\\d+)/v1/kiosk"));
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 15000 && m_process.state() != QProcess::NotRunning) {
            read();
            const auto match = ready.match(QString::fromUtf8(m_log));
            if (match.hasMatch()) {
                m_port = quint16(match.captured(1).toUInt());
                return true;
            }
            QTest::qWait(20);
        }
        return false;
    }

    ~StalledServer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
        if (m_readEnd >= 0)
            ::close(m_readEnd);
    }

    /// Opens `kiosks` kiosks and waits (up to 30 s) for their welcomes.
    bool connectKiosks()
    {
        for (int i = 0; i < kiosks; ++i) {
            m_clients.push_back(std::make_unique<KioskClient>());
            m_clients.back()->open(m_port, m_token);
        }
        QElapsedTimer waited;
        waited.start();
        while (welcomed() < kiosks && waited.elapsed() < 30000)
            QTest::qWait(20);
        return welcomed() == kiosks;
    }
    int welcomed() const
    {
        return int(std::count_if(m_clients.cbegin(), m_clients.cend(),
                                 [](const auto &client) { return !client->kiosk.isEmpty(); }));
    }
    void dropKiosks() { m_clients.clear(); }

    /// SIGTERM, then waits up to `timeoutMs` for the process to end, reading
    /// its output meanwhile only if `reading`.
    bool stop(int timeoutMs, bool reading)
    {
        m_process.terminate();
        QElapsedTimer waited;
        waited.start();
        while (m_process.state() != QProcess::NotRunning && waited.elapsed() < timeoutMs) {
            if (reading)
                read();
            QTest::qWait(10);
        }
        read();
        return m_process.state() == QProcess::NotRunning;
    }

    void read() { m_log += readAvailable(m_readEnd); }
    const QByteArray &log() const { return m_log; }
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_token;
    int m_readEnd = -1;
    quint16 m_port = 0;
    QByteArray m_log;
    std::vector<std::unique_ptr<KioskClient>> m_clients;
};

} // namespace

void TestStalledStdout::kiosksConnectWhileNobodyReadsTheLog()
{
    StalledServer server;
    QVERIFY2(server.start(), server.log().constData());
    // A server whose network thread waited for stdout would stop at about
    // 400 kiosks, when the pipe is full.
    QVERIFY2(server.connectKiosks(), qPrintable(QString::number(server.welcomed())));

    // Read again: every kiosk's line arrives, none dropped.
    server.dropKiosks();
    QVERIFY(server.stop(20000, true));
    QCOMPARE(server.log().count(" connected from "), kiosks);
    QVERIFY2(!server.log().contains("log lines dropped"), server.log().right(2000).constData());
    QVERIFY2(server.log().contains("info kioskgate.server: stopped\n"),
             server.log().right(2000).constData());
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

void TestStalledStdout::stopsWhileNobodyReadsTheLog()
{
    StalledServer server;
    QVERIFY2(server.start(), server.log().constData());
    QVERIFY2(server.connectKiosks(), qPrintable(QString::number(server.welcomed())));
    // Still nobody reads: the stop gives the lines left 2 s, then gives
    // them up. The process must end, not hang in a write to stdout.
    QElapsedTimer stopping;
    stopping.start();
    QVERIFY2(server.stop(15000, false), "still running 15 s after SIGTERM");
    qInfo("ended %lld ms after SIGTERM with its stdout full", stopping.elapsed());
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestStalledStdout)
#include "tst_stalledstdout.moc"
