#pragma once

// Runs the real kioskgate executable (path from $KIOSKGATE_BIN, set by CTest)
// as a headless server or a one-shot command.

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

class KioskGateProcess
{
public:
    static QString binary() { return qEnvironmentVariable("KIOSKGATE_BIN"); }

    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
        qint64 elapsedMs = 0;
    };

    static Result run(const QStringList &arguments, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                      int timeoutMs = 30000)
    {
        QProcess process;
        process.setProcessEnvironment(env);
        QElapsedTimer timer;
        timer.start();
        process.start(binary(), arguments);
        Result result;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            result.err = "timed out";
            return result;
        }
        result.elapsedMs = timer.elapsed();
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    enum class Transport { Plain, Tls };
    /// The server without a window (--headless), or the console window
    /// (needs a display; ctest sets QT_QPA_PLATFORM=offscreen).
    enum class Mode { Headless, Window };

    /// Starts `kioskgate --headless ARGS` (or the window), plain ws://
    /// (--no-tls) unless `transport` asks for TLS.
    explicit KioskGateProcess(const QStringList &arguments,
                              const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                              Transport transport = Transport::Plain, Mode mode = Mode::Headless)
    {
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(&m_process, &QProcess::readyRead, [this] { m_log += m_process.readAll(); });
        QStringList all;
        if (mode == Mode::Headless)
            all.append(QStringLiteral("--headless"));
        if (transport == Transport::Plain)
            all.append(QStringLiteral("--no-tls"));
        m_process.start(binary(), all + arguments);
    }

    ~KioskGateProcess() { stop(); }

    /// Waits for the "ready: ws[s]://host:port/v1/kiosk" line; returns the port.
    quint16 waitReady(int timeoutMs = 15000)
    {
        static const QRegularExpression ready(QStringLiteral("ready: wss?://[^ ]+:(\\d+)/v1/kiosk"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs && m_process.state() != QProcess::NotRunning) {
            const auto match = ready.match(QString::fromUtf8(m_log));
            if (match.hasMatch())
                return quint16(match.captured(1).toUInt());
            QTest::qWait(20);
        }
        return 0;
    }

    /// SIGTERM and wait; returns the exit code (-1 if it had to be killed).
    int stop(int timeoutMs = 10000)
    {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
        m_process.terminate();
        QElapsedTimer timer;
        timer.start();
        while (m_process.state() != QProcess::NotRunning && timer.elapsed() < timeoutMs)
            QTest::qWait(20);
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
            return -1;
        }
        m_log += m_process.readAll();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    /// SIGKILL (kill -9): no shutdown code runs, as in a crash or power cut.
    void kill()
    {
        m_process.kill();
        m_process.waitForFinished(10000);
        m_log += m_process.readAll();
    }

    bool waitExit(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (m_process.state() != QProcess::NotRunning && timer.elapsed() < timeoutMs)
            QTest::qWait(20);
        m_log += m_process.readAll();
        return m_process.state() == QProcess::NotRunning;
    }
    int exitCode() const { return m_process.exitCode(); }
    qint64 processId() const { return m_process.processId(); }
    QByteArray log() const { return m_log; }

private:
    QProcess m_process;
    QByteArray m_log;
};
