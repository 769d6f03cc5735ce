#include "SqlAside.h"
#include "TokenRegistry.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <future>
#include <thread>

using namespace KioskGate;

class TestTokenRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void insertListFind();
    void revokeByJtiAndByKiosk();
    void revokeUnknownFails();
    void revokeWaitsForAnotherWriter();
    void recordUses();
    void recordUsesOfAFleet();
    void activeKiosksAndRevocations();
    void activeKiosksFollowEveryConnectionsChanges();
    void keys();
    void persistsAndSharesInstanceId();
    void corruptFileIsAnError();
    void newerRegistryIsRefusedUntouched();
    void neverStoresTheToken();

private:
    TokenRecord record(const QString &jti, const QString &kiosk, const QString &kid = QStringLiteral("k1"));
    std::unique_ptr<QTemporaryDir> m_dir;
    QString path() const { return m_dir->filePath(QStringLiteral("kioskgate.db")); }
};

TokenRecord TestTokenRegistry::record(const QString &jti, const QString &kiosk, const QString &kid)
{
    TokenRecord r;
    r.jti = jti;
    r.kiosk = kiosk;
    r.keyId = kid;
    r.created = 1000;
    return r;
}

void TestTokenRegistry::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestTokenRegistry::insertListFind()
{
    TokenRegistry registry;
    QString error;
    QVERIFY2(registry.open(path(), &error), qPrintable(error));
    TokenRecord a = record(QStringLiteral("j1"), QStringLiteral("lobby-1"));
    a.origins = {QStringLiteral("https://a.example"), QStringLiteral("https://b.example")};
    a.expires = 5000;
    QVERIFY2(registry.insertToken(a, &error), qPrintable(error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j2"), QStringLiteral("lobby-2")), &error));
    QVERIFY2(!registry.insertToken(a, &error), "a jti is unique");

    QList<TokenRecord> all;
    QVERIFY(registry.listTokens(&all, &error));
    QCOMPARE(all.size(), 2);
    TokenRecord found;
    bool exists = false;
    QVERIFY(registry.findToken(QStringLiteral("j1"), &found, &exists, &error));
    QVERIFY(exists);
    QCOMPARE(found.kiosk, QStringLiteral("lobby-1"));
    QCOMPARE(found.origins, a.origins);
    QCOMPARE(found.expires, 5000);
    QCOMPARE(found.state(4999), QStringLiteral("active"));
    QCOMPARE(found.state(5000), QStringLiteral("expired"));
    QVERIFY(registry.findToken(QStringLiteral("nope"), &found, &exists, &error));
    QVERIFY(!exists);
}

void TestTokenRegistry::revokeByJtiAndByKiosk()
{
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    for (const char *jti : {"j1", "j2"})
        QVERIFY(registry.insertToken(record(QString::fromLatin1(jti), QStringLiteral("lobby-1")), &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j3"), QStringLiteral("lobby-2")), &error));

    QStringList revoked;
    QVERIFY(registry.revoke(QStringLiteral("j3"), 2000, QStringLiteral("test"), &revoked, &error));
    QCOMPARE(revoked, QStringList{QStringLiteral("j3")});
    QVERIFY(registry.revoke(QStringLiteral("lobby-1"), 2001, QStringLiteral("test"), &revoked, &error));
    revoked.sort();
    QCOMPARE(revoked, (QStringList{QStringLiteral("j1"), QStringLiteral("j2")}));

    TokenRecord found;
    bool exists = false;
    QVERIFY(registry.findToken(QStringLiteral("j1"), &found, &exists, &error));
    QVERIFY(found.isRevoked());
    QCOMPARE(found.revoked, 2001);
    QCOMPARE(found.revokeReason, QStringLiteral("test"));
    QVERIFY(!registry.revoke(QStringLiteral("j1"), 2002, QString(), &revoked, &error));
    QVERIFY2(error.contains(QStringLiteral("already revoked")), qPrintable(error));
}

void TestTokenRegistry::revokeUnknownFails()
{
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QStringList revoked;
    QVERIFY(!registry.revoke(QStringLiteral("ghost"), 1, QString(), &revoked, &error));
    QVERIFY2(error.contains(QStringLiteral("ghost")), qPrintable(error));
}

// The command store writes to the same file through its own connection. A
// revoke that started while it held the write lock must wait for it, not
// fail with "database is locked" once its commit made the revoke's first
// read stale (what a plain deferred BEGIN did).
void TestTokenRegistry::revokeWaitsForAnotherWriter()
{
    TokenRegistry registry;
    QString error;
    QVERIFY2(registry.open(path(), &error), qPrintable(error));
    QVERIFY2(registry.insertToken(record(QStringLiteral("j1"), QStringLiteral("lobby-1")), &error), qPrintable(error));

    std::promise<void> locked;
    std::future<void> lockedNow = locked.get_future();
    std::promise<bool> committed;
    std::future<bool> otherResult = committed.get_future();
    std::thread other([this, &locked, &committed] {
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other-writer"));
            db.setDatabaseName(path());
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
            if (db.open()) {
                QSqlQuery q(db);
                ok = q.exec(QStringLiteral("BEGIN IMMEDIATE"))
                     && q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS other_writer (x INTEGER)"))
                     && q.exec(QStringLiteral("INSERT INTO other_writer VALUES (1)"));
                locked.set_value();
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                ok = q.exec(QStringLiteral("COMMIT")) && ok;
            } else {
                locked.set_value();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other-writer"));
        committed.set_value(ok);
    });
    lockedNow.wait();
    QStringList revoked;
    const bool revokedOk = registry.revoke(QStringLiteral("j1"), 100, QStringLiteral("test"), &revoked, &error);
    other.join();
    QVERIFY(otherResult.get());
    QVERIFY2(revokedOk, qPrintable(error));
    QCOMPARE(revoked, QStringList{QStringLiteral("j1")});
}

void TestTokenRegistry::recordUses()
{
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j1"), QStringLiteral("k")), &error));
    QHash<QString, TokenUse> uses;
    uses.insert(QStringLiteral("j1"), TokenUse{4242, QStringLiteral("192.168.1.7")});
    QVERIFY(registry.recordUses(uses, &error));
    TokenRecord found;
    bool exists = false;
    QVERIFY(registry.findToken(QStringLiteral("j1"), &found, &exists, &error));
    QCOMPARE(found.lastUsed, 4242);
    QCOMPARE(found.lastAddress, QStringLiteral("192.168.1.7"));
}

void TestTokenRegistry::recordUsesOfAFleet()
{
    // One statement for the whole batch: every token gets its own time and
    // address, tokens not in the batch keep theirs, unknown jtis change nothing.
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    constexpr int Count = 3000;
    QHash<QString, TokenUse> uses;
    for (int i = 0; i < Count; ++i) {
        const QString jti = QStringLiteral("j%1").arg(i);
        QVERIFY(registry.insertToken(record(jti, QStringLiteral("kiosk-%1").arg(i)), &error));
        if (i % 3 != 0)
            uses.insert(
                jti,
                TokenUse { 10000 + i, QStringLiteral("10.0.%1.%2").arg(i / 256).arg(i % 256) });
    }
    uses.insert(QStringLiteral("unknown"), TokenUse { 1, QStringLiteral("10.9.9.9") });
    QVERIFY2(registry.recordUses(uses, &error), qPrintable(error));
    QList<TokenRecord> all;
    QVERIFY(registry.listTokens(&all, &error));
    QCOMPARE(all.size(), Count);
    for (const TokenRecord &r : all) {
        const int i = r.jti.mid(1).toInt();
        if (i % 3 == 0) {
            QCOMPARE(r.lastUsed, 0);
            QVERIFY(r.lastAddress.isEmpty());
        } else {
            QCOMPARE(r.lastUsed, 10000 + i);
            QCOMPARE(r.lastAddress, QStringLiteral("10.0.%1.%2").arg(i / 256).arg(i % 256));
        }
    }
}

void TestTokenRegistry::activeKiosksAndRevocations()
{
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    TokenRecord expiring = record(QStringLiteral("j-exp"), QStringLiteral("lobby-exp"));
    expiring.expires = 5000;
    QVERIFY(registry.insertToken(expiring, &error));
    QVERIFY(
        registry.insertToken(record(QStringLiteral("j-a1"), QStringLiteral("lobby-a")), &error));
    QVERIFY(
        registry.insertToken(record(QStringLiteral("j-a2"), QStringLiteral("lobby-a")), &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j-r"), QStringLiteral("lobby-r")), &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j-half1"), QStringLiteral("lobby-half")),
                                 &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j-half2"), QStringLiteral("lobby-half")),
                                 &error));
    QStringList revoked;
    QVERIFY(
        registry.revoke(QStringLiteral("lobby-r"), 2000, QStringLiteral("t"), &revoked, &error));
    QVERIFY(
        registry.revoke(QStringLiteral("j-half1"), 2000, QStringLiteral("t"), &revoked, &error));

    // Each name once; a revoked token does not count, nor does an expired one.
    QStringList kiosks;
    QVERIFY2(registry.activeKiosks(4999, &kiosks, &error), qPrintable(error));
    kiosks.sort();
    QCOMPARE(kiosks,
             QStringList({ QStringLiteral("lobby-a"), QStringLiteral("lobby-exp"),
                           QStringLiteral("lobby-half") }));
    QVERIFY(registry.activeKiosks(5000, &kiosks, &error));
    kiosks.sort();
    QCOMPARE(kiosks, QStringList({ QStringLiteral("lobby-a"), QStringLiteral("lobby-half") }));

    // As the lookups of each token would answer.
    QList<std::pair<QString, bool>> states;
    QVERIFY2(registry.tokenRevocations(&states, &error), qPrintable(error));
    const QHash<QString, bool> revokedByJti(states.cbegin(), states.cend());
    QCOMPARE(states.size(), revokedByJti.size()); // each jti once
    QCOMPARE(revokedByJti.size(), 6);
    for (auto it = revokedByJti.cbegin(); it != revokedByJti.cend(); ++it) {
        TokenRecord found;
        bool exists = false;
        QVERIFY(registry.findToken(it.key(), &found, &exists, &error));
        QVERIFY(exists);
        QCOMPARE(it.value(), found.isRevoked());
    }
    QVERIFY(revokedByJti.value(QStringLiteral("j-r")));
    QVERIFY(!revokedByJti.value(QStringLiteral("j-half2")));
}

void TestTokenRegistry::activeKiosksFollowEveryConnectionsChanges()
{
    // The answer is kept between calls: each change must still show,
    // whether another connection (the control thread, the command line)
    // or this one made it, and whatever time the caller asks about.
    TokenRegistry mine;
    TokenRegistry other;
    QString error;
    QVERIFY2(mine.open(path(), &error), qPrintable(error));
    QVERIFY2(other.open(path(), &error), qPrintable(error));
    auto active = [&](qint64 nowSecs) {
        QStringList kiosks;
        if (!mine.activeKiosks(nowSecs, &kiosks, &error))
            return QStringList { QStringLiteral("error: ") + error };
        kiosks.sort();
        return kiosks;
    };
    const QString a = QStringLiteral("kiosk-a"), b = QStringLiteral("kiosk-b"),
                  c = QStringLiteral("kiosk-c"), d = QStringLiteral("kiosk-d");
    QVERIFY(mine.insertToken(record(QStringLiteral("j-a"), a), &error));
    QCOMPARE(active(100), QStringList({ a }));
    QCOMPARE(active(100), QStringList({ a }));

    QVERIFY(other.insertToken(record(QStringLiteral("j-b"), b), &error));
    QCOMPARE(active(100), QStringList({ a, b }));
    QStringList revoked;
    QVERIFY(other.revoke(a, 100, QStringLiteral("t"), &revoked, &error));
    QCOMPARE(active(101), QStringList({ b }));

    QVERIFY(mine.insertToken(record(QStringLiteral("j-c"), c), &error));
    QCOMPARE(active(101), QStringList({ b, c }));
    QVERIFY(mine.revoke(c, 101, QStringLiteral("t"), &revoked, &error));
    QCOMPARE(active(101), QStringList({ b }));

    // A token that expires: counted before, not from then on, and again if
    // the clock is set back.
    TokenRecord expiring = record(QStringLiteral("j-d"), d);
    expiring.expires = 200;
    QVERIFY(other.insertToken(expiring, &error));
    QCOMPARE(active(150), QStringList({ b, d }));
    QCOMPARE(active(199), QStringList({ b, d }));
    QCOMPARE(active(200), QStringList({ b }));
    QCOMPARE(active(300), QStringList({ b }));
    QCOMPARE(active(150), QStringList({ b, d }));

    // Only changes that can change the answer count: a fleet's last uses,
    // written every few seconds, do not.
    auto generation = [this] {
        QVariant value;
        return SqlAside::exec(
                   path(), QStringLiteral("SELECT value FROM meta WHERE key = 'tokens_generation'"),
                   &value)
                && value.isValid()
            ? value.toLongLong()
            : qint64(-1);
    };
    const qint64 before = generation();
    QVERIFY(before > 0);
    QVERIFY(mine.recordUses(
        { { QStringLiteral("j-b"), TokenUse { 120, QStringLiteral("10.0.0.7") } } }, &error));
    QCOMPARE(generation(), before);
    QVERIFY(other.revoke(b, 300, QStringLiteral("t"), &revoked, &error));
    QCOMPARE(generation(), before + 1);
    QCOMPARE(active(300), QStringList());
}

void TestTokenRegistry::keys()
{
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QStringList kids;
    QString current;
    QVERIFY(registry.activeKeyIds(&kids, &current, &error));
    QVERIFY(kids.isEmpty());
    QVERIFY(current.isEmpty());
    QVERIFY(registry.addKeyId(QStringLiteral("a"), 1, &error));
    QVERIFY(registry.addKeyId(QStringLiteral("b"), 2, &error));
    QVERIFY(registry.activeKeyIds(&kids, &current, &error));
    QCOMPARE(kids, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(current, QStringLiteral("b"));

    QVERIFY(registry.insertToken(record(QStringLiteral("ja"), QStringLiteral("x"), QStringLiteral("a")), &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("jb"), QStringLiteral("x"), QStringLiteral("b")), &error));
    QStringList revoked;
    QVERIFY(registry.revokeByKeyIds({QStringLiteral("a")}, 3, QStringLiteral("retired"), &revoked, &error));
    QCOMPARE(revoked, QStringList{QStringLiteral("ja")});
    QVERIFY(registry.retireKeyIds({QStringLiteral("a")}, 3, &error));
    QVERIFY(registry.activeKeyIds(&kids, &current, &error));
    QCOMPARE(kids, QStringList{QStringLiteral("b")});
}

void TestTokenRegistry::persistsAndSharesInstanceId()
{
    QString error;
    QString id;
    {
        TokenRegistry registry;
        QVERIFY(registry.open(path(), &error));
        id = registry.instanceId();
        QVERIFY(!id.isEmpty());
        QVERIFY(registry.insertToken(record(QStringLiteral("j1"), QStringLiteral("k")), &error));
    }
    TokenRegistry first;
    TokenRegistry second; // a second connection, as the network thread has
    QVERIFY(first.open(path(), &error));
    QVERIFY(second.open(path(), &error));
    QCOMPARE(first.instanceId(), id);
    QCOMPARE(second.instanceId(), id);
    QStringList revoked;
    QVERIFY(first.revoke(QStringLiteral("j1"), 5, QString(), &revoked, &error));
    TokenRecord found;
    bool exists = false;
    QVERIFY(second.findToken(QStringLiteral("j1"), &found, &exists, &error));
    QVERIFY(found.isRevoked());
}

void TestTokenRegistry::corruptFileIsAnError()
{
    QFile file(path());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(8192, 'x'));
    file.close();
    TokenRegistry registry;
    QString error;
    QVERIFY(!registry.open(path(), &error));
    QVERIFY2(error.contains(path()), qPrintable(error));
}

void TestTokenRegistry::newerRegistryIsRefusedUntouched()
{
    QString error;
    {
        TokenRegistry registry;
        QVERIFY2(registry.open(path(), &error), qPrintable(error));
    }
    auto ask = [this](const QString &sql) {
        QVariant answer;
        return SqlAside::exec(path(), sql, &answer) ? answer.toString()
                                                    : QStringLiteral("(failed)");
    };
    // As a later version might leave it: a higher version, a trigger gone.
    QVERIFY(SqlAside::exec(
        path(), QStringLiteral("UPDATE meta SET value = '7' WHERE key = 'schema_version'")));
    QVERIFY(SqlAside::exec(path(), QStringLiteral("DROP TRIGGER tokens_generation_insert")));
    QCOMPARE(ask(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")),
             QStringLiteral("7"));
    TokenRegistry registry;
    QVERIFY(!registry.open(path(), &error));
    QVERIFY2(error.contains(QLatin1String("version 7, newer than this program")),
             qPrintable(error));
    QCOMPARE(ask(QStringLiteral(
                 "SELECT COUNT(*) FROM sqlite_master WHERE name = 'tokens_generation_insert'")),
             QStringLiteral("0"));
}

void TestTokenRegistry::neverStoresTheToken()
{
    // The schema has no column that could hold a token: a token is only ever
    // shown at issuance.
    TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.insertToken(record(QStringLiteral("j1"), QStringLiteral("k")), &error));
    QFile file(path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray schema = file.readAll();
    QVERIFY(!schema.contains("token TEXT"));
    QVERIFY(!schema.contains("secret"));
}

QTEST_GUILESS_MAIN(TestTokenRegistry)
#include "tst_tokenregistry.moc"
