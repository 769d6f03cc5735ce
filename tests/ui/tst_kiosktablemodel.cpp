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

    void indexesSurviveScatteredRemovals()
    {
        // Fifty sessions per kiosk name, interleaved, as a fleet sharing
        // tokens connects: when all drop, each name keeps one offline row
        // and the 49 others go, scattered over the table.
        KioskTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        KioskFilterModel filter;
        filter.setSourceModel(&model);
        filter.sort(KioskTableModel::KioskColumn);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SessionBatch opened;
        for (int i = 0; i < 500; ++i)
            opened.opened.append(session(QStringLiteral("s%1").arg(i), QStringLiteral("hall-%1").arg(i % 10)));
        model.applyBatch(opened);
        QCOMPARE(model.rowCount(), 500);

        // Half of them drop in one batch, the rest in another.
        SessionBatch firstDrop;
        SessionBatch secondDrop;
        for (int i = 0; i < 500; ++i)
            (i % 2 ? firstDrop : secondDrop).closed.append(closure(opened.opened.at(i)));
        model.applyBatch(firstDrop);
        QCOMPARE(model.onlineCount(), 250);
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.isOnline(row))
                QCOMPARE(model.rowOfSession(model.sessionAt(row).id), row);
        }
        model.applyBatch(secondDrop);
        QCOMPARE(model.onlineCount(), 0);
        QCOMPARE(model.rowCount(), 10);

        // Each name takes its own offline row back when it reconnects.
        SessionBatch back;
        for (int k = 0; k < 10; ++k)
            back.opened.append(session(QStringLiteral("again-%1").arg(k), QStringLiteral("hall-%1").arg(k)));
        model.applyBatch(back);
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.onlineCount(), 10);
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(model.sessionAt(row).id, QStringLiteral("again-") + model.sessionAt(row).kiosk.mid(5));
            QCOMPARE(model.rowOfSession(model.sessionAt(row).id), row);
        }

        // Pruning and clearing leave the indexes right for the rows that stay.
        SessionBatch someDrop;
        for (int k = 0; k < 10; k += 3)
            someDrop.closed.append(closure(back.opened.at(k), 1006, 1000 * k));
        model.applyBatch(someDrop);
        model.setOfflineRetentionMs(5000);
        model.pruneOffline(8500); // offline since 0 and 3,000 ms: gone; since 6,000 and 9,000: kept
        QCOMPARE(model.offlineCount(), 2);
        model.clearOffline();
        QCOMPARE(model.rowCount(), 6);
        SessionBatch returning;
        returning.opened.append(session(QStringLiteral("late"), QStringLiteral("hall-9")));
        returning.closed.append(closure(back.opened.at(1)));
        model.applyBatch(returning);
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.onlineCount(), 6);
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.isOnline(row))
                QCOMPARE(model.rowOfSession(model.sessionAt(row).id), row);
        }
    }

    void proxySortsEveryColumnAsSortRoleSays()
    {
        // The proxy compares raw fields (KioskTableModel::lessThan); the
        // order must be the one SortRole describes.
        KioskTableModel model;
        SessionBatch batch;
        const QStringList names{QStringLiteral("Museum-2"), QStringLiteral("lobby-1"), QStringLiteral("cafe-3"),
                                QStringLiteral("Atrium"), QStringLiteral("zoo-9"), QStringLiteral("lobby-10")};
        for (int i = 0; i < names.size(); ++i) {
            SessionInfo s = session(QStringLiteral("s%1").arg(i), names.at(i));
            s.address = QStringLiteral("10.0.0.%1").arg(20 - 3 * i);
            s.origin = i % 2 ? QStringLiteral("https://kiosk-%1.example").arg(i) : QString();
            s.transport = i % 3 ? QStringLiteral("subprotocol") : QStringLiteral("header");
            s.connectedAtMs = 1000000 + 37 * ((i * 7) % 5);
            s.lastSeenMs = s.connectedAtMs + 1000 * (i % 4);
            s.rttMs = i == 2 ? -1 : 5 * ((i * 3) % 7);
            s.clientVersion = i % 3 == 1 ? QString() : QStringLiteral("kioskgate.js 1.%1").arg(i);
            s.pageUrl = QStringLiteral("https://Page.example/%1").arg(QChar(u'f' - i));
            batch.opened.append(s);
        }
        batch.closed.append(closure(batch.opened.at(4), 1006, 1000500));
        model.applyBatch(batch);
        CommandRecord record;
        record.id = QStringLiteral("c1");
        record.name = QStringLiteral("reset");
        record.issuedAtMs = 2000000;
        record.targets = {{names.at(0), CommandState::Done, 2000100, QString()},
                          {names.at(3), CommandState::Sent, 2000000, QString()}};
        model.applyCommand(record);

        KioskFilterModel filter;
        filter.setSourceModel(&model);
        for (int column = 0; column < KioskTableModel::ColumnCount; ++column) {
            for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                filter.sort(column, order);
                for (int row = 1; row < filter.rowCount(); ++row) {
                    const QVariant before = filter.index(row - 1, column).data(KioskTableModel::SortRole);
                    const QVariant after = filter.index(row, column).data(KioskTableModel::SortRole);
                    const QPartialOrdering cmp = QVariant::compare(before, after);
                    const bool inOrder = order == Qt::AscendingOrder ? cmp != QPartialOrdering::Greater
                                                                     : cmp != QPartialOrdering::Less;
                    QVERIFY2(inOrder, qPrintable(QStringLiteral("column %1 %2: %3 then %4")
                                                     .arg(column).arg(order == Qt::AscendingOrder ? QStringLiteral("up") : QStringLiteral("down"),
                                                                      before.toString(), after.toString())));
                }
            }
        }
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
