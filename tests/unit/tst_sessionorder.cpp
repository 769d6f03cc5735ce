// SessionOrder: sessions come back in the order they were appended, all
// of them and per kiosk name, whichever are taken out in between.

#include "SessionOrder.h"

#include <QTest>
#include <vector>

using namespace KioskGate;

namespace {

struct Entry : SessionLinks
{
    QString kiosk;
    int label = 0;
};

QList<int> all(const SessionOrder &order)
{
    QList<int> labels;
    for (const SessionLinks *links = order.oldest(); links; links = links->newer)
        labels.append(static_cast<const Entry *>(links)->label);
    return labels;
}

QList<int> newestFirst(const SessionOrder &order)
{
    QList<int> labels;
    for (const SessionLinks *links = order.newest(); links; links = links->older)
        labels.append(static_cast<const Entry *>(links)->label);
    return labels;
}

QList<int> ofKiosk(const SessionOrder &order, const QString &kiosk)
{
    QList<int> labels;
    const SessionOrder::Kiosk *sessions = order.kiosk(kiosk);
    if (!sessions)
        return labels;
    for (const SessionLinks *links = sessions->oldest; links; links = links->newerOfKiosk)
        labels.append(static_cast<const Entry *>(links)->label);
    if (sessions->count != labels.size())
        labels.append(-1); // the count disagrees with the list
    return labels;
}

} // namespace

class TestSessionOrder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void appendedInOrder();
    void removedFromAnywhere();
    void aKioskWithoutSessionsIsGone();
    void manySessionsOfOneKiosk();
};

void TestSessionOrder::appendedInOrder()
{
    std::vector<Entry> entries(5);
    const QStringList kiosks { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("a"),
                               QStringLiteral("c"), QStringLiteral("b") };
    SessionOrder order;
    for (int i = 0; i < 5; ++i) {
        entries[size_t(i)].kiosk = kiosks[i];
        entries[size_t(i)].label = i;
        order.append(&entries[size_t(i)], kiosks[i]);
    }
    QCOMPARE(order.size(), 5);
    QCOMPARE(all(order), QList<int>({ 0, 1, 2, 3, 4 }));
    QCOMPARE(newestFirst(order), QList<int>({ 4, 3, 2, 1, 0 }));
    QCOMPARE(ofKiosk(order, QStringLiteral("a")), QList<int>({ 0, 2 }));
    QCOMPARE(ofKiosk(order, QStringLiteral("b")), QList<int>({ 1, 4 }));
    QCOMPARE(ofKiosk(order, QStringLiteral("c")), QList<int>({ 3 }));
    for (int i = 1; i < 5; ++i)
        QVERIFY(entries[size_t(i - 1)].sequence < entries[size_t(i)].sequence);
}

void TestSessionOrder::removedFromAnywhere()
{
    std::vector<Entry> entries(6);
    SessionOrder order;
    for (int i = 0; i < 6; ++i) {
        entries[size_t(i)].kiosk = i % 2 ? QStringLiteral("odd") : QStringLiteral("even");
        entries[size_t(i)].label = i;
        order.append(&entries[size_t(i)], entries[size_t(i)].kiosk);
    }
    // The middle, the oldest, the newest.
    for (int i : { 2, 0, 5 })
        order.remove(&entries[size_t(i)], entries[size_t(i)].kiosk);
    QCOMPARE(order.size(), 3);
    QCOMPARE(all(order), QList<int>({ 1, 3, 4 }));
    QCOMPARE(newestFirst(order), QList<int>({ 4, 3, 1 }));
    QCOMPARE(ofKiosk(order, QStringLiteral("even")), QList<int>({ 4 }));
    QCOMPARE(ofKiosk(order, QStringLiteral("odd")), QList<int>({ 1, 3 }));

    // Appended again: the newest, after those left.
    order.append(&entries[0], entries[0].kiosk);
    QCOMPARE(all(order), QList<int>({ 1, 3, 4, 0 }));
    QCOMPARE(ofKiosk(order, QStringLiteral("even")), QList<int>({ 4, 0 }));
    QVERIFY(entries[0].sequence > entries[4].sequence);
}

void TestSessionOrder::aKioskWithoutSessionsIsGone()
{
    Entry only;
    only.kiosk = QStringLiteral("solo");
    SessionOrder order;
    order.append(&only, only.kiosk);
    QVERIFY(order.kiosk(QStringLiteral("solo")));
    order.remove(&only, only.kiosk);
    QVERIFY(!order.kiosk(QStringLiteral("solo")));
    QCOMPARE(order.size(), 0);
    QVERIFY(!order.oldest());
    QVERIFY(!order.newest());
    QVERIFY(!order.kiosk(QStringLiteral("never")));
}

void TestSessionOrder::manySessionsOfOneKiosk()
{
    // A fleet sharing one token: every session under one name, dropped in
    // an order of its own. Each removal is O(1), so this stays instant.
    constexpr int Count = 20000;
    std::vector<Entry> entries(Count);
    SessionOrder order;
    for (int i = 0; i < Count; ++i) {
        entries[size_t(i)].label = i;
        order.append(&entries[size_t(i)], QStringLiteral("shared"));
    }
    QCOMPARE(order.kiosk(QStringLiteral("shared"))->count, Count);
    for (int i = 0; i < Count; i += 2)
        order.remove(&entries[size_t(i)], QStringLiteral("shared"));
    const QList<int> left = ofKiosk(order, QStringLiteral("shared"));
    QCOMPARE(left.size(), Count / 2);
    for (int i = 0; i < left.size(); ++i)
        QCOMPARE(left[i], 2 * i + 1);
    for (int i = 1; i < Count; i += 2)
        order.remove(&entries[size_t(i)], QStringLiteral("shared"));
    QVERIFY(!order.kiosk(QStringLiteral("shared")));
    QCOMPARE(order.size(), 0);
}

QTEST_APPLESS_MAIN(TestSessionOrder)
#include "tst_sessionorder.moc"
