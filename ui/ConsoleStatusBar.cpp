#include "ConsoleStatusBar.h"

#include "ConsoleFormat.h"

#include <QLabel>

namespace KioskGate {

namespace {
// Above this share of the connection cap the health turns to a warning.
constexpr double NearCapShare = 0.9;
} // namespace

ConsoleStatusBar::ConsoleStatusBar(QWidget *parent)
    : QStatusBar(parent), m_url(new QLabel(this)), m_counts(new QLabel(this)), m_health(new QLabel(this))
{
    m_url->setObjectName(QStringLiteral("statusListenUrl"));
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counts->setObjectName(QStringLiteral("statusCounts"));
    m_health->setObjectName(QStringLiteral("statusHealth"));
    addPermanentWidget(m_url);
    addPermanentWidget(m_counts);
    addPermanentWidget(m_health);
    setSizeGripEnabled(false);
}

void ConsoleStatusBar::setListenUrl(const QString &url)
{
    m_listening = !url.isEmpty();
    m_url->setText(m_listening ? tr("Listening on %1").arg(url) : tr("Not listening"));
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
