#include "CommandsView.h"

#include "CommandHistoryModel.h"
#include "ListTable.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStackedLayout>
#include <QTableView>
#include <QVBoxLayout>

namespace KioskGate {

CommandsView::CommandsView(CommandHistoryModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_table(new QTableView(this)), m_stack(new QStackedLayout)
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(CommandHistoryModel::SortRole);

    m_table->setObjectName(QStringLiteral("commandTable"));
    setUpListTable(m_table, proxy, CommandHistoryModel::IssuedColumn, Qt::DescendingOrder,
                   {110, 180, 140, 70, 70, 80, 70, 80, 70});
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT openRequested(index.data(CommandHistoryModel::IdRole).toString());
    });

    auto *hint = new QLabel(tr("Double-click a command for its progress and the state of every kiosk."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto *empty = new QLabel(this);
    empty->setObjectName(QStringLiteral("commandEmptyHint"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setTextFormat(Qt::RichText);
    empty->setText(tr("<p style='font-size:15pt'>No commands yet</p>"
                      "<p><b>Reset All Kiosks</b> returns every kiosk to its start page; kiosks that are "
                      "offline get it when they reconnect.<br>Reset and reload single kiosks from the "
                      "Kiosks page.</p>"));
    empty->setForegroundRole(QPalette::PlaceholderText);
    m_stack->addWidget(m_table);
    m_stack->addWidget(empty);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addWidget(hint);
    layout->addLayout(m_stack, 1);

    connect(model, &QAbstractItemModel::rowsInserted, this, &CommandsView::updateEmptyHint);
    connect(model, &QAbstractItemModel::modelReset, this, &CommandsView::updateEmptyHint);
    updateEmptyHint();
}

void CommandsView::updateEmptyHint()
{
    m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 1 : 0);
}

QString CommandsView::currentCommandId() const
{
    return m_table->currentIndex().data(CommandHistoryModel::IdRole).toString();
}

} // namespace KioskGate
