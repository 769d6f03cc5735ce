#pragma once

// Test-only: a statement run on a database file over a connection of its
// own, beside the connections the code under test holds (as another
// process, or a later version of the program, would).

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

namespace SqlAside {

/// Runs `sql` on the file at `path`. Whether it ran; `first`, if given, gets
/// the first row's first value (invalid when there is no row).
inline bool exec(const QString &path, const QString &sql, QVariant *first = nullptr)
{
    const QString name = QStringLiteral("sql-aside");
    bool ran = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            ran = q.exec(sql);
            if (first)
                *first = ran && q.next() ? q.value(0) : QVariant();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ran;
}

} // namespace SqlAside
