#pragma once

#include "DropBurstDetector.h"

#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace KioskGate {

/// The system tray icon (when the desktop has a tray): counts in the
/// tooltip and menu, Show Console and Quit, and a notification when many
/// kiosks drop at once.
class TrayController : public QObject
{
    Q_OBJECT
public:
    explicit TrayController(QObject *parent = nullptr);

    static bool isAvailable();
    bool isVisible() const;
    void setCounts(int online, int offline);
    /// Feeds drops of one batch; notifies on a burst. Returns the burst size (0 = none).
    int recordDrops(int unexpectedDrops, int onlineBefore, qint64 nowMs);

Q_SIGNALS:
    void showRequested();
    void quitRequested();
    /// A burst of drops, also for windows without a tray.
    void burstDetected(const QString &title, const QString &message);

private:
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu = nullptr;
    QAction *m_counts = nullptr;
    DropBurstDetector m_bursts;
};

} // namespace KioskGate
