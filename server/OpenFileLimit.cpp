#include "OpenFileLimit.h"

#include "Logging.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
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

} // namespace KioskGate
