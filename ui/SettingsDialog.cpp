#include "SettingsDialog.h"

#include "OriginPolicy.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QPointer>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace KioskGate {

SettingsDialog::SettingsDialog(const ServerSettings &settings, ApplyFunction apply, QWidget *parent)
    : QDialog(parent), m_base(settings), m_apply(std::move(apply))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("KioskGate Settings"));
    auto *tabs = new QTabWidget(this);
    tabs->addTab(buildNetworkPage(), tr("Network"));
    tabs->addTab(buildAccessPage(), tr("Access"));
    tabs->addTab(buildLimitsPage(), tr("Kiosks"));

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b42318"));
    m_error->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    resize(560, 460);
}

QWidget *SettingsDialog::buildNetworkPage()
{
    auto *page = new QWidget(this);
    m_address = new QLineEdit(m_base.listenAddress.toString(), page);
    m_address->setObjectName(QStringLiteral("listenAddressField"));
    m_address->setToolTip(tr("127.0.0.1 serves this computer only; 0.0.0.0 serves the whole network."));
    m_port = new QSpinBox(page);
    m_port->setObjectName(QStringLiteral("portField"));
    m_port->setRange(0, 65535);
    m_port->setValue(m_base.port);
    m_port->setSpecialValueText(tr("any free port"));
    auto *note = new QLabel(tr("Changing the address or port reopens the listener; connected kiosks stay "
                               "connected, new ones must use the new address."),
                            page);
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);
    auto *form = new QFormLayout(page);
    form->addRow(tr("Listen address:"), m_address);
    form->addRow(tr("Port:"), m_port);
    form->addRow(note);
    return page;
}

QWidget *SettingsDialog::buildAccessPage()
{
    auto *page = new QWidget(this);
    auto *originsBox = new QGroupBox(tr("Allowed origins"), page);
    m_origins = new QListWidget(originsBox);
    m_origins->setObjectName(QStringLiteral("originsList"));
    m_origins->addItems(m_base.allowedOrigins);
    m_newOrigin = new QLineEdit(originsBox);
    m_newOrigin->setObjectName(QStringLiteral("newOriginField"));
    m_newOrigin->setPlaceholderText(tr("https://kiosk.example"));
    auto *add = new QPushButton(tr("Add"), originsBox);
    add->setObjectName(QStringLiteral("addOriginButton"));
    auto *remove = new QPushButton(tr("Remove"), originsBox);
    remove->setObjectName(QStringLiteral("removeOriginButton"));
    connect(add, &QPushButton::clicked, this, &SettingsDialog::addOrigin);
    connect(m_newOrigin, &QLineEdit::returnPressed, this, &SettingsDialog::addOrigin);
    connect(remove, &QPushButton::clicked, this, [this] { qDeleteAll(m_origins->selectedItems()); });
    auto *addRow = new QHBoxLayout;
    addRow->addWidget(m_newOrigin, 1);
    addRow->addWidget(add);
    addRow->addWidget(remove);
    auto *hint = new QLabel(tr("Web pages served from these exact origins (scheme, host and port) may "
                               "connect kiosks. Anything else is refused with 403."),
                            originsBox);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    auto *originsLayout = new QVBoxLayout(originsBox);
    originsLayout->addWidget(hint);
    originsLayout->addWidget(m_origins);
    originsLayout->addLayout(addRow);

    m_nonBrowser = new QCheckBox(tr("Allow non-browser clients (no Origin, token in the Authorization header)"), page);
    m_nonBrowser->setObjectName(QStringLiteral("nonBrowserField"));
    m_nonBrowser->setChecked(m_base.allowNonBrowserClients);
    m_queryToken = new QCheckBox(tr("Allow tokens in the query string (?access_token=, legacy clients)"), page);
    m_queryToken->setObjectName(QStringLiteral("queryTokenField"));
    m_queryToken->setChecked(m_base.allowQueryToken);
    m_queryWarning = new QLabel(tr("Tokens in URLs end up in proxy logs, server logs and browser history. "
                                   "Prefer the subprotocol or a one-time ticket; enable this only for "
                                   "clients that cannot do either."),
                                page);
    m_queryWarning->setObjectName(QStringLiteral("queryTokenWarning"));
    m_queryWarning->setWordWrap(true);
    m_queryWarning->setStyleSheet(QStringLiteral("background: #fff4e5; border: 1px solid #f5c37a; border-radius: 4px; padding: 6px"));
    m_queryWarning->setVisible(m_base.allowQueryToken);
    connect(m_queryToken, &QCheckBox::toggled, m_queryWarning, &QWidget::setVisible);

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(originsBox, 1);
    layout->addWidget(m_nonBrowser);
    layout->addWidget(m_queryToken);
    layout->addWidget(m_queryWarning);
    return page;
}

QWidget *SettingsDialog::buildLimitsPage()
{
    auto *page = new QWidget(this);
    m_freshness = new QSpinBox(page);
    m_freshness->setObjectName(QStringLiteral("freshnessField"));
    m_freshness->setRange(10, 86400);
    m_freshness->setSuffix(tr(" s"));
    m_freshness->setValue(m_base.commandFreshnessSeconds);
    m_freshness->setToolTip(tr("Kiosks that were offline when a reset was given still receive it if they "
                               "reconnect within this time."));
    m_heartbeat = new QSpinBox(page);
    m_heartbeat->setObjectName(QStringLiteral("heartbeatField"));
    m_heartbeat->setRange(1, 3600);
    m_heartbeat->setSuffix(tr(" s"));
    m_heartbeat->setValue(qMax(1, m_base.heartbeatIntervalMs / 1000));
    m_heartbeat->setToolTip(tr("How often kiosks are pinged; a kiosk silent for %1 intervals is dropped.")
                                .arg(m_base.heartbeatMissesAllowed));
    m_cap = new QSpinBox(page);
    m_cap->setObjectName(QStringLiteral("connectionCapField"));
    m_cap->setRange(1, 1000000);
    m_cap->setGroupSeparatorShown(true);
    m_cap->setValue(m_base.maxConnections);
    m_cap->setToolTip(tr("Beyond this many connections new kiosks are refused with 503."));
    auto *form = new QFormLayout(page);
    form->addRow(tr("Command freshness window:"), m_freshness);
    form->addRow(tr("Heartbeat interval:"), m_heartbeat);
    form->addRow(tr("Connection cap:"), m_cap);
    return page;
}

bool SettingsDialog::addOrigin()
{
    QString origin;
    QString error;
    if (!OriginPolicy::normalize(m_newOrigin->text().trimmed(), &origin, &error)) {
        showError(error);
        return false;
    }
    if (m_origins->findItems(origin, Qt::MatchExactly).isEmpty())
        m_origins->addItem(origin);
    m_newOrigin->clear();
    m_error->hide();
    return true;
}

void SettingsDialog::focusListener()
{
    m_address->setFocus();
    m_address->selectAll();
}

ServerSettings SettingsDialog::editedSettings() const
{
    ServerSettings s = m_base;
    s.listenAddress = QHostAddress(m_address->text().trimmed());
    s.port = quint16(m_port->value());
    s.allowedOrigins.clear();
    for (int i = 0; i < m_origins->count(); ++i)
        s.allowedOrigins.append(m_origins->item(i)->text());
    s.allowNonBrowserClients = m_nonBrowser->isChecked();
    s.allowQueryToken = m_queryToken->isChecked();
    s.commandFreshnessSeconds = m_freshness->value();
    s.heartbeatIntervalMs = m_heartbeat->value() * 1000;
    s.maxConnections = m_cap->value();
    return s;
}

void SettingsDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->show();
}

void SettingsDialog::accept()
{
    if (m_applying)
        return;
    const ServerSettings s = editedSettings();
    QString error;
    if (s.listenAddress.isNull()) {
        showError(tr("\"%1\" is not an IP address (e.g. 127.0.0.1 or 0.0.0.0).").arg(m_address->text()));
        focusListener();
        return;
    }
    if (!s.validate(&error)) {
        showError(error);
        return;
    }
    // The network thread applies them when it gets to it (after a
    // broadcast's write loop, say): the window keeps running meanwhile.
    m_applying = true;
    m_buttons->setEnabled(false);
    m_error->hide();
    const QPointer<SettingsDialog> dialog(this);
    m_apply(s, [dialog](bool ok, const QString &reason) {
        if (dialog)
            dialog->finishApplying(ok, reason);
    });
}

void SettingsDialog::finishApplying(bool ok, const QString &error)
{
    m_applying = false;
    m_buttons->setEnabled(true);
    if (!ok) {
        showError(error);
        return;
    }
    QDialog::accept();
}

} // namespace KioskGate
