#pragma once

#include "CommandRecord.h"

#include <QAbstractTableModel>

namespace KioskGate {

/// The per-kiosk states of one command (the progress dialog's details list),
/// replaced wholesale by each coalesced commandUpdated().
class CommandTargetModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { KioskColumn, StateColumn, ChangedColumn, DetailColumn, ColumnCount };
    enum Role { StateRole = Qt::UserRole + 1, SortRole };

    explicit CommandTargetModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Takes the record's targets; rows stay in place when the kiosks are
    /// the same (the usual update), so selection and scroll position hold.
    void setTargets(const QList<CommandTarget> &targets);
    CommandTarget targetAt(int row) const { return m_targets.value(row); }

private:
    QList<CommandTarget> m_targets;
};

} // namespace KioskGate
