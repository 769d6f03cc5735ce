// The real main window, offscreen: issue a token through the dialog,
// connect a kiosk with it and see its row; disconnect it and see it
// reconnect-able; revoke from the context menu and see the kiosk closed
// with 4403; change settings live.

#include "../integration/KioskClient.h"
#include "ActivityModel.h"
#include "CommandController.h"
#include "CommandHistoryModel.h"
#include "CommandKiosk.h"
#include "CommandProgressDialog.h"
#include "CommandTargetModel.h"
#include "ConsoleFixture.h"
#include "KioskSetupDialog.h"
#include "IssueTokenDialog.h"
#include "KioskFilterModel.h"
#include "KioskTableModel.h"
#include "KiosksView.h"
#include "MainWindow.h"
#include "SettingsDialog.h"

#include <QDialogButtonBox>
#include "TokenTableModel.h"

#include <QAction>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QTcpServer>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QProgressBar>
#include <QSslSocket>
#include <QToolBar>
#include <QStatusBar>
#include <QToolButton>
#include <QtTest>

using namespace KioskGate;

namespace {

int rowOfKiosk(const KioskTableModel *model, const QString &kiosk)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->sessionAt(row).kiosk == kiosk)
            return row;
    }
    return -1;
}

bool activityHas(const ActivityLog *log, ActivityEvent::Kind kind, const QString &detailPart)
{
    for (const ActivityEvent &e : log->events()) {
        if (e.kind == kind && e.detail.contains(detailPart))
            return true;
    }
    return false;
}

// The served certificate, as any TLS client sees it.
QByteArray servedCertificateDigest(quint16 port)
{
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForEncrypted(5000))
        return {};
    const QByteArray digest = socket.peerCertificate().digest(QCryptographicHash::Sha256);
    socket.abort();
    return digest;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void issueConnectRevoke()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        window.issueTokenAction()->trigger();
        auto *dialog = window.findChild<IssueTokenDialog *>(QStringLiteral("issueTokenDialog"));
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("kioskNameField")), QStringLiteral("lobby-1"));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("issueButton")), Qt::LeftButton);
        auto *tokenField = dialog->findChild<QLineEdit *>(QStringLiteral("tokenField"));
        QVERIFY(tokenField && tokenField->isVisible());
        const QByteArray token = tokenField->text().toLatin1();
        QVERIFY(token.count('.') == 2);
        const QString snippet = dialog->findChild<QPlainTextEdit *>(QStringLiteral("snippetField"))->toPlainText();
        QVERIFY(snippet.contains(QStringLiteral("import { KioskGate } from \"http://127.0.0.1:%1/kioskgate.js\"").arg(console.server().port())));
        QVERIFY(snippet.contains(QStringLiteral("transport: \"subprotocol\"")));
        QVERIFY(snippet.contains(QString::fromLatin1(token)));
        QTRY_COMPARE(window.tokenModel()->rowCount(), 1);

        // Closing the dialog forgets the token.
        QPointer<IssueTokenDialog> guard(dialog);
        dialog->accept();
        QTRY_VERIFY(guard.isNull());

        KioskClient kiosk;
        kiosk.open(console.url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 1, 5000);
        QCOMPARE(window.kioskModel()->index(0, KioskTableModel::KioskColumn).data().toString(), QStringLiteral("lobby-1"));

        // Select the row, open the context menu and revoke.
        QTableView *table = window.kiosksView()->table();
        table->selectRow(0);
        QVERIFY(window.revokeAction()->isEnabled());
        QMenu *menu = window.kiosksView()->popupContextMenu(table->viewport()->mapToGlobal(QPoint(10, 10)));
        QAction *revoke = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->objectName() == QLatin1String("revokeAction"))
                revoke = action;
        }
        QVERIFY(revoke);
        revoke->trigger();
        menu->close();
        QCOMPARE(console.prompts.asked.value(0), QStringLiteral("Revoke Token"));
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.closeCode, 4403, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 0, 5000);
        QCOMPARE(window.kioskModel()->offlineCount(), 1);
        QTRY_COMPARE(window.tokenModel()->activeCount(), 0);
    }

    void windowOpenedWithEventsPendingShowsEachKioskOnce()
    {
        // The kiosk's "opened" event still waits in the feed (a 5 s batch
        // interval) when the window opens: the snapshot the window asks for
        // must come after it, or the batch would add the kiosk a second time.
        ConsoleFixture console(5000);
        const QByteArray token = console.issue(QStringLiteral("atrium-1"));
        KioskClient kiosk;
        kiosk.open(console.url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("atrium-1"), 5000);
        MainWindow window(console.services());
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 1, 3000);
        QTest::qWait(5500); // past the interval: nothing of it may still arrive
        QCOMPARE(window.kioskModel()->onlineCount(), 1);
        QCOMPARE(window.kioskModel()->rowCount(), 1);
    }

    void disconnectKeepsTokenValid()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        const QByteArray token = console.issue(QStringLiteral("museum-2"));
        KioskClient kiosk;
        kiosk.open(console.url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 1, 5000);
        window.kiosksView()->table()->selectRow(0);
        QVERIFY(window.disconnectAction()->isEnabled());
        window.disconnectAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.closeCode, 1000, 5000);
        KioskClient again;
        again.open(console.url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(again.kiosk, QStringLiteral("museum-2"), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 1, 5000);
        QCOMPARE(window.kioskModel()->rowCount(), 1); // its offline row came back to life
    }

    void resetAllReachesEveryKioskAndSummarizes()
    {
        ConsoleFixture console;
        ServerSettings settings = console.server().settings();
        settings.commandFreshnessSeconds = 3; // the offline kiosk times out within the test
        QString error;
        QVERIFY2(console.server().applySettings(settings, &error), qPrintable(error));
        MainWindow window(console.services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAbstractItemModelTester historyTester(window.commands()->history(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);

        // The button leads the toolbar.
        auto *toolBar = window.findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        QVERIFY(toolBar);
        QCOMPARE(toolBar->actions().value(0), window.resetAllAction());
        auto *button = toolBar->findChild<QToolButton *>(QStringLiteral("resetAllButton"));
        QVERIFY(button && button->isVisible());

        CommandKiosk lobby(console.url(), console.issue(QStringLiteral("lobby-1")));
        CommandKiosk museum(console.url(), console.issue(QStringLiteral("museum-2")));
        console.issue(QStringLiteral("cafe-3")); // known, never connects
        lobby.open();
        museum.open();
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 2, 5000);

        // Cancelled: nothing is sent.
        console.prompts.confirmAnswer = false;
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(console.prompts.asked.value(0), QStringLiteral("Reset All Kiosks"));
        QVERIFY2(console.prompts.texts.value(0).contains(QStringLiteral("Reset all 3 kiosks?")), qPrintable(console.prompts.texts.value(0)));
        QVERIFY(console.prompts.texts.value(0).contains(QStringLiteral("2 online now")));
        QVERIFY(console.prompts.texts.value(0).contains(QStringLiteral("1 known but offline")));
        QTest::qWait(300);
        QVERIFY(lobby.commands.isEmpty());
        QCOMPARE(window.commands()->history()->rowCount(), 0);

        console.prompts.confirmAnswer = true;
        QTest::mouseClick(button, Qt::LeftButton);
        // The progress dialog opens when the server's record arrives.
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog")), 5000);
        auto *dialog = window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog"));
        QVERIFY(dialog && dialog->isVisible() && !dialog->isModal());
        QCOMPARE(dialog->record().targetCount(), 3);
        QAbstractItemModelTester targetTester(dialog->targetModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        // Each kiosk receives the frame, acks, reconnects and reports done.
        QTRY_COMPARE_WITH_TIMEOUT(lobby.commands.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(museum.commands.size(), 1, 5000);
        QCOMPARE(lobby.commands.first().value(QStringLiteral("name")).toString(), QStringLiteral("reset"));
        QCOMPARE(lobby.commands.first().value(QStringLiteral("id")).toString(), dialog->commandId());
        QTRY_COMPARE_WITH_TIMEOUT(lobby.dones, 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(museum.dones, 1, 5000);
        auto *summary = dialog->findChild<QLabel *>(QStringLiteral("commandSummary"));
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains(QStringLiteral("2 of 3 reset")), 5000);
        QVERIFY2(summary->text().contains(QStringLiteral("In progress")), qPrintable(summary->text()));

        // The kiosks table shows the state per kiosk.
        const int lobbyRow = rowOfKiosk(window.kioskModel(), QStringLiteral("lobby-1"));
        QVERIFY(lobbyRow >= 0);
        QTRY_COMPARE(window.kioskModel()->index(lobbyRow, KioskTableModel::CommandStateColumn).data().toString(),
                     QStringLiteral("Done"));
        QVERIFY(window.kioskModel()->index(lobbyRow, KioskTableModel::LastCommandColumn).data().toString().startsWith(QStringLiteral("Reset")));

        // The details list, per kiosk; the offline one is pending, then times out.
        dialog->setDetailsVisible(true);
        QVERIFY(dialog->findChild<QTableView *>(QStringLiteral("commandTargetTable"))->isVisible());
        CommandTargetModel *targets = dialog->targetModel();
        QCOMPARE(targets->rowCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains(QStringLiteral("Finished")), 8000);
        QVERIFY2(summary->text().contains(QStringLiteral("2 of 3 reset, 1 offline")), qPrintable(summary->text()));
        QStringList states;
        for (int row = 0; row < targets->rowCount(); ++row)
            states.append(targets->targetAt(row).kiosk + QLatin1Char('=') + targets->targetAt(row).state);
        states.sort();
        QCOMPARE(states, (QStringList{QStringLiteral("cafe-3=timed_out"), QStringLiteral("lobby-1=done"),
                                      QStringLiteral("museum-2=done")}));
        QCOMPARE(dialog->findChild<QProgressBar *>(QStringLiteral("commandProgressBar"))->value(), 3);

        // Commands page, status bar and activity log.
        QCOMPARE(window.commands()->history()->rowCount(), 1);
        QTRY_VERIFY(window.commands()->history()->index(0, CommandHistoryModel::OutcomeColumn).data().toString().contains(QStringLiteral("2 of 3 reset")));
        QVERIFY(window.statusBar()->findChild<QLabel *>(QStringLiteral("statusCommand"))->text().contains(QStringLiteral("2 of 3 reset")));
        QVERIFY(activityHas(console.server().activity(), ActivityEvent::Kind::ResetIssued, QStringLiteral("console window")));

        // A reset from the command line (control channel) is logged alike
        // and followed by the window.
        const QJsonObject answer = console.admin().handle({{QStringLiteral("command"), QStringLiteral("command.issue")},
                                                           {QStringLiteral("name"), QStringLiteral("reload")}});
        QVERIFY(answer.value(QStringLiteral("ok")).toBool());
        QVERIFY(activityHas(console.server().activity(), ActivityEvent::Kind::ReloadIssued, QStringLiteral("control channel")));
        QTRY_COMPARE_WITH_TIMEOUT(window.commands()->history()->rowCount(), 2, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(lobby.commands.size(), 2, 5000);
    }

    void resetSelectedKiosk()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        CommandKiosk lobby(console.url(), console.issue(QStringLiteral("lobby-1")));
        CommandKiosk museum(console.url(), console.issue(QStringLiteral("museum-2")));
        lobby.open();
        museum.open();
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 2, 5000);
        QVERIFY(!window.resetAction()->isEnabled());

        QTableView *table = window.kiosksView()->table();
        const int source = rowOfKiosk(window.kioskModel(), QStringLiteral("museum-2"));
        table->selectRow(window.kiosksView()->filterModel()->mapFromSource(window.kioskModel()->index(source, 0)).row());
        QVERIFY(window.resetAction()->isEnabled());
        QVERIFY(window.reloadAction()->isEnabled());
        QMenu *menu = window.kiosksView()->popupContextMenu(table->viewport()->mapToGlobal(QPoint(10, 10)));
        QVERIFY(menu->actions().contains(window.resetAction()));
        QVERIFY(menu->actions().contains(window.reloadAction()));
        menu->close();

        window.resetAction()->trigger();
        QCOMPARE(console.prompts.asked.value(0), QStringLiteral("Reset Kiosks"));
        QVERIFY(console.prompts.texts.value(0).startsWith(QStringLiteral("Reset museum-2?")));
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog")), 5000);
        auto *dialog = window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->windowTitle(), QStringLiteral("Reset museum-2"));
        QTRY_COMPARE_WITH_TIMEOUT(museum.dones, 1, 5000);
        auto *summary = dialog->findChild<QLabel *>(QStringLiteral("commandSummary"));
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains(QStringLiteral("Finished")), 5000);
        QVERIFY2(summary->text().contains(QStringLiteral("1 of 1 reset")), qPrintable(summary->text()));
        QTest::qWait(200);
        QVERIFY(lobby.commands.isEmpty()); // only the selected kiosk
        QCOMPARE(museum.commands.size(), 1);

        // Reload on the same selection, and the Commands page opens it again.
        table->selectRow(window.kiosksView()->filterModel()->mapFromSource(
            window.kioskModel()->index(rowOfKiosk(window.kioskModel(), QStringLiteral("museum-2")), 0)).row());
        window.reloadAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(museum.commands.size(), 2, 5000);
        QCOMPARE(museum.commands.last().value(QStringLiteral("name")).toString(), QStringLiteral("reload"));
        QTRY_COMPARE_WITH_TIMEOUT(window.commands()->history()->rowCount(), 2, 5000);
        const QString firstId = window.commands()->history()->idAt(1);
        dialog->close();
        QTRY_VERIFY(!window.commands()->progressDialog(firstId));
        // Opened from the record the network thread sends back.
        window.commands()->openProgress(firstId);
        QTRY_VERIFY_WITH_TIMEOUT(window.commands()->progressDialog(firstId), 5000);
        QCOMPARE(window.commands()->progressDialog(firstId)->record().id, firstId);
        // A command the server does not keep: said in the status bar.
        QSignalSpy messages(window.commands(), &CommandController::statusMessage);
        window.commands()->openProgress(QStringLiteral("00000000deadbeef"));
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 5000);
        QVERIFY(messages.first().first().toString().contains(QStringLiteral("no longer kept")));
        QVERIFY(!window.commands()->progressDialog(QStringLiteral("00000000deadbeef")));
    }

    void issuingNeverBlocksTheWindow()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        CommandKiosk lobby(console.url(), console.issue(QStringLiteral("lobby-1")));
        lobby.open();
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 1, 5000);

        // Another connection holds the database's write lock, so the network
        // thread waits (up to SQLite's busy timeout) to record the command.
        // A window that waited for it would freeze, and since this thread
        // releases the lock, until the timeout failed the command.
        QSqlDatabase blocker = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("blocker"));
        blocker.setDatabaseName(QDir(console.dataDir()).filePath(QStringLiteral("kioskgate.db")));
        QVERIFY(blocker.open());
        QVERIFY(QSqlQuery(blocker).exec(QStringLiteral("BEGIN IMMEDIATE")));

        QElapsedTimer clock;
        clock.start();
        window.resetAllAction()->trigger();
        const qint64 triggerMs = clock.elapsed();
        QVERIFY2(triggerMs < 1000, qPrintable(QStringLiteral("the click took %1 ms").arg(triggerMs)));
        QCOMPARE(console.prompts.asked.size(), 1);
        QVERIFY(window.commands()->isIssuing());
        QVERIFY(!window.resetAllAction()->isEnabled());
        QCOMPARE(window.resetAllAction()->text(), QStringLiteral("Issuing…"));
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("Issuing reset to all kiosks")),
                 qPrintable(window.statusBar()->currentMessage()));

        // The window's timers keep firing while the command waits.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, [&ticks] { ++ticks; });
        ticker.start(10);
        QTest::qWait(800);
        ticker.stop();
        QVERIFY2(ticks >= 20, qPrintable(QStringLiteral("%1 ticks of 10 ms in 800 ms").arg(ticks)));
        QVERIFY(window.commands()->isIssuing());
        QVERIFY(!window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog")));

        // A second click (or shortcut) while it is on its way issues nothing.
        window.resetAllAction()->trigger();
        auto *button = window.findChild<QToolButton *>(QStringLiteral("resetAllButton"));
        QVERIFY(button && !button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(!window.commands()->issue(QStringLiteral("reset"), {}));
        QCOMPARE(console.prompts.asked.size(), 1);

        QVERIFY(QSqlQuery(blocker).exec(QStringLiteral("ROLLBACK")));
        blocker.close();
        blocker = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("blocker"));

        // The record arrives: the progress dialog opens, the button is back.
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog")), 5000);
        QVERIFY(!window.commands()->isIssuing());
        QVERIFY(window.resetAllAction()->isEnabled());
        QCOMPARE(window.resetAllAction()->text(), QStringLiteral("Reset All Kiosks…"));
        QVERIFY(console.prompts.errors.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(lobby.commands.size(), 1, 5000);
        QTest::qWait(300);
        QCOMPARE(lobby.commands.size(), 1); // issued once
        QCOMPARE(window.commands()->history()->rowCount(), 1);
    }

    void refusedCommandIsReportedAfterTheAnswer()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        console.issue(QStringLiteral("lobby-1"));
        QSignalSpy failed(window.commands(), &CommandController::issueFailed);
        QVERIFY(window.commands()->issue(QStringLiteral("reset"), {QStringLiteral("nobody-here")}));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(console.prompts.errors.size(), 1);
        QVERIFY2(console.prompts.errors.first().startsWith(QStringLiteral("Command not issued: unknown kiosk")),
                 qPrintable(console.prompts.errors.first()));
        QVERIFY(!window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog")));
        QVERIFY(!window.commands()->isIssuing());
        QVERIFY(window.resetAllAction()->isEnabled());
        QVERIFY(!window.statusBar()->currentMessage().contains(QStringLiteral("Issuing")));
        QCOMPARE(window.commands()->history()->rowCount(), 0);
    }

    void droppedKiosksAreAbnormalClosures()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        QList<KioskClient *> kiosks;
        for (int i = 0; i < 12; ++i) {
            auto *kiosk = new KioskClient;
            kiosk->open(console.url(), console.issue(QStringLiteral("hall-%1").arg(i)));
            kiosks.append(kiosk);
        }
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 12, 5000);
        for (KioskClient *kiosk : kiosks)
            kiosk->socket.abort(); // no close frame: power or network lost
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 0, 5000);
        QVERIFY(activityHas(console.server().activity(), ActivityEvent::Kind::KioskDisconnected, QStringLiteral("close code 1006")));
        QVERIFY(!activityHas(console.server().activity(), ActivityEvent::Kind::KioskDisconnected, QStringLiteral("close code 1000")));
        // The tray's burst detector counted them: the window says so.
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(QStringLiteral("kiosks dropped")), 3000);
        qDeleteAll(kiosks);
    }

    void kioskSetupShowsTheServedCertificate()
    {
        ConsoleFixture console(50, ConsoleFixture::Transport::Tls);
        QVERIFY(console.server().isTls());
        MainWindow window(console.services());
        window.show();
        QVERIFY(window.statusBar()->findChild<QLabel *>(QStringLiteral("statusListenUrl"))->text().contains(QStringLiteral("wss://127.0.0.1:")));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("plainBanner"))->isHidden());

        // A pinned kiosk connects over wss:// and takes commands.
        CommandKiosk kiosk(console.url(), console.issue(QStringLiteral("lobby-1")),
                           [&console](QWebSocket *socket) { console.trustServedCertificate(socket); });
        kiosk.open();
        QTRY_COMPARE_WITH_TIMEOUT(window.kioskModel()->onlineCount(), 1, 5000);
        // The server counts the session before the welcome reaches the client.
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.welcomes, 1, 5000);

        window.kioskSetupAction()->trigger();
        auto *setup = window.findChild<KioskSetupDialog *>(QStringLiteral("kioskSetupDialog"));
        QVERIFY(setup && setup->isVisible());
        const TlsFacts facts = console.server().tlsFacts();
        QVERIFY(!facts.spkiSha256.isEmpty());
        auto field = [setup](const char *name) { return setup->findChild<QLineEdit *>(QLatin1String(name))->text(); };
        auto snippet = [setup](const char *name) { return setup->findChild<QPlainTextEdit *>(QLatin1String(name))->toPlainText(); };
        QCOMPARE(field("spkiField"), facts.spkiSha256);
        QCOMPARE(field("sha256Field"), facts.sha256Fingerprint);
        QCOMPARE(field("kioskUrl"), console.url());
        QCOMPARE(field("certificateFileField"), console.tlsStore().certificatePath());
        QVERIFY(snippet("chromiumField").contains(QStringLiteral("--ignore-certificate-errors-spki-list=") + facts.spkiSha256));
        QVERIFY(snippet("chromiumField").contains(QStringLiteral("https://kiosk.example/")));
        QVERIFY(snippet("nodeField").contains(QStringLiteral("ca: fs.readFileSync")));
        QVERIFY(setup->findChild<QLabel *>(QStringLiteral("certificateNames"))->text().contains(QStringLiteral("IP:127.0.0.1")));
        QVERIFY(setup->findChild<QLabel *>(QStringLiteral("certificateValidity"))->text().contains(QStringLiteral("days left")));
        setup->findChild<QToolButton *>(QStringLiteral("spkiFieldCopy"))->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), facts.spkiSha256);

        // Regenerate: asks, serves a new certificate at once, shows its facts.
        const QByteArray before = servedCertificateDigest(console.server().port());
        QVERIFY(!before.isEmpty());
        QCOMPARE(before, QSslCertificate::fromPath(console.tlsStore().certificatePath()).value(0).digest(QCryptographicHash::Sha256));
        QTest::mouseClick(setup->findChild<QPushButton *>(QStringLiteral("regenerateButton")), Qt::LeftButton);
        QCOMPARE(console.prompts.asked.last(), QStringLiteral("Regenerate Certificate"));
        QVERIFY(console.prompts.errors.isEmpty());
        const QByteArray after = servedCertificateDigest(console.server().port());
        QVERIFY(!after.isEmpty());
        QVERIFY(after != before);
        QCOMPARE(after, QSslCertificate::fromPath(console.tlsStore().certificatePath()).value(0).digest(QCryptographicHash::Sha256));
        QVERIFY(field("spkiField") != facts.spkiSha256);
        QCOMPARE(field("spkiField"), console.server().tlsFacts().spkiSha256);
        QVERIFY(window.statusBar()->findChild<QLabel *>(QStringLiteral("statusCertificate"))->text().contains(field("spkiField").left(8)));
        QVERIFY(activityHas(console.server().activity(), ActivityEvent::Kind::CertificateChanged, field("spkiField")));
        QCOMPARE(kiosk.welcomes, 1); // live sessions keep their connection

        // Import: a PEM pair written from a fresh identity, then a bad file.
        TlsIdentity imported;
        QString error;
        QVERIFY2(TlsCertificates::generate(TlsCertificates::defaultRequest(), &imported, &error), qPrintable(error));
        QTemporaryDir files;
        QFile certificate(files.filePath(QStringLiteral("console.pem")));
        QFile key(files.filePath(QStringLiteral("console.key")));
        QVERIFY(certificate.open(QIODevice::WriteOnly) && key.open(QIODevice::WriteOnly));
        certificate.write(imported.certificatePem);
        key.write(imported.privateKeyPem);
        certificate.close();
        key.close();
        QVERIFY(setup->importFiles(certificate.fileName(), key.fileName(), {}));
        QCOMPARE(servedCertificateDigest(console.server().port()),
                 QSslCertificate::fromData(imported.certificatePem).value(0).digest(QCryptographicHash::Sha256));
        QVERIFY(!setup->importFiles(key.fileName(), {}, {}));
        QCOMPARE(console.prompts.errors.size(), 1);
        QVERIFY(console.prompts.errors.first().startsWith(QStringLiteral("Import failed")));
    }

    void plainOnNetworkIsFlagged()
    {
        // The fixture listens on loopback: no warning there.
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        QVERIFY(!console.server().isPlainOnNetwork());
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("plainBanner"))->isHidden());
        QVERIFY(window.statusBar()->findChild<QLabel *>(QStringLiteral("statusPlainWarning"))->isHidden());
        QVERIFY(window.statusBar()->findChild<QLabel *>(QStringLiteral("statusListenUrl"))->text().contains(QStringLiteral("ws://127.0.0.1:")));
        // Moved to all interfaces (a network address) without TLS: flagged.
        ServerSettings settings = console.server().settings();
        settings.listenAddress = QHostAddress::AnyIPv4;
        QString error;
        QVERIFY2(console.server().applySettings(settings, &error), qPrintable(error));
        QVERIFY(console.server().isPlainOnNetwork());
        QTRY_VERIFY(!window.findChild<QLabel *>(QStringLiteral("plainBanner"))->isHidden());
        QVERIFY(!window.statusBar()->findChild<QLabel *>(QStringLiteral("statusPlainWarning"))->isHidden());
        KioskSetupDialog *setup = window.openKioskSetup();
        QVERIFY(!setup->findChild<QLabel *>(QStringLiteral("plainWarning"))->isHidden());
        QVERIFY(!setup->findChild<QPushButton *>(QStringLiteral("regenerateButton"))->isEnabled());
    }

    void settingsApplyLive()
    {
        ConsoleFixture console;
        MainWindow window(console.services());
        window.show();
        SettingsDialog *dialog = window.openSettings();
        // Validation: not an origin.
        dialog->findChild<QLineEdit *>(QStringLiteral("newOriginField"))->setText(QStringLiteral("kiosk.example/path"));
        QVERIFY(!dialog->addOrigin());
        dialog->findChild<QLineEdit *>(QStringLiteral("newOriginField"))->setText(QStringLiteral("https://new.example"));
        QVERIFY(dialog->addOrigin());
        dialog->findChild<QSpinBox *>(QStringLiteral("connectionCapField"))->setValue(1234);
        dialog->findChild<QCheckBox *>(QStringLiteral("queryTokenField"))->setChecked(true);
        QVERIFY(!dialog->findChild<QWidget *>(QStringLiteral("queryTokenWarning"))->isHidden());
        QPointer<SettingsDialog> guard(dialog);
        dialog->accept();
        // Save returns at once: the network thread answers later, as a
        // queued call, and the dialog waits for it with its buttons off.
        QVERIFY(!guard.isNull());
        QVERIFY(dialog->isApplying());
        QVERIFY(!dialog->findChild<QDialogButtonBox *>()->isEnabled());
        QTRY_VERIFY(guard.isNull());
        const ServerSettings applied = console.server().settings();
        QVERIFY(applied.allowedOrigins.contains(QStringLiteral("https://new.example")));
        QCOMPARE(applied.maxConnections, 1234);
        QVERIFY(applied.allowQueryToken);
        QVERIFY(QFile::exists(console.dataDir() + QStringLiteral("/settings.ini")));

        // A port that is taken: the dialog stays open and says why.
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        dialog = window.openSettings();
        guard = dialog;
        dialog->findChild<QSpinBox *>(QStringLiteral("portField"))->setValue(squatter.serverPort());
        dialog->accept();
        QTRY_VERIFY(!dialog->isApplying());
        QVERIFY(!guard.isNull());
        QVERIFY(dialog->findChild<QDialogButtonBox *>()->isEnabled());
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("settingsError"))->text().contains(QStringLiteral("cannot listen")));
        QVERIFY(console.server().port() != squatter.serverPort());
        dialog->reject();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
