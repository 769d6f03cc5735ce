#pragma once

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QStackedLayout;
class QTableView;

namespace KioskGate {

class KioskFilterModel;
class KioskTableModel;

/// The kiosks page: filter box, online/offline choice and the table. Actions
/// on the selection belong to the main window; this view shows them in its
/// context menu and tells which rows are selected.
class KiosksView : public QWidget
{
    Q_OBJECT
public:
    explicit KiosksView(KioskTableModel *model, QWidget *parent = nullptr);

    void setContextActions(const QList<QAction *> &actions);
    QTableView *table() const { return m_table; }
    KioskFilterModel *filterModel() const { return m_filter; }

    /// Session ids of the selected rows that are online.
    QStringList selectedOnlineSessionIds() const;
    /// Token ids (jti) of the selected rows.
    QStringList selectedJtis() const;
    QStringList selectedKioskNames() const;

    /// The context menu as a popup (tests drive it; people right-click).
    QMenu *popupContextMenu(const QPoint &globalPos);

Q_SIGNALS:
    void selectionChanged();

private:
    QList<int> selectedSourceRows() const;
    void updateSummary();

    KioskTableModel *m_model;
    KioskFilterModel *m_filter;
    QLineEdit *m_search;
    QComboBox *m_state;
    QLabel *m_summary;
    QTableView *m_table;
    QStackedLayout *m_stack;
    QList<QAction *> m_contextActions;
};

} // namespace KioskGate
