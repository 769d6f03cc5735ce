#include "ActivityLog.h"

namespace KioskGate {

ActivityLog::ActivityLog(int capacity, QObject *parent) : QObject(parent), m_capacity(qMax(1, capacity))
{
    qRegisterMetaType<KioskGate::ActivityEvent>();
    qRegisterMetaType<QList<KioskGate::ActivityEvent>>();
}

void ActivityLog::append(const ActivityEvent &event)
{
    append(QList<ActivityEvent>{event});
}

void ActivityLog::append(const QList<ActivityEvent> &events)
{
    if (events.isEmpty())
        return;
    for (const ActivityEvent &event : events)
        m_events.push_back(event);
    while (int(m_events.size()) > m_capacity)
        m_events.pop_front();
    Q_EMIT eventsAppended(events);
}

QList<ActivityEvent> ActivityLog::events() const
{
    return QList<ActivityEvent>(m_events.cbegin(), m_events.cend());
}

} // namespace KioskGate
