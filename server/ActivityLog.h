#pragma once

#include "ActivityEvent.h"

#include <QList>
#include <QObject>
#include <deque>

namespace KioskGate {

/// The activity log of a running instance, kept in memory on the control
/// thread: a bounded ring (the oldest lines go first), so a flood of refused
/// handshakes cannot grow it without limit. Events from the network thread
/// arrive in batches and are announced in one signal per batch.
class ActivityLog : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultCapacity = 20000;

    explicit ActivityLog(int capacity = DefaultCapacity, QObject *parent = nullptr);

    int capacity() const { return m_capacity; }
    void append(const ActivityEvent &event);
    void append(const QList<ActivityEvent> &events);
    /// Everything still held, oldest first.
    QList<ActivityEvent> events() const;

Q_SIGNALS:
    /// New events, oldest first. Receivers that keep their own copy drop
    /// from the front beyond capacity(), as the log does.
    void eventsAppended(const QList<KioskGate::ActivityEvent> &events);

private:
    int m_capacity;
    std::deque<ActivityEvent> m_events;
};

} // namespace KioskGate
