#include "KioskFilterModel.h"

#include "KioskTableModel.h"

namespace KioskGate {

KioskFilterModel::KioskFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(KioskTableModel::SortRole);
    setDynamicSortFilter(true);
}

void KioskFilterModel::setSourceModel(QAbstractItemModel *model)
{
    m_kiosks = qobject_cast<const KioskTableModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

bool KioskFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_kiosks && sortRole() == KioskTableModel::SortRole)
        return m_kiosks->lessThan(left.row(), right.row(), left.column());
    return QSortFilterProxyModel::lessThan(left, right);
}

void KioskFilterModel::setText(const QString &text)
{
    if (text.trimmed() == m_text)
        return;
    m_text = text.trimmed();
    invalidateFilter();
}

void KioskFilterModel::setStateFilter(StateFilter filter)
{
    if (filter == m_state)
        return;
    m_state = filter;
    invalidateFilter();
}

bool KioskFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    if (m_state != StateFilter::All) {
        const bool online = model->index(sourceRow, 0, sourceParent).data(KioskTableModel::OnlineRole).toBool();
        if (online != (m_state == StateFilter::Online))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    for (int column : {KioskTableModel::KioskColumn, KioskTableModel::AddressColumn,
                       KioskTableModel::OriginColumn, KioskTableModel::TransportColumn,
                       KioskTableModel::ClientVersionColumn, KioskTableModel::PageColumn}) {
        if (model->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace KioskGate
