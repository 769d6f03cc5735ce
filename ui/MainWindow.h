#pragma once

#include "ConsoleServices.h"
#include "ServerSettings.h"
#include "SessionBatch.h"
#include "SettingsDialog.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QTabWidget;
class QTimer;

namespace KioskGate {

class ActivityModel;
class ActivityView;
class CommandController;
class CommandsView;
class KioskSetupDialog;
class ConsoleStatusBar;
class KioskTableModel;
class KiosksView;
class TokenTableModel;
class TokensView;
class TrayController;

/// The console window. It wires the views to the server and holds the
/// actions; the views, models and dialogs do the work.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Page { Kiosks, Commands, Tokens, Activity };

    explicit MainWindow(const ConsoleServices &services, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    KioskTableModel *kioskModel() const { return m_kioskModel; }
    TokenTableModel *tokenModel() const { return m_tokenModel; }
    ActivityModel *activityModel() const { return m_activityModel; }
    KiosksView *kiosksView() const { return m_kiosksView; }
    TokensView *tokensView() const { return m_tokensView; }
    ActivityView *activityView() const { return m_activityView; }
    CommandsView *commandsView() const { return m_commandsView; }
    CommandController *commands() const { return m_commands; }

    QAction *resetAllAction() const { return m_resetAllAction; }
    QAction *resetAction() const { return m_resetAction; }
    QAction *reloadAction() const { return m_reloadAction; }
    QAction *kioskSetupAction() const { return m_kioskSetupAction; }
    QAction *issueTokenAction() const { return m_issueAction; }
    QAction *disconnectAction() const { return m_disconnectAction; }
    QAction *revokeAction() const { return m_revokeAction; }
    QAction *rotateKeyAction() const { return m_rotateAction; }
    QAction *settingsAction() const { return m_settingsAction; }

    /// Opens the settings dialog (window-modal, not blocking); returned for tests.
    class SettingsDialog *openSettings();
    /// Opens the issue-token dialog (window-modal, not blocking).
    class IssueTokenDialog *openIssueToken();
    /// Opens Kiosk Setup (URL, certificate, pinning lines); non-modal.
    KioskSetupDialog *openKioskSetup();
    void refreshTokens();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void applyBatch(const SessionBatch &batch);
    void updateCounts();
    void updateActions();
    void updateTlsState();
    void issueToSelected(const QString &name);
    void disconnectSelected();
    void revokeSelected();
    void rotateKey();
    void showAbout();
    void quit();
    /// Applies `settings` to the running server without waiting for it and
    /// stores them; `applied` gets the outcome.
    void applySettings(const ServerSettings &settings, SettingsDialog::Applied applied);

    ConsoleServices m_services;
    KioskTableModel *m_kioskModel;
    TokenTableModel *m_tokenModel;
    ActivityModel *m_activityModel;
    QTabWidget *m_tabs = nullptr;
    KiosksView *m_kiosksView = nullptr;
    TokensView *m_tokensView = nullptr;
    ActivityView *m_activityView = nullptr;
    CommandsView *m_commandsView = nullptr;
    CommandController *m_commands = nullptr;
    QLabel *m_plainBanner = nullptr;
    // QPointer, not a destroyed() handler: the dialog is a child, so it dies
    // inside ~QWidget, after ~MainWindow, when a slot on `this` must not run.
    QPointer<KioskSetupDialog> m_kioskSetup;
    ConsoleStatusBar *m_statusBar = nullptr;
    TrayController *m_tray = nullptr;
    QTimer *m_tokenRefresh = nullptr;
    QAction *m_resetAllAction = nullptr;
    QAction *m_resetAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_kioskSetupAction = nullptr;
    QAction *m_issueAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_revokeAction = nullptr;
    QAction *m_rotateAction = nullptr;
    QAction *m_clearOfflineAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_quitAction = nullptr;
    int m_connectionCap = 0;
    bool m_quitting = false;
};

} // namespace KioskGate
