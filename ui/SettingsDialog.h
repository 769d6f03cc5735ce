#pragma once

#include "ServerSettings.h"

#include <QDialog>
#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

class QDialogButtonBox;

namespace KioskGate {

/// The server's settings. Save hands the edited settings to `apply`
/// (which applies them to the running server and stores them) and waits
/// for its answer without blocking: the buttons are disabled meanwhile. If
/// applying fails the dialog stays open with the reason.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    using Applied = std::function<void(bool ok, const QString &error)>;
    /// Applies the settings and calls `applied` once, later or at once.
    using ApplyFunction = std::function<void(const ServerSettings &, Applied applied)>;

    SettingsDialog(const ServerSettings &settings, ApplyFunction apply, QWidget *parent = nullptr);

    /// The settings the form describes (validated on save).
    ServerSettings editedSettings() const;
    /// Adds the origin typed in the field; false with an inline message if
    /// it is not an exact origin.
    bool addOrigin();
    /// Focuses the listen address (the "port in use" path).
    void focusListener();

    void accept() override;
    /// True from Save until `apply` has answered.
    bool isApplying() const { return m_applying; }

private:
    QWidget *buildNetworkPage();
    QWidget *buildAccessPage();
    QWidget *buildLimitsPage();
    void showError(const QString &text);
    void finishApplying(bool ok, const QString &error);

    ServerSettings m_base;
    ApplyFunction m_apply;
    bool m_applying = false;
    QDialogButtonBox *m_buttons = nullptr;
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
