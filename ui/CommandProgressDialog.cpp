#include "CommandProgressDialog.h"

#include "CommandTargetModel.h"
#include "CommandText.h"
#include "ConsoleFormat.h"
#include "ListTable.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace KioskGate {

namespace {

QString chip(const QString &label, int n, const QColor &color)
{
    return QStringLiteral("<span style='color:%1'>&#9679;</span>&nbsp;%2&nbsp;<b>%3</b>")
        .arg(color.name(), label.toHtmlEscaped(), ConsoleFormat::count(n));
}

// The details filter: which states each choice shows (StateRole regex).
const char *const FilterPatterns[] = {"", "^(?!done$)", "^(pending|timed_out)$", "^(failed|timed_out)$"};

} // namespace

CommandProgressDialog::CommandProgressDialog(const CommandRecord &record, QWidget *parent)
    : QDialog(parent), m_record(record), m_heading(new QLabel(this)), m_subtitle(new QLabel(this)),
      m_bar(new QProgressBar(this)), m_counts(new QLabel(this)), m_summary(new QLabel(this)),
      m_detailsButton(new QPushButton(tr("Show Details"), this)), m_details(new QWidget(this)),
      m_filter(new QComboBox(this)), m_targets(new CommandTargetModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("commandProgressDialog"));
    setModal(false);
    setWindowTitle(CommandText::heading(record));

    QFont headingFont = m_heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.35);
    headingFont.setBold(true);
    m_heading->setFont(headingFont);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    m_subtitle->setWordWrap(true);
    m_bar->setObjectName(QStringLiteral("commandProgressBar"));
    m_bar->setTextVisible(true);
    m_bar->setMinimumHeight(22);
    m_counts->setObjectName(QStringLiteral("commandCounts"));
    m_counts->setTextFormat(Qt::RichText);
    m_summary->setObjectName(QStringLiteral("commandSummary"));
    QFont summaryFont = m_summary->font();
    summaryFont.setPointSizeF(summaryFont.pointSizeF() * 1.15);
    m_summary->setFont(summaryFont);
    m_summary->setWordWrap(true);

    m_detailsButton->setObjectName(QStringLiteral("commandDetailsButton"));
    m_detailsButton->setCheckable(true);
    connect(m_detailsButton, &QPushButton::toggled, this, &CommandProgressDialog::setDetailsVisible);

    m_filter->setObjectName(QStringLiteral("commandDetailsFilter"));
    m_filter->addItems({tr("All kiosks"), tr("Not done yet"), tr("Offline"), tr("Failed or timed out")});
    m_proxy->setSourceModel(m_targets);
    m_proxy->setSortRole(CommandTargetModel::SortRole);
    m_proxy->setFilterRole(CommandTargetModel::StateRole);
    m_proxy->setFilterKeyColumn(CommandTargetModel::StateColumn);
    connect(m_filter, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_proxy->setFilterRegularExpression(QRegularExpression(QString::fromLatin1(FilterPatterns[qBound(0, index, 3)])));
    });
    m_table->setObjectName(QStringLiteral("commandTargetTable"));
    setUpListTable(m_table, m_proxy, CommandTargetModel::KioskColumn, Qt::AscendingOrder, {}, 8);
    m_table->setColumnWidth(CommandTargetModel::KioskColumn, 200);
    m_table->setColumnWidth(CommandTargetModel::StateColumn, 140);
    m_table->setColumnWidth(CommandTargetModel::ChangedColumn, 90);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show:"), m_details));
    filterRow->addWidget(m_filter);
    filterRow->addStretch(1);
    auto *detailsLayout = new QVBoxLayout(m_details);
    detailsLayout->setContentsMargins(0, 4, 0, 0);
    detailsLayout->addLayout(filterRow);
    detailsLayout->addWidget(m_table, 1);
    m_details->setVisible(false);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_detailsButton, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->setContentsMargins(20, 18, 20, 14);
    layout->addWidget(m_heading);
    layout->addWidget(m_subtitle);
    layout->addSpacing(4);
    layout->addWidget(m_bar);
    layout->addWidget(m_counts);
    layout->addWidget(m_summary);
    layout->addWidget(m_details, 1);
    layout->addWidget(buttons);
    setMinimumWidth(560);
    refresh();
}

void CommandProgressDialog::setRecord(const CommandRecord &record)
{
    if (record.id != m_record.id)
        return;
    m_record = record;
    refresh();
}

bool CommandProgressDialog::detailsVisible() const
{
    return m_details->isVisible();
}

void CommandProgressDialog::setDetailsVisible(bool visible)
{
    if (m_detailsButton->isChecked() != visible)
        m_detailsButton->setChecked(visible); // re-enters through toggled()
    m_detailsButton->setText(visible ? tr("Hide Details") : tr("Show Details"));
    m_details->setVisible(visible);
    if (visible)
        resize(qMax(width(), 640), qMax(height(), 520));
    else
        adjustSize();
}

void CommandProgressDialog::refresh()
{
    const CommandText::Tally t = CommandText::tally(m_record);
    m_heading->setText(CommandText::heading(m_record));
    const QString by = m_record.issuer.isEmpty() ? QString() : tr(" by %1").arg(m_record.issuer);
    m_subtitle->setText(tr("Issued %1%2 · kiosks that are offline get it when they reconnect until %3 · command %4")
                            .arg(ConsoleFormat::dateTime(m_record.issuedAtMs), by,
                                 ConsoleFormat::dateTime(m_record.expiresAtMs), m_record.id));
    m_bar->setRange(0, qMax(1, t.total));
    m_bar->setValue(t.total == 0 ? 1 : t.settled());
    m_bar->setFormat(t.total == 0 ? tr("No kiosks to reach") : tr("%1 of %2 finished").arg(ConsoleFormat::count(t.settled()), ConsoleFormat::count(t.total)));

    QStringList chips;
    using S = QString;
    chips.append(chip(tr("Done"), t.done, CommandText::stateColor(CommandState::Done)));
    chips.append(chip(tr("Delivered"), t.delivered, CommandText::stateColor(CommandState::Delivered)));
    if (t.sent > 0)
        chips.append(chip(tr("Sent"), t.sent, CommandText::stateColor(CommandState::Sent)));
    chips.append(chip(tr("Offline"), t.pending + t.timedOutOffline, CommandText::stateColor(CommandState::Pending)));
    chips.append(chip(tr("Timed out"), t.timedOut - t.timedOutOffline, CommandText::stateColor(CommandState::TimedOut)));
    chips.append(chip(tr("Failed"), t.failed, CommandText::stateColor(CommandState::Failed)));
    m_counts->setText(chips.join(S::fromLatin1("&nbsp;&nbsp;&nbsp;&nbsp;")));

    const QString outcome = CommandText::summary(m_record);
    if (t.finished) {
        const bool clean = t.done == t.total;
        m_summary->setText(QStringLiteral("<b style='color:%1'>%2</b> %3")
                               .arg(clean ? S::fromLatin1("#1f7a45") : S::fromLatin1("#b54708"),
                                    clean ? tr("Finished:") : tr("Finished with gaps:"), outcome.toHtmlEscaped()));
    } else {
        m_summary->setText(tr("<b>In progress:</b> %1").arg(outcome.toHtmlEscaped()));
    }
    m_targets->setTargets(m_record.targets);
}

} // namespace KioskGate
