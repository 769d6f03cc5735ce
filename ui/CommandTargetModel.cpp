#include "CommandTargetModel.h"

#include "CommandText.h"
#include "ConsoleFormat.h"

namespace KioskGate {

CommandTargetModel::CommandTargetModel(QObject *parent) : QAbstractTableModel(parent) {}

int CommandTargetModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_targets.size());
}

int CommandTargetModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CommandTargetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case KioskColumn: return tr("Kiosk");
    case StateColumn: return tr("State");
    case ChangedColumn: return tr("Since");
    case DetailColumn: return tr("Detail");
    default: return {};
    }
}

QVariant CommandTargetModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CommandTarget &t = m_targets.at(index.row());
    switch (role) {
    case StateRole: return t.state;
    case SortRole:
        return index.column() == ChangedColumn ? QVariant(t.changedAtMs)
                                                : QVariant(data(index, Qt::DisplayRole).toString().toLower());
    case Qt::ForegroundRole:
        return index.column() == StateColumn ? QVariant(CommandText::stateColor(t.state)) : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case KioskColumn: return t.kiosk;
        case StateColumn: return CommandText::stateLabel(t.state);
        case ChangedColumn: return ConsoleFormat::dateTime(t.changedAtMs);
        case DetailColumn:
            if (t.state == CommandState::TimedOut && t.error == OfflineTimeoutError)
                return tr("offline until the command expired");
            if (t.state == CommandState::Pending)
                return tr("offline; gets it on reconnect");
            if (t.state == CommandState::Sent)
                return tr("waiting for its ack");
            if (t.state == CommandState::Delivered)
                return tr("acked; reloading");
            return t.error;
        default: return {};
        }
    default:
        return {};
    }
}

void CommandTargetModel::setTargets(const QList<CommandTarget> &targets)
{
    bool sameRows = targets.size() == m_targets.size();
    for (int i = 0; sameRows && i < targets.size(); ++i)
        sameRows = targets.at(i).kiosk == m_targets.at(i).kiosk;
    if (!sameRows) {
        beginResetModel();
        m_targets = targets;
        endResetModel();
        return;
    }
    m_targets = targets;
    if (!m_targets.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_targets.size()) - 1, ColumnCount - 1));
}

} // namespace KioskGate
