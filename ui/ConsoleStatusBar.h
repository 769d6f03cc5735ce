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
    /// With TLS: "Certificate SPKI k7X0…" as a link to Kiosk Setup; without
    /// TLS a link that says so, and a warning when on a network address.
    void setTls(bool tls, const QString &spki, bool plainOnNetwork);
    /// The newest command's progress, as a link to its details ("" hides it).
    void setCommandProgress(const QString &text, const QString &commandId);

Q_SIGNALS:
    void certificateClicked();
    void commandClicked(const QString &commandId);

private:
    QLabel *m_command;
    QLabel *m_plainWarning;
    QLabel *m_certificate;
    QLabel *m_url;
    QLabel *m_counts;
    QLabel *m_health;
    bool m_listening = false;
};

} // namespace KioskGate
