#include "ActivityModel.h"

#include "ActivityLog.h"

#include <QColor>
#include <QDateTime>

namespace KioskGate {

ActivityModel::ActivityModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), m_capacity(qMax(1, capacity))
{
}

void ActivityModel::follow(const ActivityLog *log)
{
    append(log->events());
    connect(log, &ActivityLog::eventsAppended, this, &ActivityModel::append);
}

int ActivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int ActivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ActivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn: return tr("Time");
    case EventColumn: return tr("Event");
    case KioskColumn: return tr("Kiosk");
    case AddressColumn: return tr("Address");
    case OriginColumn: return tr("Origin");
    case TransportColumn: return tr("Transport");
    case DetailColumn: return tr("Details");
    default: return {};
    }
}

QVariant ActivityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ActivityEvent &e = m_events.at(size_t(index.row()));
    using Kind = ActivityEvent::Kind;
    switch (role) {
    case KindRole: return int(e.kind);
    case SortRole:
        if (index.column() == TimeColumn)
            return e.atMs;
        return data(index, Qt::DisplayRole).toString().toLower();
    case Qt::ForegroundRole:
        if (index.column() != EventColumn)
            return {};
        if (e.kind == Kind::HandshakeRefused)
            return QColor(0xb4, 0x23, 0x18);
        if (e.kind == Kind::KioskConnected)
            return QColor(0x1f, 0x7a, 0x45);
        if (ActivityEvent::isAdminAction(e.kind))
            return QColor(0x1a, 0x4f, 0x9c);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return QDateTime::fromMSecsSinceEpoch(e.atMs).toString(Qt::ISODateWithMs);
        if (index.column() == DetailColumn)
            return e.detail;
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return QDateTime::fromMSecsSinceEpoch(e.atMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case EventColumn: return ActivityEvent::kindLabel(e.kind);
        case KioskColumn: return e.kiosk;
        case AddressColumn: return e.address;
        case OriginColumn: return e.origin;
        case TransportColumn: return e.transport;
        case DetailColumn: return e.detail;
        default: return {};
        }
    default:
        return {};
    }
}

void ActivityModel::append(const QList<ActivityEvent> &events)
{
    if (events.isEmpty())
        return;
    // Only the newest `capacity` of the incoming events can survive.
    const int incoming = qMin(int(events.size()), m_capacity);
    const int overflow = int(m_events.size()) + incoming - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_events.erase(m_events.begin(), m_events.begin() + overflow);
        endRemoveRows();
    }
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + incoming - 1);
    for (int i = int(events.size()) - incoming; i < events.size(); ++i)
        m_events.push_back(events.at(i));
    endInsertRows();
}

} // namespace KioskGate
