#include "TrayController.h"

#include "AppIcon.h"
#include "ConsoleFormat.h"

#include <QMenu>
#include <QSystemTrayIcon>

namespace KioskGate {

TrayController::TrayController(QObject *parent) : QObject(parent)
{
    if (!isAvailable())
        return;
    m_menu = new QMenu;
    m_counts = m_menu->addAction(QString());
    m_counts->setEnabled(false);
    m_menu->addSeparator();
    m_menu->addAction(tr("Show Console"), this, &TrayController::showRequested);
    m_menu->addAction(tr("Quit KioskGate"), this, &TrayController::quitRequested);
    m_tray = new QSystemTrayIcon(AppIcon::icon(), this);
    m_tray->setContextMenu(m_menu);
    connect(this, &QObject::destroyed, m_menu, &QObject::deleteLater);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showRequested();
    });
    m_tray->show();
    setCounts(0, 0);
}

bool TrayController::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

bool TrayController::isVisible() const
{
    return m_tray && m_tray->isVisible();
}

void TrayController::setCounts(int online, int offline)
{
    if (!m_tray)
        return;
    const QString text = tr("%1 kiosks online · %2 offline").arg(ConsoleFormat::count(online), ConsoleFormat::count(offline));
    m_counts->setText(text);
    m_tray->setToolTip(QStringLiteral("KioskGate\n") + text);
}

int TrayController::recordDrops(int unexpectedDrops, int onlineBefore, qint64 nowMs)
{
    const int burst = m_bursts.record(unexpectedDrops, onlineBefore, nowMs);
    if (burst == 0)
        return 0;
    const QString title = tr("%1 kiosks dropped").arg(ConsoleFormat::count(burst));
    const QString message = tr("They lost their connection within a few seconds. Check the network "
                               "between the console and the kiosks.");
    if (m_tray)
        m_tray->showMessage(title, message, QSystemTrayIcon::Warning, 10000);
    Q_EMIT burstDetected(title, message);
    return burst;
}

} // namespace KioskGate
