#include "MainWindow.h"

#include "ActivityModel.h"
#include "ActivityView.h"
#include "AdminService.h"
#include "AppIcon.h"
#include "CommandController.h"
#include "CommandsView.h"
#include "ConsoleFormat.h"
#include "ConsoleStatusBar.h"
#include "DropBurstDetector.h"
#include "IssueTokenDialog.h"
#include "KioskServer.h"
#include "KioskSetupDialog.h"
#include "KioskSnippet.h"
#include "KioskTableModel.h"
#include "KiosksView.h"
#include "SettingsDialog.h"
#include "SettingsStore.h"
#include "TokenTableModel.h"
#include "TokensView.h"
#include "TrayController.h"
#include "UserPrompts.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <memory>

namespace KioskGate {

namespace {

// Token "last used" is written by the network thread in batches; the list
// follows a few seconds after new connections.
constexpr int TokenRefreshDelayMs = 2000;

QString consoleIni(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("console.ini"));
}

} // namespace

MainWindow::MainWindow(const ConsoleServices &services, QWidget *parent)
    : QMainWindow(parent), m_services(services), m_kioskModel(new KioskTableModel(this)),
      m_tokenModel(new TokenTableModel(this)),
      m_activityModel(new ActivityModel(ActivityLog::DefaultCapacity, this)),
      m_tokenRefresh(new QTimer(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("KioskGate"));
    setWindowIcon(AppIcon::icon());

    createActions();
    m_commands = new CommandController(m_services, m_kioskModel, this);
    m_kiosksView = new KiosksView(m_kioskModel, this);
    m_kiosksView->setContextActions({m_resetAction, m_reloadAction, nullptr, m_disconnectAction, m_revokeAction,
                                     nullptr, m_clearOfflineAction});
    m_commandsView = new CommandsView(m_commands->history(), this);
    connect(m_commandsView, &CommandsView::openRequested, m_commands, &CommandController::openProgress);
    m_tokensView = new TokensView(m_tokenModel, {m_issueAction, m_revokeAction, m_rotateAction}, this);
    m_activityView = new ActivityView(m_activityModel, m_services.prompts, this);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("pages"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_kiosksView, tr("Kiosks"));
    m_tabs->addTab(m_commandsView, tr("Commands"));
    m_tabs->addTab(m_tokensView, tr("Tokens"));
    m_tabs->addTab(m_activityView, tr("Activity"));
    // Plain ws:// on a network address is a standing risk: say so above
    // every page, not only in the status bar.
    m_plainBanner = new QLabel(this);
    m_plainBanner->setObjectName(QStringLiteral("plainBanner"));
    m_plainBanner->setWordWrap(true);
    m_plainBanner->setTextFormat(Qt::RichText);
    m_plainBanner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fef3c7; color: #78350f; border-bottom: 1px solid #f59e0b; padding: 8px 12px; }"));
    m_plainBanner->setText(tr("<b>⚠ Tokens cross the network unencrypted.</b> KioskGate serves plain ws:// "
                              "(--no-tls) on a network address. Serve TLS, or put a TLS-terminating proxy on "
                              "this machine and listen on 127.0.0.1. <a href='setup'>Kiosk Setup…</a>"));
    connect(m_plainBanner, &QLabel::linkActivated, this, &MainWindow::openKioskSetup);
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_plainBanner);
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    createMenus();
    createToolBar();
    m_statusBar = new ConsoleStatusBar(this);
    setStatusBar(m_statusBar);
    connect(m_statusBar, &ConsoleStatusBar::certificateClicked, this, &MainWindow::openKioskSetup);
    connect(m_statusBar, &ConsoleStatusBar::commandClicked, m_commands, &CommandController::openProgress);
    connect(m_commands, &CommandController::latestChanged, m_statusBar, &ConsoleStatusBar::setCommandProgress);
    connect(m_commands, &CommandController::statusMessage, m_statusBar, &QStatusBar::showMessage);
    // While the server records a command and writes its frames, the command
    // actions wait (one command at a time) and say so; the window stays live.
    connect(m_commands, &CommandController::issuingChanged, this, [this](bool issuing) {
        m_resetAllAction->setText(issuing ? tr("Issuing…") : tr("Reset All Kiosks…"));
        if (issuing)
            setCursor(Qt::BusyCursor);
        else
            unsetCursor();
        updateActions();
    });

    m_tray = new TrayController(this);
    connect(m_tray, &TrayController::showRequested, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(m_tray, &TrayController::quitRequested, this, &MainWindow::quit);
    connect(m_tray, &TrayController::burstDetected, this,
            [this](const QString &title, const QString &message) {
                m_statusBar->showMessage(title + QStringLiteral(" — ") + message, 30000);
            });

    KioskServer *server = m_services.server;
    m_connectionCap = server->settings().maxConnections;
    // Follow the batches first, then ask for the snapshot: batches emitted
    // before it arrive before it (the snapshot skips sessions already
    // shown), later ones are newer. The window never waits for a network
    // thread busy with a reconnecting fleet.
    connect(server, &KioskServer::sessionsChanged, this, &MainWindow::applyBatch);
    server->sessionsAsync(
        this, [this](const QList<SessionInfo> &sessions) { m_kioskModel->setSessions(sessions); });
    connect(server, &KioskServer::listenerChanged, this, [this] {
        m_statusBar->setListenUrl(m_services.server->listenUrl());
        updateTlsState();
    });
    m_activityModel->follow(server->activity());
    connect(server->activity(), &ActivityLog::eventsAppended, this, [this](const QList<ActivityEvent> &events) {
        // Token changes made here or from the command line (control channel).
        for (const ActivityEvent &e : events) {
            if (e.kind == ActivityEvent::Kind::TokenIssued || e.kind == ActivityEvent::Kind::TokenRevoked
                || e.kind == ActivityEvent::Kind::KeyRotated) {
                refreshTokens();
                return;
            }
        }
    });

    m_tokenRefresh->setSingleShot(true);
    m_tokenRefresh->setInterval(TokenRefreshDelayMs);
    connect(m_tokenRefresh, &QTimer::timeout, this, &MainWindow::refreshTokens);
    connect(m_kiosksView, &KiosksView::selectionChanged, this, &MainWindow::updateActions);
    connect(m_tokensView, &TokensView::selectionChanged, this, &MainWindow::updateActions);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_tokensView)
            refreshTokens();
        updateActions();
    });
    connect(m_kioskModel, &KioskTableModel::countsChanged, this, &MainWindow::updateCounts);

    m_statusBar->setListenUrl(server->listenUrl());
    updateTlsState();
    refreshTokens();
    updateCounts();
    updateActions();
    resize(1280, 760);
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_resetAllAction = new QAction(tr("Reset All Kiosks…"), this);
    m_resetAllAction->setObjectName(QStringLiteral("resetAllAction"));
    m_resetAllAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_resetAllAction->setToolTip(tr("Return every kiosk to its start page; offline kiosks get it when they "
                                    "reconnect (Ctrl+Shift+R)"));
    connect(m_resetAllAction, &QAction::triggered, this, [this] { m_commands->issue(QStringLiteral("reset"), {}); });

    m_resetAction = new QAction(tr("Reset"), this);
    m_resetAction->setObjectName(QStringLiteral("resetAction"));
    m_resetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_resetAction->setToolTip(tr("Return the selected kiosks to their start page (Ctrl+R)"));
    connect(m_resetAction, &QAction::triggered, this, [this] { issueToSelected(QStringLiteral("reset")); });

    m_reloadAction = new QAction(tr("Reload"), this);
    m_reloadAction->setObjectName(QStringLiteral("reloadAction"));
    m_reloadAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_reloadAction->setToolTip(tr("Reload the selected kiosks' page (F5)"));
    connect(m_reloadAction, &QAction::triggered, this, [this] { issueToSelected(QStringLiteral("reload")); });

    m_kioskSetupAction = new QAction(tr("Kiosk Setup…"), this);
    m_kioskSetupAction->setObjectName(QStringLiteral("kioskSetupAction"));
    m_kioskSetupAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_kioskSetupAction->setToolTip(tr("The kiosk URL, the certificate's fingerprints and the lines a kiosk "
                                      "needs to trust it (Ctrl+K)"));
    connect(m_kioskSetupAction, &QAction::triggered, this, &MainWindow::openKioskSetup);

    m_issueAction = new QAction(tr("Issue Token…"), this);
    m_issueAction->setObjectName(QStringLiteral("issueTokenAction"));
    m_issueAction->setShortcut(QKeySequence::New);
    m_issueAction->setToolTip(tr("Issue a token for a kiosk (shown once)"));
    connect(m_issueAction, &QAction::triggered, this, &MainWindow::openIssueToken);

    m_disconnectAction = new QAction(tr("Disconnect"), this);
    m_disconnectAction->setObjectName(QStringLiteral("disconnectAction"));
    m_disconnectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_disconnectAction->setToolTip(tr("Close the selected kiosks' connections; they may reconnect"));
    connect(m_disconnectAction, &QAction::triggered, this, &MainWindow::disconnectSelected);

    m_revokeAction = new QAction(tr("Revoke Token…"), this);
    m_revokeAction->setObjectName(QStringLiteral("revokeAction"));
    m_revokeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Delete));
    m_revokeAction->setToolTip(tr("Revoke the selected tokens; their kiosks are closed with 4403 at once"));
    connect(m_revokeAction, &QAction::triggered, this, &MainWindow::revokeSelected);

    m_rotateAction = new QAction(tr("Rotate Signing Key…"), this);
    m_rotateAction->setObjectName(QStringLiteral("rotateKeyAction"));
    connect(m_rotateAction, &QAction::triggered, this, &MainWindow::rotateKey);

    m_clearOfflineAction = new QAction(tr("Clear Offline Kiosks"), this);
    m_clearOfflineAction->setObjectName(QStringLiteral("clearOfflineAction"));
    connect(m_clearOfflineAction, &QAction::triggered, m_kioskModel, &KioskTableModel::clearOffline);

    m_settingsAction = new QAction(tr("Settings…"), this);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::openSettings);

    m_aboutAction = new QAction(tr("About KioskGate"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_quitAction = new QAction(tr("Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::quit);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_kioskSetupAction);
    file->addAction(m_settingsAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu *kiosks = menuBar()->addMenu(tr("&Kiosks"));
    kiosks->addAction(m_resetAllAction);
    kiosks->addSeparator();
    kiosks->addAction(m_resetAction);
    kiosks->addAction(m_reloadAction);
    kiosks->addAction(m_disconnectAction);
    kiosks->addAction(m_revokeAction);
    kiosks->addSeparator();
    kiosks->addAction(m_clearOfflineAction);
    QMenu *tokens = menuBar()->addMenu(tr("&Tokens"));
    tokens->addAction(m_issueAction);
    tokens->addAction(m_revokeAction);
    tokens->addSeparator();
    tokens->addAction(m_rotateAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QList<QPair<QString, Page>> pages = {{tr("Kiosks"), Page::Kiosks}, {tr("Commands"), Page::Commands},
                                               {tr("Tokens"), Page::Tokens}, {tr("Activity"), Page::Activity}};
    for (int i = 0; i < pages.size(); ++i) {
        QAction *action = view->addAction(pages[i].first);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        const Page page = pages[i].second;
        connect(action, &QAction::triggered, this, [this, page] { showPage(page); });
    }
    menuBar()->addMenu(tr("&Help"))->addAction(m_aboutAction);
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    // The fleet-wide command leads the bar, in the warning colour of an
    // action that reaches every kiosk; the per-kiosk actions follow.
    bar->addAction(m_resetAllAction);
    if (auto *button = qobject_cast<QToolButton *>(bar->widgetForAction(m_resetAllAction))) {
        button->setObjectName(QStringLiteral("resetAllButton"));
        button->setStyleSheet(QStringLiteral(
            "QToolButton { background: #c2410c; color: white; font-weight: bold; border: 1px solid #9a3412;"
            " border-radius: 4px; padding: 4px 14px; margin: 2px 6px 2px 2px; }"
            "QToolButton:hover { background: #9a3412; } QToolButton:pressed { background: #7c2d12; }"));
    }
    bar->addSeparator();
    bar->addAction(m_resetAction);
    bar->addAction(m_reloadAction);
    bar->addAction(m_disconnectAction);
    bar->addAction(m_revokeAction);
    bar->addSeparator();
    bar->addAction(m_issueAction);
    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    bar->addAction(m_kioskSetupAction);
    bar->addAction(m_settingsAction);
}

void MainWindow::showPage(Page page)
{
    m_tabs->setCurrentIndex(int(page));
}

void MainWindow::applyBatch(const SessionBatch &batch)
{
    const int onlineBefore = m_kioskModel->onlineCount();
    m_kioskModel->applyBatch(batch);
    int unexpected = 0;
    for (const SessionClosure &c : batch.closed)
        unexpected += DropBurstDetector::isUnexpected(c.closeCode) ? 1 : 0;
    if (unexpected > 0)
        m_tray->recordDrops(unexpected, onlineBefore, QDateTime::currentMSecsSinceEpoch());
    if (!batch.opened.isEmpty() && !m_tokenRefresh->isActive())
        m_tokenRefresh->start();
}

void MainWindow::updateCounts()
{
    const int online = m_kioskModel->onlineCount();
    const int offline = m_kioskModel->offlineCount();
    m_statusBar->setCounts(online, offline, m_connectionCap);
    m_tray->setCounts(online, offline);
    m_tabs->setTabText(int(Page::Kiosks), tr("Kiosks (%1)").arg(ConsoleFormat::count(online)));
    setWindowTitle(online > 0 ? tr("KioskGate — %1 online").arg(ConsoleFormat::count(online)) : tr("KioskGate"));
}

void MainWindow::updateActions()
{
    const bool onKiosks = m_tabs->currentWidget() == m_kiosksView;
    const bool onTokens = m_tabs->currentWidget() == m_tokensView;
    m_disconnectAction->setEnabled(onKiosks && !m_kiosksView->selectedOnlineSessionIds().isEmpty());
    const bool issuing = m_commands->isIssuing();
    const bool kioskSelected = onKiosks && !m_kiosksView->selectedKioskNames().isEmpty();
    m_resetAllAction->setEnabled(!issuing);
    m_resetAction->setEnabled(kioskSelected && !issuing);
    m_reloadAction->setEnabled(kioskSelected && !issuing);
    m_revokeAction->setEnabled((onKiosks && !m_kiosksView->selectedJtis().isEmpty())
                               || (onTokens && !m_tokensView->selectedActiveJtis().isEmpty()));
}

void MainWindow::refreshTokens()
{
    const QJsonObject answer = m_services.admin->handle({{QStringLiteral("command"), QStringLiteral("token.list")}});
    if (answer.value(QStringLiteral("ok")).toBool())
        m_tokenModel->setTokens(answer.value(QStringLiteral("tokens")).toArray());
    m_tabs->setTabText(int(Page::Tokens), tr("Tokens (%1)").arg(ConsoleFormat::count(m_tokenModel->activeCount())));
    updateActions();
}

IssueTokenDialog *MainWindow::openIssueToken()
{
    const KioskServer *server = m_services.server;
    auto *dialog = new IssueTokenDialog(m_services.admin, KioskSnippet::consoleBase(server->address(), server->port()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &IssueTokenDialog::tokenIssued, this, [this] { refreshTokens(); });
    dialog->open();
    return dialog;
}

SettingsDialog *MainWindow::openSettings()
{
    auto *dialog = new SettingsDialog(
        m_services.server->settings(),
        [this](const ServerSettings &s, SettingsDialog::Applied applied) { applySettings(s, std::move(applied)); },
        this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

void MainWindow::applySettings(const ServerSettings &settings, SettingsDialog::Applied applied)
{
    m_services.server->applySettingsAsync(
        settings, this, [this, settings, applied = std::move(applied)](bool ok, const QString &reason) {
            if (!ok) {
                applied(false, reason);
                return;
            }
            m_connectionCap = settings.maxConnections;
            m_statusBar->setListenUrl(m_services.server->listenUrl());
            updateTlsState();
            updateCounts();
            QString error;
            if (!SettingsStore(m_services.dataDir).save(settings, &error)) {
                applied(false, tr("The settings are in effect but could not be saved for the next start: %1").arg(error));
                return;
            }
            m_statusBar->showMessage(tr("Settings saved and applied"), 5000);
            applied(true, {});
        });
}

KioskSetupDialog *MainWindow::openKioskSetup()
{
    if (!m_kioskSetup) {
        m_kioskSetup = new KioskSetupDialog(m_services.server, m_services.tls, m_services.prompts, this);
        m_kioskSetup->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_kioskSetup, &KioskSetupDialog::certificateChanged, this, [this] {
            updateTlsState();
            m_statusBar->showMessage(tr("New certificate served to new connections; kiosks need the new pin"), 8000);
        });
    } else {
        m_kioskSetup->refresh();
    }
    m_kioskSetup->show();
    m_kioskSetup->raise();
    m_kioskSetup->activateWindow();
    return m_kioskSetup;
}

void MainWindow::updateTlsState()
{
    const KioskServer *server = m_services.server;
    m_statusBar->setTls(server->isTls(), server->tlsFacts().spkiSha256, server->isPlainOnNetwork());
    m_plainBanner->setVisible(server->isPlainOnNetwork());
}

void MainWindow::issueToSelected(const QString &name)
{
    const QStringList kiosks = m_kiosksView->selectedKioskNames();
    if (!kiosks.isEmpty())
        m_commands->issue(name, kiosks);
}

void MainWindow::disconnectSelected()
{
    const QStringList ids = m_kiosksView->selectedOnlineSessionIds();
    if (ids.isEmpty())
        return;
    m_services.server->disconnectSessionsAsync(ids, this, [this](int closed) {
        m_statusBar->showMessage(
            tr("Disconnected %1 kiosk(s); they may reconnect with their tokens").arg(closed), 5000);
    });
}

void MainWindow::revokeSelected()
{
    const bool onKiosks = m_tabs->currentWidget() == m_kiosksView;
    const QStringList jtis = onKiosks ? m_kiosksView->selectedJtis() : m_tokensView->selectedActiveJtis();
    if (jtis.isEmpty())
        return;
    const QString what = onKiosks ? m_kiosksView->selectedKioskNames().join(QStringLiteral(", "))
                                  : tr("%1 selected token(s)").arg(jtis.size());
    if (!m_services.prompts->confirm(this, tr("Revoke Token"),
                                     tr("Revoke the token of %1?\n\nKiosks using it are disconnected at once "
                                        "(close code 4403) and cannot connect again until they get a new token.")
                                         .arg(what),
                                     tr("Revoke")))
        return;
    // Each is revoked in the registry at once; its sessions close on the
    // network thread, and the window does not wait for that.
    struct Outcome
    {
        int pending = 0;
        QStringList failures;
    };
    auto outcome = std::make_shared<Outcome>();
    outcome->pending = int(jtis.size());
    for (const QString &jti : jtis) {
        m_services.admin->handleAsync(
            { { QStringLiteral("command"), QStringLiteral("token.revoke") },
              { QStringLiteral("target"), jti } },
            this, [this, outcome](const QJsonObject &answer) {
                if (!answer.value(QStringLiteral("ok")).toBool())
                    outcome->failures.append(answer.value(QStringLiteral("error")).toString());
                if (--outcome->pending > 0)
                    return;
                refreshTokens();
                if (!outcome->failures.isEmpty())
                    m_services.prompts->error(this, tr("Revoke failed"),
                                              tr("Some tokens could not be revoked."),
                                              outcome->failures.join(QLatin1Char('\n')));
            });
    }
}

void MainWindow::rotateKey()
{
    if (!m_services.prompts->confirm(this, tr("Rotate Signing Key"),
                                     tr("Make a new token signing key?\n\nNew tokens are signed with it; tokens "
                                        "issued so far keep working. To retire every old token at once, run "
                                        "`kioskgate keys rotate --retire-old`."),
                                     tr("Rotate Key")))
        return;
    const QJsonObject answer = m_services.admin->handle({{QStringLiteral("command"), QStringLiteral("keys.rotate")}});
    if (!answer.value(QStringLiteral("ok")).toBool()) {
        m_services.prompts->error(this, tr("Key rotation failed"), answer.value(QStringLiteral("error")).toString(),
                                  tr("The old key stays in use. Check that the system keychain is unlocked, then try again."));
        return;
    }
    m_statusBar->showMessage(tr("New signing key %1 is in use").arg(answer.value(QStringLiteral("kid")).toString()), 8000);
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("About KioskGate"));
    box.setIconPixmap(AppIcon::pixmap(96));
    box.setTextFormat(Qt::RichText);
    box.setText(tr("<h3>KioskGate %1</h3><p>Admin console and WebSocket gate for browser kiosk fleets.</p>")
                    .arg(QStringLiteral(KIOSKGATE_VERSION)));
    box.setInformativeText(tr("Kiosks connect with a token from an allowed origin; every live connection is "
                              "shown here. Signing keys stay in the system keychain.<br><br>"
                              "Built with Qt %1.").arg(QStringLiteral(QT_VERSION_STR)));
    box.exec();
}

void MainWindow::quit()
{
    m_quitting = true;
    close();
    QApplication::quit();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_quitting) {
        event->accept();
        return;
    }
    QSettings prefs(consoleIni(m_services.dataDir), QSettings::IniFormat);
    const bool trayAvailable = m_tray->isVisible();
    QString remembered = prefs.value(QStringLiteral("window/close_action")).toString();
    if (!trayAvailable && remembered == QLatin1String("tray"))
        remembered.clear();
    UserPrompts::CloseChoice choice = UserPrompts::CloseChoice::Cancel;
    if (remembered == QLatin1String("tray"))
        choice = UserPrompts::CloseChoice::KeepServing;
    else if (remembered == QLatin1String("quit"))
        choice = UserPrompts::CloseChoice::Quit;
    else {
        bool remember = false;
        choice = m_services.prompts->askClose(this, m_kioskModel->onlineCount(), trayAvailable, &remember);
        if (remember && choice != UserPrompts::CloseChoice::Cancel)
            prefs.setValue(QStringLiteral("window/close_action"),
                           choice == UserPrompts::CloseChoice::KeepServing ? QStringLiteral("tray") : QStringLiteral("quit"));
    }
    switch (choice) {
    case UserPrompts::CloseChoice::KeepServing:
        hide();
        event->ignore();
        return;
    case UserPrompts::CloseChoice::Quit:
        m_quitting = true;
        event->accept();
        QApplication::quit();
        return;
    case UserPrompts::CloseChoice::Cancel:
        event->ignore();
        return;
    }
}

} // namespace KioskGate
