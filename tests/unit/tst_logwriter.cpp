#include "LogWriter.h"

#include <QElapsedTimer>
#include <QList>
#include <QTest>
#include <QThread>
#include <mutex>
#include <thread>
#ifdef Q_OS_WIN
#include <fcntl.h>
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace KioskGate;

namespace {

QByteArray notice(quint64 lines)
{
    return "dropped " + QByteArray::number(lines) + '\n';
}

/// A pipe, as stdout is under a service manager. A thread reads the other end once startReading()
/// is called; until then nobody does, and a writer stalls once the pipe is full.
class Pipe
{
public:
    Pipe()
    {
        int fds[2];
        if (openPipe(fds) == 0) {
            m_read = fds[0];
            m_write = fds[1];
        }
    }
    ~Pipe()
    {
        closeWriteEnd();
        if (m_reader.joinable())
            m_reader.join();
        if (m_read >= 0)
            ::close(m_read);
    }
    bool isOpen() const { return m_write >= 0 && m_read >= 0; }
    int writeEnd() const { return m_write; }
    void startReading()
    {
        m_reader = std::thread([this] {
            char buffer[65536];
            for (;;) {
                const auto n = ::read(m_read, buffer, sizeof buffer);
                if (n <= 0)
                    return;
                const std::lock_guard<std::mutex> lock(m_mutex);
                m_seen.append(buffer, qsizetype(n));
            }
        });
    }
    QByteArray seen() const
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        return m_seen;
    }
    /// Waits (up to 10 s) until what was read ends with `tail`.
    QByteArray seenEndingWith(const QByteArray &tail) const
    {
        QElapsedTimer waited;
        waited.start();
        QByteArray all = seen();
        while (!all.endsWith(tail) && waited.elapsed() < 10000) {
            QThread::msleep(1);
            all = seen();
        }
        return all;
    }
    void closeWriteEnd()
    {
        if (m_write >= 0)
            ::close(std::exchange(m_write, -1));
    }
    /// Everything written, once the write end is closed.
    QByteArray readToEnd()
    {
        closeWriteEnd();
        if (m_reader.joinable())
            m_reader.join();
        return seen();
    }

private:
    static int openPipe(int fds[2])
    {
#ifdef Q_OS_WIN
        return ::_pipe(fds, 65536, _O_BINARY);
#else
        return ::pipe(fds);
#endif
    }

    int m_read = -1;
    int m_write = -1;
    std::thread m_reader;
    mutable std::mutex m_mutex;
    QByteArray m_seen;
};

QByteArray numberedLine(int i)
{
    return "line " + QByteArray::number(i) + '\n';
}

} // namespace

class TestLogWriter : public QObject
{
    Q_OBJECT
private slots:
    void linesArriveWholeAndInOrder();
    void aLineIsWrittenWithoutWaitingForMore();
    void threadsInterleaveWholeLines();
    void aStalledStreamDropsLinesInsteadOfBlocking();
    void destructionWritesWhatIsLeft();
    void aNonBlockingOutputLosesNothing();
};

void TestLogWriter::linesArriveWholeAndInOrder()
{
    Pipe pipe;
    QVERIFY(pipe.isOpen());
    pipe.startReading();
    {
        LogWriter writer(pipe.writeEnd(), 1 << 20, notice);
        for (int i = 0; i < 20000; ++i)
            QVERIFY(writer.post(numberedLine(i)));
        QVERIFY(writer.flush(5000));
        QCOMPARE(writer.droppedLines(), quint64(0));
    }
    const QList<QByteArray> lines = pipe.readToEnd().split('\n');
    QCOMPARE(lines.size(), 20001); // the last is the empty rest after '\n'
    for (int i = 0; i < 20000; ++i)
        QCOMPARE(lines.at(i), numberedLine(i).chopped(1));
}

void TestLogWriter::aLineIsWrittenWithoutWaitingForMore()
{
    Pipe pipe;
    QVERIFY(pipe.isOpen());
    pipe.startReading();
    LogWriter writer(pipe.writeEnd(), 1 << 20, notice);
    QByteArray expected;
    // A server that logs one line and then idles: the line must show at
    // once (a service manager, a test, an operator watching), not when the
    // next line or the exit comes.
    for (int round = 0; round < 3; ++round) {
        QVERIFY(writer.post(numberedLine(round)));
        expected += numberedLine(round);
        QCOMPARE(pipe.seenEndingWith(numberedLine(round)), expected);
    }
}

void TestLogWriter::threadsInterleaveWholeLines()
{
    Pipe pipe;
    QVERIFY(pipe.isOpen());
    pipe.startReading();
    constexpr int threads = 4;
    constexpr int perThread = 5000;
    {
        LogWriter writer(pipe.writeEnd(), 16 << 20, notice);
        QList<QThread *> posters;
        for (int t = 0; t < threads; ++t) {
            posters.append(QThread::create([&writer, t] {
                for (int i = 0; i < perThread; ++i)
                    writer.post("thread " + QByteArray::number(t) + ' ' + numberedLine(i));
            }));
            posters.last()->start();
        }
        for (QThread *poster : posters) {
            QVERIFY(poster->wait(10000));
            delete poster;
        }
        QVERIFY(writer.flush(5000));
        QCOMPARE(writer.droppedLines(), quint64(0));
    }
    QList<QByteArray> lines = pipe.readToEnd().split('\n');
    QCOMPARE(lines.takeLast(), QByteArray());
    QCOMPARE(lines.size(), threads * perThread);
    // Each thread's lines whole, and in its own order.
    QList<int> next(threads, 0);
    for (const QByteArray &line : std::as_const(lines)) {
        const QList<QByteArray> parts = line.split(' ');
        QCOMPARE(parts.size(), 4);
        const int t = parts.at(1).toInt();
        QVERIFY(t >= 0 && t < threads);
        QCOMPARE(parts.at(3).toInt(), next[t]++);
    }
}

void TestLogWriter::aStalledStreamDropsLinesInsteadOfBlocking()
{
    Pipe pipe;
    QVERIFY(pipe.isOpen());
    constexpr qsizetype maxPending = 64 * 1024;
    LogWriter writer(pipe.writeEnd(), maxPending, notice);
    // Nobody reads: the pipe (64 KiB) fills, the writer blocks in fwrite,
    // then its queue fills. Posting must neither block nor grow without end.
    const QByteArray line(99, 'x');
    QElapsedTimer posting;
    posting.start();
    int accepted = 0;
    constexpr int posted = 100000; // 10 MB, far beyond pipe + queue
    for (int i = 0; i < posted; ++i)
        accepted += writer.post(line + '\n') ? 1 : 0;
    const qint64 postingMs = posting.elapsed();
    QVERIFY2(postingMs < 5000, qPrintable(QString::number(postingMs)));
    // Kept: what fills the pipe, the batch the writer is stuck in and the
    // queue, each at most 64 KiB (655 lines).
    QVERIFY2(accepted <= 3 * 655 + 100, qPrintable(QString::number(accepted)));
    QCOMPARE(writer.droppedLines(), quint64(posted - accepted));
    QVERIFY(!writer.flush(50)); // still stalled

    // The reader comes back: what was kept arrives, each run of dropped
    // lines stood for by a notice after the lines posted before it.
    pipe.startReading();
    QVERIFY(writer.flush(10000));
    const quint64 dropped = writer.droppedLines();
    QCOMPARE(dropped, quint64(posted - accepted));
    int kept = 0;
    quint64 noticed = 0;
    QElapsedTimer waited;
    waited.start();
    do {
        kept = 0;
        noticed = 0;
        const QList<QByteArray> lines = pipe.seen().split('\n');
        for (const QByteArray &written : lines) {
            if (written.startsWith("dropped "))
                noticed += written.mid(8).toULongLong();
            else if (!written.isEmpty())
                kept += written == line ? 1 : -1000000; // a torn line
        }
    } while (noticed < dropped && waited.elapsed() < 10000 && (QThread::msleep(1), true));
    QCOMPARE(kept, accepted);
    QCOMPARE(noticed, dropped);
}

void TestLogWriter::destructionWritesWhatIsLeft()
{
    Pipe pipe;
    QVERIFY(pipe.isOpen());
    QByteArray expected;
    {
        LogWriter writer(pipe.writeEnd(), 1 << 20, notice);
        // Less than the pipe holds, so the drain need not wait for a reader.
        for (int i = 0; i < 2000; ++i) {
            writer.post(numberedLine(i));
            expected += numberedLine(i);
        }
    }
    pipe.startReading();
    QCOMPARE(pipe.readToEnd(), expected);
}

void TestLogWriter::aNonBlockingOutputLosesNothing()
{
#ifdef Q_OS_WIN
    QSKIP("O_NONBLOCK pipes are POSIX");
#else
    // A parent may hand over a non-blocking stdout: a full pipe then answers
    // EAGAIN instead of waiting, and the lines must wait, not go.
    Pipe pipe;
    QVERIFY(pipe.isOpen());
    ::fcntl(pipe.writeEnd(), F_SETFL, ::fcntl(pipe.writeEnd(), F_GETFL) | O_NONBLOCK);
    QByteArray expected;
    {
        LogWriter writer(pipe.writeEnd(), 1 << 20, notice);
        for (int i = 0; i < 20000; ++i) { // ~220 KB: more than the pipe holds
            QVERIFY(writer.post(numberedLine(i)));
            expected += numberedLine(i);
        }
        QThread::msleep(100); // the writer meets a full pipe before anyone reads
        pipe.startReading();
        QVERIFY(writer.flush(10000));
    }
    QCOMPARE(pipe.readToEnd(), expected);
#endif
}

QTEST_GUILESS_MAIN(TestLogWriter)
#include "tst_logwriter.moc"
