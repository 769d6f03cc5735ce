#include "IssueTokenDialog.h"

#include "AdminService.h"
#include "KioskSnippet.h"
#include "QrCode.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace KioskGate {

IssueTokenDialog::IssueTokenDialog(AdminService *admin, QString consoleBase, QWidget *parent)
    : QDialog(parent), m_admin(admin), m_consoleBase(std::move(consoleBase)), m_pages(new QStackedWidget(this))
{
    setObjectName(QStringLiteral("issueTokenDialog"));
    setWindowTitle(tr("Issue Kiosk Token"));
    m_pages->addWidget(buildForm());
    m_pages->addWidget(buildResult());
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);
}

IssueTokenDialog::~IssueTokenDialog()
{
    forget();
}

QWidget *IssueTokenDialog::buildForm()
{
    auto *page = new QWidget(this);
    m_name = new QLineEdit(page);
    m_name->setObjectName(QStringLiteral("kioskNameField"));
    m_name->setPlaceholderText(tr("e.g. lobby-1"));
    m_lifetime = new QComboBox(page);
    m_lifetime->setObjectName(QStringLiteral("lifetimeField"));
    m_lifetime->addItem(tr("1 day"), 86400);
    m_lifetime->addItem(tr("30 days"), 30 * 86400);
    m_lifetime->addItem(tr("90 days"), 90 * 86400);
    m_lifetime->addItem(tr("1 year"), 365 * 86400);
    m_lifetime->addItem(tr("Never expires"), 0);
    m_lifetime->setCurrentIndex(3);
    m_origins = new QPlainTextEdit(page);
    m_origins->setObjectName(QStringLiteral("originsField"));
    m_origins->setPlaceholderText(tr("https://kiosk.example\n(one per line; empty = any origin allowed in Settings)"));
    m_origins->setTabChangesFocus(true);
    m_origins->setFixedHeight(m_origins->fontMetrics().height() * 5);
    m_formError = new QLabel(page);
    m_formError->setObjectName(QStringLiteral("issueError"));
    m_formError->setStyleSheet(QStringLiteral("color: #b42318"));
    m_formError->setWordWrap(true);
    m_formError->hide();

    auto *intro = new QLabel(tr("A token lets one kiosk connect. It is shown once; KioskGate keeps only its id."), page);
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Kiosk name:"), m_name);
    form->addRow(tr("Lifetime:"), m_lifetime);
    form->addRow(tr("Allowed origins:"), m_origins);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, page);
    QPushButton *issueButton = buttons->addButton(tr("Issue Token"), QDialogButtonBox::AcceptRole);
    issueButton->setObjectName(QStringLiteral("issueButton"));
    issueButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &IssueTokenDialog::issue);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_formError);
    layout->addStretch();
    layout->addWidget(buttons);
    page->setMinimumWidth(480);
    return page;
}

QWidget *IssueTokenDialog::buildResult()
{
    auto *page = new QWidget(this);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_resultTitle = new QLabel(page);
    m_resultTitle->setStyleSheet(QStringLiteral("font-size: 13pt; font-weight: 600"));
    auto *warning = new QLabel(tr("This is the only time the token is shown. Copy it now: closing this "
                                  "window forgets it, and KioskGate cannot show it again."),
                               page);
    warning->setWordWrap(true);
    warning->setStyleSheet(QStringLiteral("background: #fff4e5; border: 1px solid #f5c37a; border-radius: 4px; padding: 6px"));

    m_token = new QLineEdit(page);
    m_token->setObjectName(QStringLiteral("tokenField"));
    m_token->setReadOnly(true);
    m_token->setFont(mono);
    auto *copyToken = new QPushButton(tr("Copy Token"), page);
    copyToken->setObjectName(QStringLiteral("copyTokenButton"));
    connect(copyToken, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_token->text()); });

    m_qr = new QLabel(page);
    m_qr->setObjectName(QStringLiteral("tokenQrCode"));
    m_qr->setAlignment(Qt::AlignCenter);
    m_qr->setToolTip(tr("The kiosk URL and token as JSON, for provisioning apps"));

    m_snippet = new QPlainTextEdit(page);
    m_snippet->setObjectName(QStringLiteral("snippetField"));
    m_snippet->setReadOnly(true);
    m_snippet->setFont(mono);
    m_snippet->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_snippet->setMinimumWidth(640);
    auto *copySnippet = new QPushButton(tr("Copy Snippet"), page);
    copySnippet->setObjectName(QStringLiteral("copySnippetButton"));
    connect(copySnippet, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_snippet->toPlainText()); });

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, page);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::accept);

    auto *grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("Token:"), page), 0, 0);
    grid->addWidget(m_token, 0, 1);
    grid->addWidget(copyToken, 0, 2);
    grid->addWidget(new QLabel(tr("Kiosk page snippet:"), page), 1, 0, 1, 3);
    grid->addWidget(m_snippet, 2, 0, 1, 2);
    grid->addWidget(m_qr, 2, 2, Qt::AlignTop);
    grid->addWidget(copySnippet, 3, 1, Qt::AlignLeft);
    grid->setColumnStretch(1, 1);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_resultTitle);
    layout->addWidget(warning);
    layout->addLayout(grid, 1);
    layout->addWidget(close);
    return page;
}

bool IssueTokenDialog::issue()
{
    QJsonArray origins;
    for (const QString &line : m_origins->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (!line.trimmed().isEmpty())
            origins.append(line.trimmed());
    }
    const QJsonObject answer = m_admin->handle({{QStringLiteral("command"), QStringLiteral("token.issue")},
                                                {QStringLiteral("kiosk"), m_name->text().trimmed()},
                                                {QStringLiteral("expiresIn"), m_lifetime->currentData().toInt()},
                                                {QStringLiteral("origins"), origins}});
    if (!answer.value(QStringLiteral("ok")).toBool()) {
        m_formError->setText(answer.value(QStringLiteral("error")).toString());
        m_formError->show();
        return false;
    }
    m_issuedToken = answer.value(QStringLiteral("token")).toString();
    const QString kiosk = answer.value(QStringLiteral("kiosk")).toString();
    m_resultTitle->setText(tr("Token for %1").arg(kiosk));
    m_token->setText(m_issuedToken);
    m_token->setCursorPosition(0);
    m_snippet->setPlainText(KioskSnippet::pageSnippet(m_consoleBase, m_issuedToken));
    const QImage qr = QrCode::render(KioskSnippet::qrPayload(m_consoleBase, m_issuedToken), 3);
    m_qr->setPixmap(QPixmap::fromImage(qr));
    m_pages->setCurrentIndex(1);
    adjustSize();
    Q_EMIT tokenIssued(kiosk, answer.value(QStringLiteral("jti")).toString());
    return true;
}

void IssueTokenDialog::done(int result)
{
    forget();
    QDialog::done(result);
}

void IssueTokenDialog::forget()
{
    if (m_issuedToken.isEmpty())
        return;
    QClipboard *clipboard = QApplication::clipboard();
    if (clipboard && clipboard->text().contains(m_issuedToken))
        clipboard->clear();
    m_token->clear();
    m_snippet->clear();
    m_qr->clear();
    m_issuedToken.fill(QLatin1Char('\0'));
    m_issuedToken.clear();
}

} // namespace KioskGate
