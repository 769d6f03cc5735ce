#include "ActivityFilterModel.h"

#include "ActivityEvent.h"
#include "ActivityModel.h"

namespace KioskGate {

ActivityFilterModel::ActivityFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ActivityModel::SortRole);
    setDynamicSortFilter(true);
}

void ActivityFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void ActivityFilterModel::setCategory(Category category)
{
    m_category = category;
    invalidateFilter();
}

bool ActivityFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    using Kind = ActivityEvent::Kind;
    const auto kind = Kind(model->index(sourceRow, 0, sourceParent).data(ActivityModel::KindRole).toInt());
    switch (m_category) {
    case Category::All:
        break;
    case Category::Refused:
        if (kind != Kind::HandshakeRefused)
            return false;
        break;
    case Category::Connections:
        if (kind != Kind::KioskConnected && kind != Kind::KioskDisconnected)
            return false;
        break;
    case Category::AdminActions:
        if (!ActivityEvent::isAdminAction(kind))
            return false;
        break;
    }
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < ActivityModel::ColumnCount; ++column) {
        if (model->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace KioskGate
