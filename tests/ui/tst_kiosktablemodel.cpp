// The kiosks model under QAbstractItemModelTester: synthetic batches for the
// row bookkeeping (reuse, offline, pruning), then real QWebSocket kiosks
// connecting to and leaving a real server.

#include "../integration/KioskClient.h"
#include "ConsoleFixture.h"
#include "KioskFilterModel.h"
#include "KioskTableModel.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace KioskGate;

namespace {

SessionInfo session(const QString &id, const QString &kiosk)
{
    SessionInfo s;
    s.id = id;
    s.kiosk = kiosk;
    s.jti = QStringLiteral("jti-") + kiosk;
    s.address = QStringLiteral("127.0.0.1");
    s.transport = QStringLiteral("header");
    s.connectedAtMs = s.lastSeenMs = QDateTime::currentMSecsSinceEpoch();
    return s;
}

SessionClosure closure(const SessionInfo &s, int code = 1006, qint64 atMs = QDateTime::currentMSecsSinceEpoch())
{
    return {s, code, QStringLiteral("gone"), atMs};
}

} // namespace

class TestKioskTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void batchesKeepRowsConsistent()
    {
        KioskTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        KioskFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.sort(KioskTableModel::KioskColumn);

        SessionBatch first;
        for (int i = 0; i < 50; ++i)
            first.opened.append(session(QStringLiteral("s%1").arg(i), QStringLiteral("kiosk-%1").arg(i, 2, 10, QLatin1Char('0'))));
        model.applyBatch(first);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.onlineCount(), 50);

        // Updates change values in place; closes turn rows offline.
        SessionBatch second;
        SessionInfo updated = session(QStringLiteral("s3"), QStringLiteral("kiosk-03"));
        updated.rttMs = 12;
        updated.clientVersion = QStringLiteral("kioskgate.js 1.0");
        second.updated.append(updated);
        for (int i = 10; i < 20; ++i)
            second.closed.append(closure(first.opened.at(i)));
        model.applyBatch(second);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.onlineCount(), 40);
        QCOMPARE(model.offlineCount(), 10);
        const int row = model.rowOfSession(QStringLiteral("s3"));
        QCOMPARE(model.index(row, KioskTableModel::RoundTripColumn).data().toString(), QStringLiteral("12 ms"));
        QCOMPARE(model.index(row, KioskTableModel::ClientVersionColumn).data().toString(), QStringLiteral("kioskgate.js 1.0"));

        // A reconnect reuses the kiosk's offline row.
        SessionBatch third;
        third.opened.append(session(QStringLiteral("s10b"), QStringLiteral("kiosk-10")));
        model.applyBatch(third);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.onlineCount(), 41);

        // A reconnect that overtook the old drop: the old row goes away.
        SessionBatch fourth;
        fourth.opened.append(session(QStringLiteral("s0b"), QStringLiteral("kiosk-00")));
        model.applyBatch(fourth);
        QCOMPARE(model.rowCount(), 51);
        SessionBatch fifth;
        fifth.closed.append(closure(first.opened.at(0)));
        model.applyBatch(fifth);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.onlineCount(), 41);

        // Opened and closed within one batch.
        SessionBatch sixth;
        const SessionInfo flash = session(QStringLiteral("flash"), QStringLiteral("flash-kiosk"));
        sixth.opened.append(flash);
        sixth.closed.append(closure(flash));
        model.applyBatch(sixth);
        QCOMPARE(model.onlineCount(), 41);
        QCOMPARE(model.offlineCount(), 10);

        // Filtering by state and text.
        filter.setStateFilter(KioskFilterModel::StateFilter::Offline);
        QCOMPARE(filter.rowCount(), 10);
        filter.setStateFilter(KioskFilterModel::StateFilter::Online);
        filter.setText(QStringLiteral("kiosk-4"));
        QCOMPARE(filter.rowCount(), 10);
        filter.setText({});
        filter.setStateFilter(KioskFilterModel::StateFilter::All);

        // Offline rows past the retention time are pruned (scattered rows).
        model.setOfflineRetentionMs(1000);
        model.pruneOffline(QDateTime::currentMSecsSinceEpoch() + 2000);
        QCOMPARE(model.rowCount(), 41);
        QCOMPARE(model.offlineCount(), 0);
        QVERIFY(model.rowOfSession(QStringLiteral("s49")) >= 0);
        QCOMPARE(model.sessionAt(model.rowOfSession(QStringLiteral("s49"))).kiosk, QStringLiteral("kiosk-49"));
    }

    void followsRealKiosks()
    {
        ConsoleFixture console(50);
        KioskTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        int batches = 0;
        connect(&console.server(), &KioskServer::sessionsChanged, &model, [&](const SessionBatch &batch) {
            ++batches;
            model.applyBatch(batch);
        });

        constexpr int Kiosks = 40;
        std::vector<std::unique_ptr<KioskClient>> clients;
        for (int i = 0; i < Kiosks; ++i) {
            auto client = std::make_unique<KioskClient>();
            client->open(console.url(), console.issue(QStringLiteral("hall-%1").arg(i)));
            clients.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.onlineCount(), Kiosks, 10000);
        QVERIFY2(batches < Kiosks, "sessions arrive in batches, not one signal each");

        // A status message updates the row.
        clients.front()->socket.sendTextMessage(QStringLiteral(
            "{\"type\":\"status\",\"clientVersion\":\"test-kiosk 2.1\",\"pageUrl\":\"https://kiosk.example/start\"}"));
        const QString firstId = [&] {
            for (int r = 0; r < model.rowCount(); ++r) {
                if (model.sessionAt(r).kiosk == QLatin1String("hall-0"))
                    return model.sessionAt(r).id;
            }
            return QString();
        }();
        QVERIFY(!firstId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(model.sessionAt(model.rowOfSession(firstId)).clientVersion,
                                  QStringLiteral("test-kiosk 2.1"), 5000);

        // Half of them leave: rows turn offline.
        for (int i = 0; i < Kiosks / 2; ++i)
            clients[size_t(i)]->socket.close();
        QTRY_COMPARE_WITH_TIMEOUT(model.onlineCount(), Kiosks / 2, 10000);
        QCOMPARE(model.offlineCount(), Kiosks / 2);

        // One comes back with a new session and takes its row again.
        auto again = std::make_unique<KioskClient>();
        again->open(console.url(), console.issue(QStringLiteral("hall-0")));
        QTRY_COMPARE_WITH_TIMEOUT(model.onlineCount(), Kiosks / 2 + 1, 10000);
        QCOMPARE(model.rowCount(), Kiosks);
    }
};

QTEST_MAIN(TestKioskTableModel)
#include "tst_kiosktablemodel.moc"
