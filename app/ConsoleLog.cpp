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

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' '
                            + levelName(type) + ' ' + (context.category ? context.category : "default")
                            + ": " + message.toUtf8() + '\n';
    const QMutexLocker locker(&s_mutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace

void install()
{
    qInstallMessageHandler(handler);
}

} // namespace KioskGate::ConsoleLog
