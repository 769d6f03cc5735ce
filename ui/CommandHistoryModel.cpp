#include "CommandHistoryModel.h"

#include "CommandText.h"
#include "ConsoleFormat.h"

namespace KioskGate {

CommandHistoryModel::CommandHistoryModel(QObject *parent) : QAbstractTableModel(parent) {}

int CommandHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int CommandHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CommandHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IssuedColumn: return tr("Issued");
    case CommandColumn: return tr("Command");
    case IssuerColumn: return tr("By");
    case TargetsColumn: return tr("Kiosks");
    case DoneColumn: return tr("Done");
    case DeliveredColumn: return tr("Delivered");
    case OfflineColumn: return tr("Offline");
    case TimedOutColumn: return tr("Timed out");
    case FailedColumn: return tr("Failed");
    case OutcomeColumn: return tr("Outcome");
    default: return {};
    }
}

QVariant CommandHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CommandRecord &r = m_records.at(index.row());
    const CommandText::Tally t = CommandText::tally(r);
    auto number = [&](int column) -> int {
        switch (column) {
        case TargetsColumn: return t.total;
        case DoneColumn: return t.done;
        case DeliveredColumn: return t.delivered + t.sent;
        case OfflineColumn: return t.pending;
        case TimedOutColumn: return t.timedOut;
        case FailedColumn: return t.failed;
        default: return -1;
        }
    };
    switch (role) {
    case IdRole: return r.id;
    case SortRole:
        if (index.column() == IssuedColumn)
            return r.issuedAtMs;
        if (number(index.column()) >= 0)
            return number(index.column());
        return data(index, Qt::DisplayRole).toString().toLower();
    case Qt::TextAlignmentRole:
        return number(index.column()) >= 0 ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == OutcomeColumn)
            return t.finished ? CommandText::stateColor(t.done == t.total ? CommandState::Done : CommandState::TimedOut)
                              : CommandText::stateColor(CommandState::Delivered);
        if (index.column() == FailedColumn && t.failed > 0)
            return CommandText::stateColor(CommandState::Failed);
        return {};
    case Qt::ToolTipRole:
        return index.column() == IssuedColumn ? tr("Command %1, fresh until %2").arg(r.id, ConsoleFormat::dateTime(r.expiresAtMs))
                                              : QVariant();
    case Qt::DisplayRole: {
        const int n = number(index.column());
        if (n >= 0)
            return ConsoleFormat::count(n);
        switch (index.column()) {
        case IssuedColumn: return ConsoleFormat::dateTime(r.issuedAtMs);
        case CommandColumn: return CommandText::heading(r);
        case IssuerColumn: return r.issuer;
        case OutcomeColumn: return t.finished ? CommandText::summary(r) : tr("In progress");
        default: return {};
        }
    }
    default:
        return {};
    }
}

void CommandHistoryModel::setRecords(const QList<CommandRecord> &records)
{
    beginResetModel();
    m_records = records.mid(0, MaxRows);
    for (CommandRecord &r : m_records)
        r.targets.clear();
    endResetModel();
}

int CommandHistoryModel::rowOf(const QString &id) const
{
    for (int row = 0; row < m_records.size(); ++row) {
        if (m_records.at(row).id == id)
            return row;
    }
    return -1;
}

void CommandHistoryModel::upsert(const CommandRecord &record)
{
    // Counts are enough, except for the heading of a one-kiosk command (its
    // name) and the summary's "offline" (targets that never connected).
    CommandRecord slim = record;
    if (record.targetCount() > 1) {
        slim.targets.clear();
        for (const CommandTarget &target : record.targets) {
            if (target.state == CommandState::TimedOut && target.error == OfflineTimeoutError)
                slim.targets.append(target);
        }
    }
    const int row = rowOf(record.id);
    if (row >= 0) {
        m_records[row] = slim;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, 0, 0);
    m_records.prepend(slim);
    endInsertRows();
    if (m_records.size() > MaxRows) {
        beginRemoveRows({}, MaxRows, int(m_records.size()) - 1);
        m_records.resize(MaxRows);
        endRemoveRows();
    }
}

} // namespace KioskGate
