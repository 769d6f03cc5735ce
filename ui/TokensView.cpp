#include "TokensView.h"

#include "ListTable.h"
#include "TokenTableModel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace KioskGate {

TokensView::TokensView(TokenTableModel *model, const QList<QAction *> &actions, QWidget *parent)
    : QWidget(parent), m_model(model), m_table(new QTableView(this))
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(TokenTableModel::SortRole);

    m_table->setObjectName(QStringLiteral("tokenTable"));
    setUpListTable(m_table, proxy, TokenTableModel::CreatedColumn, Qt::DescendingOrder,
                   {150, 200, 110, 110, 110, 120, 80});
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this, actions](const QPoint &pos) {
        auto *menu = new QMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addActions(actions);
        menu->popup(m_table->viewport()->mapToGlobal(pos));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TokensView::selectionChanged);

    auto *bar = new QHBoxLayout;
    auto *hint = new QLabel(tr("Tokens are shown once, when issued. The registry keeps only their ids."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(hint, 1);
    for (QAction *action : actions) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        bar->addWidget(button);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
}

QStringList TokensView::selectedActiveJtis() const
{
    QStringList jtis;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        if (index.data(TokenTableModel::StateRole).toString() == QLatin1String("active"))
            jtis.append(index.data(TokenTableModel::JtiRole).toString());
    }
    return jtis;
}

} // namespace KioskGate
