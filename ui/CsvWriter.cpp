#include "CsvWriter.h"

#include <QAbstractItemModel>
#include <QIODevice>
#include <QStringList>

namespace KioskGate::CsvWriter {

QString cell(const QString &text)
{
    QString value = text;
    if (!value.isEmpty() && QStringLiteral("=+-@\t\r").contains(value.front()))
        value.prepend(QLatin1Char('\''));
    value.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + value + QLatin1Char('"');
}

bool write(const QAbstractItemModel *model, QIODevice *device, QString *error)
{
    auto line = [device](const QStringList &cells) {
        const QByteArray bytes = (cells.join(QLatin1Char(',')) + QStringLiteral("\r\n")).toUtf8();
        return device->write(bytes) == bytes.size();
    };
    QStringList header;
    for (int column = 0; column < model->columnCount(); ++column)
        header.append(cell(model->headerData(column, Qt::Horizontal).toString()));
    bool ok = line(header);
    for (int row = 0; ok && row < model->rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < model->columnCount(); ++column)
            cells.append(cell(model->index(row, column).data().toString()));
        ok = line(cells);
    }
    if (!ok && error)
        *error = device->errorString();
    return ok;
}

} // namespace KioskGate::CsvWriter
