#include "ConsoleLog.h"

#include "LogWriter.h"

#include <QDateTime>
#include <QMutex>
#include <cstdio>
#include <cstring>

namespace KioskGate::ConsoleLog {

namespace {

// Lines may wait for a slow stdout up to this much; more are dropped.
constexpr qsizetype maxPendingBytes = 4 * 1024 * 1024;
constexpr int fatalFlushTimeoutMs = 2000;

QMutex s_mutex;
LogWriter *s_writer = nullptr; // guarded by s_mutex; null: write directly
// stdout did not take the last lines at the end of a run: a write now would
// block (and keep the process from exiting), so later messages are dropped.
bool s_stdoutStalled = false; // guarded by s_mutex

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

// "2026-11-23T06:37:46.123Z", as Qt::ISODateWithMs writes UTC. The
// date and time part is formatted once per second: with a line per
// connection, QDateTime::toString() was 3% of a kiosk handshake.
qint64 s_second = -1;      // guarded by s_mutex
QByteArray s_secondPrefix; // "2026-11-23T06:37:46"

QByteArray timestamp(qint64 msecsSinceEpoch)
{
    const qint64 second = msecsSinceEpoch / 1000;
    if (second != s_second) {
        s_second = second;
        s_secondPrefix = QDateTime::fromSecsSinceEpoch(second, Qt::UTC).toString(Qt::ISODate).toLatin1();
        s_secondPrefix.chop(1); // its "Z"
    }
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", int(msecsSinceEpoch % 1000));
    return s_secondPrefix + millis;
}

// "<time> <level> <category>: <text>\n", the one line format.
QByteArray composeLine(const QByteArray &time, QtMsgType type, const char *category, const QByteArray &text)
{
    // One allocation: a line per handshake, and a chain of operator+ grew
    // the line five times.
    const char *level = levelName(type);
    const qsizetype levelSize = qsizetype(std::strlen(level));
    const qsizetype categorySize = qsizetype(std::strlen(category));
    QByteArray line;
    line.reserve(time.size() + levelSize + categorySize + text.size() + 5);
    line.append(time).append(' ').append(level, levelSize).append(' ');
    line.append(category, categorySize).append(": ").append(text).append('\n');
    return line;
}

// Under s_mutex (the timestamp cache).
QByteArray formatLine(QtMsgType type, const char *category, const QByteArray &text)
{
    return composeLine(timestamp(QDateTime::currentMSecsSinceEpoch()), type, category, text);
}

int stdoutDescriptor()
{
#ifdef Q_OS_WIN
    return _fileno(stdout);
#else
    return fileno(stdout);
#endif
}

// On the writer's thread, which must not take s_mutex (~Guard holds it
// while the writer drains): the time formatted without the cache.
QByteArray droppedNotice(quint64 lines)
{
    return composeLine(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toLatin1(), QtWarningMsg,
                       "kioskgate.log",
                       QByteArray::number(lines) + " log lines dropped: stdout did not keep up with them");
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray text = message.toUtf8();
    const QMutexLocker locker(&s_mutex);
    const QByteArray line = formatLine(type, context.category ? context.category : "default", text);
    if (s_writer) {
        s_writer->post(line);
        if (type == QtFatalMsg) // the process ends when this returns
            s_writer->flush(fatalFlushTimeoutMs);
        return;
    }
    if (s_stdoutStalled)
        return;
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace

Guard::Guard()
{
    // The writer writes to the descriptor itself. Unbuffered, stdio keeps
    // no bytes of its own for exit() to flush into a stdout that takes
    // nothing (which would keep the process from ending).
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    qInstallMessageHandler(handler);
    const int fd = stdoutDescriptor();
    if (fd < 0)
        return; // no stdout at all (a Windows GUI program): the handler's direct path, as stdio sees it
    auto *writer = new LogWriter(fd, maxPendingBytes, droppedNotice);
    const QMutexLocker locker(&s_mutex);
    delete std::exchange(s_writer, writer);
}

Guard::~Guard()
{
    // Messages from other threads wait meanwhile, so that they follow what
    // is left rather than overtake it.
    const QMutexLocker locker(&s_mutex);
    LogWriter *writer = std::exchange(s_writer, nullptr);
    if (writer && !writer->finish(LogWriter::drainTimeoutMs)) // writes what is left
        s_stdoutStalled = true;
    delete writer;
}

} // namespace KioskGate::ConsoleLog
