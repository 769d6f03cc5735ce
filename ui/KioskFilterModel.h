#pragma once

#include <QSortFilterProxyModel>

namespace KioskGate {

class KioskTableModel;

/// Sorting and the filter box of the kiosks view: free text over name,
/// address, origin, client and page, plus an online/offline choice.
class KioskFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class StateFilter { All, Online, Offline };

    explicit KioskFilterModel(QObject *parent = nullptr);

    void setText(const QString &text);
    void setStateFilter(StateFilter filter);
    void setSourceModel(QAbstractItemModel *model) override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    const KioskTableModel *m_kiosks = nullptr;
    QString m_text;
    StateFilter m_state = StateFilter::All;
};

} // namespace KioskGate
