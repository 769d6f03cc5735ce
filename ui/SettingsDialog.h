#pragma once

#include "ServerSettings.h"

#include <QDialog>
#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace KioskGate {

/// The server's settings. Save hands the edited settings to `apply`
/// (which applies them to the running server and stores them); if that
/// fails the dialog stays open with the reason.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    using ApplyFunction = std::function<bool(const ServerSettings &, QString *error)>;

    SettingsDialog(const ServerSettings &settings, ApplyFunction apply, QWidget *parent = nullptr);

    /// The settings the form describes (validated on save).
    ServerSettings editedSettings() const;
    /// Adds the origin typed in the field; false with an inline message if
    /// it is not an exact origin.
    bool addOrigin();
    /// Focuses the listen address (the "port in use" path).
    void focusListener();

    void accept() override;

private:
    QWidget *buildNetworkPage();
    QWidget *buildAccessPage();
    QWidget *buildLimitsPage();
    void showError(const QString &text);

    ServerSettings m_base;
    ApplyFunction m_apply;
    QLineEdit *m_address;
    QSpinBox *m_port;
    QListWidget *m_origins;
    QLineEdit *m_newOrigin;
    QCheckBox *m_nonBrowser;
    QCheckBox *m_queryToken;
    QLabel *m_queryWarning;
    QSpinBox *m_freshness;
    QSpinBox *m_heartbeat;
    QSpinBox *m_cap;
    QLabel *m_error;
};

} // namespace KioskGate
