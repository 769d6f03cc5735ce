#include "RandomId.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace KioskGate;

class TestRandomId : public QObject
{
    Q_OBJECT
private slots:
    void hexIdsAreDistinctAcrossPoolRefills();
    void longHexBypassesThePool();
    void base64UrlHasNoPadding();
};

void TestRandomId::hexIdsAreDistinctAcrossPoolRefills()
{
    // 8-byte ids from a 512-byte pool: 10,000 of them span ~160 refills,
    // and a pool handed out twice would repeat ids.
    static const QRegularExpression lowerHex(QStringLiteral("^[0-9a-f]{16}$"));
    QSet<QString> seen;
    for (int i = 0; i < 10000; ++i) {
        const QString id = RandomId::hex(8);
        QVERIFY2(lowerHex.match(id).hasMatch(), qPrintable(id));
        seen.insert(id);
    }
    QCOMPARE(seen.size(), 10000);
    // Odd sizes that do not divide the pool.
    QSet<QString> odd;
    for (int i = 0; i < 2000; ++i)
        odd.insert(RandomId::hex(7));
    QCOMPARE(odd.size(), 2000);
}

void TestRandomId::longHexBypassesThePool()
{
    const QString a = RandomId::hex(200);
    const QString b = RandomId::hex(200);
    QCOMPARE(a.size(), 400);
    QVERIFY(a != b);
}

void TestRandomId::base64UrlHasNoPadding()
{
    const QString id = RandomId::base64Url(16);
    QCOMPARE(id.size(), 22);
    QVERIFY(!id.contains(QLatin1Char('=')) && !id.contains(QLatin1Char('+')) && !id.contains(QLatin1Char('/')));
}

QTEST_GUILESS_MAIN(TestRandomId)
#include "tst_randomid.moc"
