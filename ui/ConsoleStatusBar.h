#pragma once

#include <QStatusBar>

class QLabel;

namespace KioskGate {

/// The status bar: where kiosks connect, how many are online, and whether
/// the server is healthy.
class ConsoleStatusBar : public QStatusBar
{
    Q_OBJECT
public:
    explicit ConsoleStatusBar(QWidget *parent = nullptr);

    void setListenUrl(const QString &url);
    void setCounts(int online, int offline, int connectionCap);

private:
    QLabel *m_url;
    QLabel *m_counts;
    QLabel *m_health;
    bool m_listening = false;
};

} // namespace KioskGate
