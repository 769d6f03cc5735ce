#include "OpenFileLimit.h"

#include "Logging.h"

#include <QFile>
#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace KioskGate {

long raiseOpenFileLimit()
{
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        const rlim_t before = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
#ifdef Q_OS_MACOS
        // macOS refuses more than OPEN_MAX for the soft limit.
        if (limit.rlim_cur > rlim_t(10240))
            limit.rlim_cur = rlim_t(10240);
#endif
        if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
            qCInfo(lcServer) << "open file limit raised from" << qulonglong(before) << "to"
                             << qulonglong(limit.rlim_cur);
        } else {
            limit.rlim_cur = before;
        }
    }
    return limit.rlim_cur == RLIM_INFINITY ? -1 : long(limit.rlim_cur);
#else
    return -1;
#endif
}

namespace {
// Above the largest limits/max_connections (1,000,000) plus headroom, and
// far below what a soft limit of "unlimited" would ask for (8 bytes each).
constexpr long MaxReservedDescriptors = 1L << 21;
} // namespace

long reserveDescriptorTable(long descriptors)
{
#ifdef Q_OS_LINUX
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        descriptors = qMin<long>(descriptors, long(limit.rlim_cur));
    if (descriptors > 1) {
        // A descriptor numbered just below the size wanted makes the kernel
        // grow the table to it in one step; closing it keeps the table.
        const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (probe >= 0) {
            const int high = ::fcntl(probe, F_DUPFD_CLOEXEC,
                                     int(qMin(descriptors, MaxReservedDescriptors) - 1));
            if (high >= 0)
                ::close(high);
            ::close(probe);
        }
    }
    // /proc files report size 0: read them whole rather than to atEnd().
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("FDSize:"))
            return line.mid(7).trimmed().toLong();
    }
    return -1;
#else
    Q_UNUSED(descriptors);
    return -1;
#endif
}

} // namespace KioskGate
