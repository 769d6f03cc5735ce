#pragma once

#include "CommandRecord.h"

#include <QAbstractTableModel>

namespace KioskGate {

/// Recent commands, newest first, with their counts per state: starts from
/// KioskServer::recentCommands() and follows commandUpdated().
class CommandHistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        IssuedColumn,
        CommandColumn,
        IssuerColumn,
        TargetsColumn,
        DoneColumn,
        DeliveredColumn,
        OfflineColumn,
        TimedOutColumn,
        FailedColumn,
        OutcomeColumn,
        ColumnCount
    };
    enum Role { IdRole = Qt::UserRole + 1, SortRole };

    static constexpr int MaxRows = 200;

    explicit CommandHistoryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Replaces the list (newest first).
    void setRecords(const QList<CommandRecord> &records);
    /// Updates the command's row, or adds it on top.
    void upsert(const CommandRecord &record);
    QString idAt(int row) const { return m_records.value(row).id; }
    int rowOf(const QString &id) const;

private:
    QList<CommandRecord> m_records; // without targets: counts are enough here
};

} // namespace KioskGate
