#pragma once

#include <QAbstractItemModel>
#include <QTableView>

#include <initializer_list>

namespace KioskGate {

/// The look every list in the console shares (kiosks, tokens, commands,
/// activity, command targets): whole-row selection, alternating rows, no
/// grid, no wrapping, no row numbers, left-aligned headers, the last column
/// stretched, and a sort column. `widths` are the first columns' widths in
/// pixels; `rowPadding` is added to the font's height for each row.
void setUpListTable(QTableView *table, QAbstractItemModel *model, int sortColumn, Qt::SortOrder order,
                    std::initializer_list<int> widths, int rowPadding = 10);

} // namespace KioskGate
