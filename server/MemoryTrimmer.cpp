#include "MemoryTrimmer.h"

#include <QTimer>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__linux__)
// jemalloc's control interface, present only when the program links
// jemalloc (weak: null otherwise, and the library never links it itself).
extern "C" int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));
#endif

namespace KioskGate {

const char *MemoryTrimmer::allocator()
{
#if defined(__linux__)
    if (mallctl)
        return "jemalloc";
#endif
#if defined(__GLIBC__)
    return "glibc";
#else
    return "system";
#endif
}

void MemoryTrimmer::trimNow()
{
#if defined(__linux__)
    // "arena.<MALLCTL_ARENAS_ALL>.purge": dirty pages of every arena go
    // back now rather than after jemalloc's decay time (10 s).
    if (mallctl) {
        mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
        return;
    }
#endif
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

MemoryTrimmer::MemoryTrimmer(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(1000);
    m_timer->setTimerType(Qt::CoarseTimer);
    connect(m_timer, &QTimer::timeout, this, [] { trimNow(); });
}

void MemoryTrimmer::noteChurn()
{
    // Not restarted while pending: a steady stream of connections still
    // gets a trim every second.
    if (!m_timer->isActive())
        m_timer->start();
}

} // namespace KioskGate
