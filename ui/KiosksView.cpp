#include "KiosksView.h"

#include "ConsoleFormat.h"
#include "KioskFilterModel.h"
#include "KioskTableModel.h"
#include "ListTable.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QStackedLayout>
#include <QTableView>
#include <QVBoxLayout>

namespace KioskGate {

KiosksView::KiosksView(KioskTableModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_filter(new KioskFilterModel(this)), m_search(new QLineEdit(this)),
      m_state(new QComboBox(this)), m_summary(new QLabel(this)), m_table(new QTableView(this)),
      m_stack(new QStackedLayout)
{
    m_filter->setSourceModel(model);

    m_search->setObjectName(QStringLiteral("kioskFilter"));
    m_search->setPlaceholderText(tr("Filter by kiosk, address, origin, client or page"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(320);
    connect(m_search, &QLineEdit::textChanged, m_filter, &KioskFilterModel::setText);

    m_state->setObjectName(QStringLiteral("kioskStateFilter"));
    m_state->addItem(tr("All kiosks"));
    m_state->addItem(tr("Online"));
    m_state->addItem(tr("Offline (recently seen)"));
    connect(m_state, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filter->setStateFilter(KioskFilterModel::StateFilter(index));
    });

    m_summary->setObjectName(QStringLiteral("kioskSummary"));
    m_summary->setForegroundRole(QPalette::PlaceholderText);

    m_table->setObjectName(QStringLiteral("kioskTable"));
    setUpListTable(m_table, m_filter, KioskTableModel::KioskColumn, Qt::AscendingOrder,
                   {84, 150, 100, 200, 92, 110, 84, 80, 160, 120, 110});
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (!m_contextActions.isEmpty())
            popupContextMenu(m_table->viewport()->mapToGlobal(pos));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &KiosksView::selectionChanged);

    auto *empty = new QLabel(this);
    empty->setObjectName(QStringLiteral("kioskEmptyHint"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setTextFormat(Qt::RichText);
    empty->setText(tr("<p style='font-size:15pt'>No kiosks are connected yet</p>"
                      "<p>Issue a token (<b>Tokens &rarr; Issue Token</b>), paste the snippet into "
                      "your kiosk page,<br>and the kiosk appears here as soon as it connects.</p>"));
    empty->setForegroundRole(QPalette::PlaceholderText);

    m_stack->addWidget(m_table);
    m_stack->addWidget(empty);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_state);
    bar->addSpacing(12);
    bar->addWidget(m_summary);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addLayout(bar);
    layout->addLayout(m_stack, 1);

    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &KiosksView::updateSummary);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &KiosksView::updateSummary);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &KiosksView::updateSummary);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &KiosksView::updateSummary);
    connect(m_model, &KioskTableModel::countsChanged, this, &KiosksView::updateSummary);
    updateSummary();
}

void KiosksView::updateSummary()
{
    const int total = m_model->rowCount();
    const int shown = m_filter->rowCount();
    m_stack->setCurrentIndex(total == 0 ? 1 : 0);
    if (shown == total)
        m_summary->setText(tr("%1 online · %2 offline")
                               .arg(ConsoleFormat::count(m_model->onlineCount()),
                                    ConsoleFormat::count(m_model->offlineCount())));
    else
        m_summary->setText(tr("showing %1 of %2").arg(ConsoleFormat::count(shown), ConsoleFormat::count(total)));
}

void KiosksView::setContextActions(const QList<QAction *> &actions)
{
    m_contextActions = actions;
}

QMenu *KiosksView::popupContextMenu(const QPoint &globalPos)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("kioskContextMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    for (QAction *action : std::as_const(m_contextActions)) {
        if (action)
            menu->addAction(action);
        else
            menu->addSeparator();
    }
    menu->popup(globalPos);
    return menu;
}

QList<int> KiosksView::selectedSourceRows() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.append(m_filter->mapToSource(index).row());
    return rows;
}

QStringList KiosksView::selectedOnlineSessionIds() const
{
    QStringList ids;
    for (int row : selectedSourceRows()) {
        if (m_model->isOnline(row))
            ids.append(m_model->sessionAt(row).id);
    }
    return ids;
}

QStringList KiosksView::selectedJtis() const
{
    QStringList jtis;
    for (int row : selectedSourceRows()) {
        const QString jti = m_model->sessionAt(row).jti;
        if (!jti.isEmpty() && !jtis.contains(jti))
            jtis.append(jti);
    }
    return jtis;
}

QStringList KiosksView::selectedKioskNames() const
{
    QStringList names;
    for (int row : selectedSourceRows()) {
        const QString name = m_model->sessionAt(row).kiosk;
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

} // namespace KioskGate
