#pragma once

#include "ActivityEvent.h"

#include <QAbstractTableModel>
#include <deque>

namespace KioskGate {

class ActivityLog;

/// The activity view's rows: a copy of the ActivityLog, bounded like it,
/// appended to once per batch.
class ActivityModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, EventColumn, KioskColumn, AddressColumn, OriginColumn, TransportColumn,
                  DetailColumn, ColumnCount };
    enum Role { KindRole = Qt::UserRole + 1, SortRole };

    explicit ActivityModel(int capacity, QObject *parent = nullptr);
    /// Follows `log`, starting with what it already holds.
    void follow(const ActivityLog *log);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void append(const QList<ActivityEvent> &events);
    const ActivityEvent &eventAt(int row) const { return m_events.at(size_t(row)); }

private:
    int m_capacity;
    std::deque<ActivityEvent> m_events;
};

} // namespace KioskGate
