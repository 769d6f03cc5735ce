#pragma once

#include <QWidget>

class QLabel;
class QStackedLayout;
class QTableView;

namespace KioskGate {

class CommandHistoryModel;

/// The commands page: recent resets and reloads with counts per state.
/// Double-click (or Enter) opens a command's progress and details.
class CommandsView : public QWidget
{
    Q_OBJECT
public:
    CommandsView(CommandHistoryModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    /// The command of the current row ("" if none).
    QString currentCommandId() const;

Q_SIGNALS:
    void openRequested(const QString &commandId);

private:
    void updateEmptyHint();

    CommandHistoryModel *m_model;
    QTableView *m_table;
    QStackedLayout *m_stack;
};

} // namespace KioskGate
