#pragma once

#include "ConsoleServices.h"
#include "ServerSettings.h"
#include "SessionBatch.h"

#include <QMainWindow>

class QAction;
class QTabWidget;
class QTimer;

namespace KioskGate {

class ActivityModel;
class ActivityView;
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
    enum class Page { Kiosks, Tokens, Activity };

    explicit MainWindow(const ConsoleServices &services, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    KioskTableModel *kioskModel() const { return m_kioskModel; }
    TokenTableModel *tokenModel() const { return m_tokenModel; }
    ActivityModel *activityModel() const { return m_activityModel; }
    KiosksView *kiosksView() const { return m_kiosksView; }
    TokensView *tokensView() const { return m_tokensView; }
    ActivityView *activityView() const { return m_activityView; }

    QAction *issueTokenAction() const { return m_issueAction; }
    QAction *disconnectAction() const { return m_disconnectAction; }
    QAction *revokeAction() const { return m_revokeAction; }
    QAction *rotateKeyAction() const { return m_rotateAction; }
    QAction *settingsAction() const { return m_settingsAction; }

    /// Opens the settings dialog (window-modal, not blocking); returned for tests.
    class SettingsDialog *openSettings();
    /// Opens the issue-token dialog (window-modal, not blocking).
    class IssueTokenDialog *openIssueToken();
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
    void disconnectSelected();
    void revokeSelected();
    void rotateKey();
    void showAbout();
    void quit();
    bool applySettings(const ServerSettings &settings, QString *error);

    ConsoleServices m_services;
    KioskTableModel *m_kioskModel;
    TokenTableModel *m_tokenModel;
    ActivityModel *m_activityModel;
    QTabWidget *m_tabs = nullptr;
    KiosksView *m_kiosksView = nullptr;
    TokensView *m_tokensView = nullptr;
    ActivityView *m_activityView = nullptr;
    ConsoleStatusBar *m_statusBar = nullptr;
    TrayController *m_tray = nullptr;
    QTimer *m_tokenRefresh = nullptr;
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
