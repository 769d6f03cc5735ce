#pragma once

#include <QWidget>

class QTableView;

namespace KioskGate {

class ActivityFilterModel;
class ActivityModel;
class UserPrompts;

/// The activity page: search, a category choice, the log (newest first)
/// and Export CSV of what is shown.
class ActivityView : public QWidget
{
    Q_OBJECT
public:
    ActivityView(ActivityModel *model, UserPrompts *prompts, QWidget *parent = nullptr);

    ActivityFilterModel *filterModel() const { return m_filter; }
    QTableView *table() const { return m_table; }
    /// Writes the rows shown to `path`; false with a reason.
    bool exportCsv(const QString &path, QString *error) const;

private:
    void exportInteractively();

    ActivityFilterModel *m_filter;
    UserPrompts *m_prompts;
    QTableView *m_table;
};

} // namespace KioskGate
