#pragma once

#include "CommandRecord.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace KioskGate {

class CommandTargetModel;

/// Live progress of one command, non-modal: a bar, counts per state, the
/// outcome in words and, on request, the per-kiosk details list. Fed by the
/// main window with every (coalesced) commandUpdated() of its command.
class CommandProgressDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CommandProgressDialog(const CommandRecord &record, QWidget *parent = nullptr);

    QString commandId() const { return m_record.id; }
    const CommandRecord &record() const { return m_record; }
    /// Ignored unless it is this dialog's command.
    void setRecord(const CommandRecord &record);
    void setDetailsVisible(bool visible);
    bool detailsVisible() const;
    CommandTargetModel *targetModel() const { return m_targets; }

private:
    void refresh();

    CommandRecord m_record;
    QLabel *m_heading;
    QLabel *m_subtitle;
    QProgressBar *m_bar;
    QLabel *m_counts;
    QLabel *m_summary;
    QPushButton *m_detailsButton;
    QWidget *m_details;
    QComboBox *m_filter;
    CommandTargetModel *m_targets;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
};

} // namespace KioskGate
