#include "ConsoleStatusBar.h"

#include "ConsoleFormat.h"

#include <QLabel>

namespace KioskGate {

namespace {
// Above this share of the connection cap the health turns to a warning.
constexpr double NearCapShare = 0.9;
} // namespace

ConsoleStatusBar::ConsoleStatusBar(QWidget *parent)
    : QStatusBar(parent), m_command(new QLabel(this)), m_plainWarning(new QLabel(this)),
      m_certificate(new QLabel(this)), m_url(new QLabel(this)), m_counts(new QLabel(this)), m_health(new QLabel(this))
{
    m_url->setObjectName(QStringLiteral("statusListenUrl"));
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counts->setObjectName(QStringLiteral("statusCounts"));
    m_health->setObjectName(QStringLiteral("statusHealth"));
    m_command->setObjectName(QStringLiteral("statusCommand"));
    m_command->setTextFormat(Qt::RichText);
    m_command->hide();
    connect(m_command, &QLabel::linkActivated, this, [this](const QString &link) { Q_EMIT commandClicked(link); });
    m_plainWarning->setObjectName(QStringLiteral("statusPlainWarning"));
    m_plainWarning->setText(tr("⚠ Plain ws:// on the network: tokens are not encrypted"));
    m_plainWarning->setToolTip(tr("The console runs with --no-tls on a non-loopback address. Use TLS, or a "
                                  "TLS-terminating proxy on this machine with the console on 127.0.0.1."));
    m_plainWarning->setStyleSheet(QStringLiteral("color: #ffffff; background: #b42318; border-radius: 3px; padding: 1px 8px"));
    m_plainWarning->hide();
    m_certificate->setObjectName(QStringLiteral("statusCertificate"));
    m_certificate->setTextFormat(Qt::RichText);
    connect(m_certificate, &QLabel::linkActivated, this, [this] { Q_EMIT certificateClicked(); });
    addPermanentWidget(m_command);
    addPermanentWidget(m_plainWarning);
    addPermanentWidget(m_url);
    addPermanentWidget(m_certificate);
    addPermanentWidget(m_counts);
    addPermanentWidget(m_health);
    setSizeGripEnabled(false);
}

void ConsoleStatusBar::setListenUrl(const QString &url)
{
    m_listening = !url.isEmpty();
    m_url->setText(m_listening ? tr("Listening on %1").arg(url) : tr("Not listening"));
}

void ConsoleStatusBar::setTls(bool tls, const QString &spki, bool plainOnNetwork)
{
    m_certificate->setText(tls ? tr("<a href='setup'>Certificate %1…</a>").arg(spki.left(8).toHtmlEscaped())
                               : tr("<a href='setup'>TLS off</a>"));
    m_certificate->setToolTip(tls ? tr("SPKI SHA-256 %1: open Kiosk Setup for the pinning lines").arg(spki)
                                  : tr("Serving plain ws://: open Kiosk Setup"));
    m_plainWarning->setVisible(plainOnNetwork);
}

void ConsoleStatusBar::setCommandProgress(const QString &text, const QString &commandId)
{
    m_command->setVisible(!text.isEmpty());
    m_command->setText(QStringLiteral("<a href='%1'>%2</a>").arg(commandId.toHtmlEscaped(), text.toHtmlEscaped()));
    m_command->setToolTip(tr("Open the command's progress and per-kiosk details"));
}

void ConsoleStatusBar::setCounts(int online, int offline, int connectionCap)
{
    m_counts->setText(tr("%1 online · %2 offline").arg(ConsoleFormat::count(online), ConsoleFormat::count(offline)));
    QString text;
    QString color;
    if (!m_listening) {
        text = tr("● Not serving");
        color = QStringLiteral("#b42318");
    } else if (connectionCap > 0 && online >= NearCapShare * connectionCap) {
        text = tr("● Near connection cap (%1 of %2)").arg(ConsoleFormat::count(online), ConsoleFormat::count(connectionCap));
        color = QStringLiteral("#b54708");
    } else {
        text = tr("● Healthy");
        color = QStringLiteral("#1f7a45");
    }
    m_health->setText(text);
    m_health->setStyleSheet(QStringLiteral("color: %1; padding: 0 6px").arg(color));
}

} // namespace KioskGate
