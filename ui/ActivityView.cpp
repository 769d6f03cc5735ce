#include "ActivityView.h"

#include "ActivityFilterModel.h"
#include "ActivityModel.h"
#include "CsvWriter.h"
#include "ListTable.h"
#include "UserPrompts.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>

namespace KioskGate {

ActivityView::ActivityView(ActivityModel *model, UserPrompts *prompts, QWidget *parent)
    : QWidget(parent), m_filter(new ActivityFilterModel(this)), m_prompts(prompts), m_table(new QTableView(this))
{
    m_filter->setSourceModel(model);

    auto *search = new QLineEdit(this);
    search->setObjectName(QStringLiteral("activitySearch"));
    search->setPlaceholderText(tr("Search kiosk, address, origin or details"));
    search->setClearButtonEnabled(true);
    search->setMinimumWidth(320);
    connect(search, &QLineEdit::textChanged, m_filter, &ActivityFilterModel::setText);

    auto *category = new QComboBox(this);
    category->setObjectName(QStringLiteral("activityCategory"));
    category->addItems({tr("All events"), tr("Refused handshakes"), tr("Connects and drops"), tr("Operator actions")});
    connect(category, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_filter->setCategory(ActivityFilterModel::Category(index)); });

    auto *exportButton = new QPushButton(tr("Export CSV…"), this);
    exportButton->setObjectName(QStringLiteral("activityExport"));
    connect(exportButton, &QPushButton::clicked, this, &ActivityView::exportInteractively);

    m_table->setObjectName(QStringLiteral("activityTable"));
    setUpListTable(m_table, m_filter, ActivityModel::TimeColumn, Qt::DescendingOrder,
                   {150, 120, 130, 110, 190, 95});

    auto *bar = new QHBoxLayout;
    bar->addWidget(search, 1);
    bar->addWidget(category);
    bar->addStretch();
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
}

bool ActivityView::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    if (!CsvWriter::write(m_filter, &file, error))
        return false;
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void ActivityView::exportInteractively()
{
    const QString suggested = QDir::home().filePath(
        QStringLiteral("kioskgate-activity-%1.csv").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))));
    const QString path = m_prompts->saveFileName(this, tr("Export Activity"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        m_prompts->error(this, tr("Export failed"), tr("The activity log could not be written to %1.").arg(path),
                         tr("%1. Choose a folder you can write to and try again.").arg(error));
}

} // namespace KioskGate
