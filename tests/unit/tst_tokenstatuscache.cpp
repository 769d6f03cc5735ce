// TokenStatusCache on a real SQLite registry: every token's state is known
// from the start (read once, not looked up per token as a fleet
// reconnects), tokens issued later are still found, unknown ones are not
// admitted, and uses are written back in one batch.

#include "SqlAside.h"
#include "TokenRegistry.h"
#include "TokenStatusCache.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace KioskGate;

namespace {

TokenRecord token(const QString &jti, const QString &kiosk)
{
    TokenRecord r;
    r.jti = jti;
    r.kiosk = kiosk;
    r.keyId = QStringLiteral("k1");
    r.created = 1000;
    return r;
}

} // namespace

class TestTokenStatusCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void statesKnownFromTheStart();
    void laterTokensAndUses();
};

void TestTokenStatusCache::statesKnownFromTheStart()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("kioskgate.db"));
    TokenRegistry registry;
    QString error;
    QVERIFY2(registry.open(path, &error), qPrintable(error));
    for (int i = 0; i < 2000; ++i)
        QVERIFY(registry.insertToken(
            token(QStringLiteral("j%1").arg(i), QStringLiteral("kiosk-%1").arg(i)), &error));
    QStringList revoked;
    QVERIFY(registry.revoke(QStringLiteral("j7"), 2000, QStringLiteral("t"), &revoked, &error));

    TokenStatusCache cache(&registry);
    // Taken out of the database behind the cache's back: the answers come
    // from what it read at the start, not from a lookup now.
    QVERIFY(SqlAside::exec(path, QStringLiteral("DELETE FROM tokens WHERE jti IN ('j1', 'j7')")));
    QCOMPARE(cache.tokenStatus(QStringLiteral("j1")), TokenStatusLookup::Status::Active);
    QCOMPARE(cache.tokenStatus(QStringLiteral("j7")), TokenStatusLookup::Status::Revoked);
    QCOMPARE(cache.tokenStatus(QStringLiteral("j1999")), TokenStatusLookup::Status::Active);
    QCOMPARE(cache.tokenStatus(QStringLiteral("nobody")), TokenStatusLookup::Status::Unknown);
}

void TestTokenStatusCache::laterTokensAndUses()
{
    QTemporaryDir dir;
    TokenRegistry registry;
    QString error;
    QVERIFY2(registry.open(dir.filePath(QStringLiteral("kioskgate.db")), &error),
             qPrintable(error));
    QVERIFY(registry.insertToken(token(QStringLiteral("early"), QStringLiteral("a")), &error));
    TokenStatusCache cache(&registry);
    // Issued after the start (the console's own connection): looked up.
    QVERIFY(registry.insertToken(token(QStringLiteral("late"), QStringLiteral("b")), &error));
    QCOMPARE(cache.tokenStatus(QStringLiteral("late")), TokenStatusLookup::Status::Active);
    cache.markRevoked({ QStringLiteral("late") });
    QCOMPARE(cache.tokenStatus(QStringLiteral("late")), TokenStatusLookup::Status::Revoked);

    cache.recordUse(QStringLiteral("early"), QStringLiteral("10.1.2.3"), 5000);
    cache.recordUse(QStringLiteral("late"), QStringLiteral("10.1.2.4"), 5001);
    cache.flush();
    TokenRecord found;
    bool exists = false;
    QVERIFY(registry.findToken(QStringLiteral("early"), &found, &exists, &error));
    QCOMPARE(found.lastUsed, 5000);
    QCOMPARE(found.lastAddress, QStringLiteral("10.1.2.3"));
    QVERIFY(registry.findToken(QStringLiteral("late"), &found, &exists, &error));
    QCOMPARE(found.lastUsed, 5001);
}

QTEST_GUILESS_MAIN(TestTokenStatusCache)
#include "tst_tokenstatuscache.moc"
