#include "MemoryTrimmer.h"

#include <QTimer>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace KioskGate {

MemoryTrimmer::MemoryTrimmer(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(1000);
    m_timer->setTimerType(Qt::CoarseTimer);
    connect(m_timer, &QTimer::timeout, this, [] {
#if defined(__GLIBC__)
        malloc_trim(0);
#endif
    });
}

void MemoryTrimmer::noteChurn()
{
    // Not restarted while pending: a steady stream of connections still
    // gets a trim every second.
    if (!m_timer->isActive())
        m_timer->start();
}

} // namespace KioskGate
