#include "ListTable.h"

#include <QHeaderView>

namespace KioskGate {

void setUpListTable(QTableView *table, QAbstractItemModel *model, int sortColumn, Qt::SortOrder order,
                    std::initializer_list<int> widths, int rowPadding)
{
    table->setModel(model);
    table->setSortingEnabled(true);
    table->sortByColumn(sortColumn, order);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + rowPadding);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    int column = 0;
    for (const int width : widths)
        table->setColumnWidth(column++, width);
}

} // namespace KioskGate
