#pragma once

#include <QString>

class QAbstractItemModel;
class QIODevice;

namespace KioskGate::CsvWriter {

/// Writes the rows of `model` (display text, header first) as RFC 4180 CSV
/// in UTF-8. Cells that a spreadsheet would run as a formula (=, +, -, @)
/// are prefixed with an apostrophe: origins and details come from the
/// network and must not become formulas in the operator's spreadsheet.
bool write(const QAbstractItemModel *model, QIODevice *device, QString *error);

/// One cell, quoted and neutralised as above.
QString cell(const QString &text);

} // namespace KioskGate::CsvWriter
