#pragma once

#include <QSortFilterProxyModel>

namespace KioskGate {

/// Search and category filter of the activity view; newest first.
class ActivityFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class Category { All, Refused, Connections, AdminActions };

    explicit ActivityFilterModel(QObject *parent = nullptr);
    void setText(const QString &text);
    void setCategory(Category category);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    Category m_category = Category::All;
};

} // namespace KioskGate
