#include "ConsoleLog.h"

#include <QDateTime>
#include <QMutex>

#include <cstdio>

namespace KioskGate::ConsoleLog {

namespace {

QMutex s_mutex;

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

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray text = message.toUtf8();
    const QMutexLocker locker(&s_mutex);
    const QByteArray line = timestamp(QDateTime::currentMSecsSinceEpoch()) + ' ' + levelName(type) + ' '
                            + (context.category ? context.category : "default") + ": " + text + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace

void install()
{
    qInstallMessageHandler(handler);
}

} // namespace KioskGate::ConsoleLog
