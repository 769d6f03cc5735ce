// The real main window, offscreen: issue a token through the dialog,
// connect a kiosk with it and see its row; disconnect it and see it
// reconnect-able; revoke from the context menu and see the kiosk closed
// with 4403; change settings live.

#include "../integration/KioskClient.h"
#include "ConsoleFixture.h"
#include "IssueTokenDialog.h"
#include "KioskTableModel.h"
#include "KiosksView.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
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
#include <QtTest>

using namespace KioskGate;

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
        QVERIFY(!guard.isNull());
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("settingsError"))->text().contains(QStringLiteral("cannot listen")));
        QVERIFY(console.server().port() != squatter.serverPort());
        dialog->reject();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
