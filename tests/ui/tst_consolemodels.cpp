// Activity and token models under QAbstractItemModelTester, the activity
// log fed by a real server (refusals, connects, admin actions), CSV export.

#include "../integration/KioskClient.h"
#include "ActivityFilterModel.h"
#include "ActivityModel.h"
#include "ConsoleFixture.h"
#include "CsvWriter.h"
#include "TokenTableModel.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QJsonArray>
#include <QtTest>

using namespace KioskGate;

class TestConsoleModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void activityModelIsBounded()
    {
        ActivityModel model(100);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<ActivityEvent> events;
        for (int i = 0; i < 250; ++i)
            events.append({i, ActivityEvent::Kind::HandshakeRefused, {}, QStringLiteral("10.0.0.%1").arg(i), {}, {}, {}});
        model.append(events.mid(0, 60));
        model.append(events.mid(60, 60));
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.eventAt(0).atMs, 20);
        model.append(events.mid(120));
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.eventAt(99).atMs, 249);
    }

    void activityFollowsServerAndAdmin()
    {
        ConsoleFixture console(50);
        ActivityModel model(ActivityLog::DefaultCapacity);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.follow(console.server().activity());
        ActivityFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QString jti;
        const QByteArray token = console.issue(QStringLiteral("museum-1"), &jti);
        KioskClient good;
        good.open(console.url(), token);
        KioskClient bad;
        bad.open(console.url(), token + "x");
        QTRY_VERIFY_WITH_TIMEOUT(bad.closeCode != -1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(good.kiosk, QStringLiteral("museum-1"), 5000);
        console.admin().handle({{QStringLiteral("command"), QStringLiteral("token.revoke")},
                                {QStringLiteral("target"), jti}});
        QTRY_COMPARE_WITH_TIMEOUT(good.closeCode, 4403, 5000);

        auto has = [&](ActivityEvent::Kind kind) {
            for (int r = 0; r < model.rowCount(); ++r) {
                if (model.eventAt(r).kind == kind)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(has(ActivityEvent::Kind::KioskDisconnected), 5000);
        QVERIFY(has(ActivityEvent::Kind::TokenIssued));
        QVERIFY(has(ActivityEvent::Kind::HandshakeRefused));
        QVERIFY(has(ActivityEvent::Kind::KioskConnected));
        QVERIFY(has(ActivityEvent::Kind::TokenRevoked));

        // Never a token in the log.
        for (int r = 0; r < model.rowCount(); ++r) {
            for (int c = 0; c < ActivityModel::ColumnCount; ++c)
                QVERIFY(!model.index(r, c).data().toString().contains(QString::fromLatin1(token.left(40))));
        }

        filter.setCategory(ActivityFilterModel::Category::Refused);
        QVERIFY(filter.rowCount() >= 1);
        filter.setCategory(ActivityFilterModel::Category::AdminActions);
        QCOMPARE(filter.rowCount(), 2);
        filter.setCategory(ActivityFilterModel::Category::All);
        filter.setText(QStringLiteral("museum-1"));
        QVERIFY(filter.rowCount() >= 3);

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QString error;
        QVERIFY2(CsvWriter::write(&filter, &buffer, &error), qPrintable(error));
        const QList<QByteArray> lines = buffer.data().split('\n');
        QVERIFY(lines.first().startsWith("\"Time\",\"Event\",\"Kiosk\""));
        QCOMPARE(lines.size() - 2, filter.rowCount()); // header + trailing empty
    }

    void csvNeutralisesFormulas()
    {
        QCOMPARE(CsvWriter::cell(QStringLiteral("=HYPERLINK(\"x\")")), QStringLiteral("\"'=HYPERLINK(\"\"x\"\")\""));
        QCOMPARE(CsvWriter::cell(QStringLiteral("plain")), QStringLiteral("\"plain\""));
        QCOMPARE(CsvWriter::cell(QStringLiteral("@SUM(1)")), QStringLiteral("\"'@SUM(1)\""));
    }

    void tokenModelFollowsTokenList()
    {
        ConsoleFixture console;
        TokenTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto refresh = [&] {
            model.setTokens(console.admin()
                                .handle({{QStringLiteral("command"), QStringLiteral("token.list")}})
                                .value(QStringLiteral("tokens"))
                                .toArray());
        };
        QString jti;
        console.issue(QStringLiteral("lobby-1"), &jti);
        console.issue(QStringLiteral("lobby-2"));
        refresh();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.activeCount(), 2);
        console.admin().handle({{QStringLiteral("command"), QStringLiteral("token.revoke")},
                                {QStringLiteral("target"), jti}});
        refresh();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.activeCount(), 1);
        console.issue(QStringLiteral("lobby-3"));
        refresh();
        QCOMPARE(model.rowCount(), 3);
    }
};

QTEST_MAIN(TestConsoleModels)
#include "tst_consolemodels.moc"
