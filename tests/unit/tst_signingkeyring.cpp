#include "SigningKeyRing.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace KioskGate;

class TestSigningKeyRing : public QObject
{
    Q_OBJECT

private slots:
    void emptyRing();
    void addAndReadKey();
    void addKeyReplacesSameId();
    void addKeyIgnoresEmptyIdOrKey();
    void removeKey();
    void removingCurrentKeyClearsCurrent();
    void currentKeyNeedsKeyInRing();
    void keyIdsAreSorted();
    void generateKeyIsRandom256Bits();
    void generateKeyIdIsShortHex();
    void concurrentReadsDuringRotation();
};

void TestSigningKeyRing::emptyRing()
{
    SigningKeyRing ring;
    QByteArray key("untouched");
    QVERIFY(!ring.key(QStringLiteral("a"), &key));
    QCOMPARE(key, QByteArray("untouched"));
    QVERIFY(ring.currentKeyId().isEmpty());
    QVERIFY(ring.keyIds().isEmpty());
    QString kid;
    QVERIFY(!ring.currentKey(&kid, &key));
}

void TestSigningKeyRing::addAndReadKey()
{
    SigningKeyRing ring;
    ring.addKey(QStringLiteral("k1"), QByteArray(32, 'a'));
    ring.addKey(QStringLiteral("k2"), QByteArray(32, 'b'));
    QByteArray key;
    QVERIFY(ring.key(QStringLiteral("k1"), &key));
    QCOMPARE(key, QByteArray(32, 'a'));
    QVERIFY(ring.key(QStringLiteral("k2"), &key));
    QCOMPARE(key, QByteArray(32, 'b'));
    QVERIFY(!ring.key(QStringLiteral("K1"), &key));
    QVERIFY(ring.key(QStringLiteral("k1"), nullptr));
}

void TestSigningKeyRing::addKeyReplacesSameId()
{
    SigningKeyRing ring;
    ring.addKey(QStringLiteral("k1"), QByteArray(32, 'a'));
    ring.addKey(QStringLiteral("k1"), QByteArray(32, 'c'));
    QByteArray key;
    QVERIFY(ring.key(QStringLiteral("k1"), &key));
    QCOMPARE(key, QByteArray(32, 'c'));
    QCOMPARE(ring.keyIds(), QStringList { QStringLiteral("k1") });
}

void TestSigningKeyRing::addKeyIgnoresEmptyIdOrKey()
{
    SigningKeyRing ring;
    ring.addKey(QString(), QByteArray(32, 'a'));
    ring.addKey(QStringLiteral("k1"), QByteArray());
    QVERIFY(ring.keyIds().isEmpty());
    QVERIFY(!ring.key(QStringLiteral("k1"), nullptr));
    QVERIFY(!ring.key(QString(), nullptr));
}

void TestSigningKeyRing::removeKey()
{
    SigningKeyRing ring;
    ring.addKey(QStringLiteral("k1"), QByteArray(32, 'a'));
    ring.addKey(QStringLiteral("k2"), QByteArray(32, 'b'));
    ring.setCurrentKeyId(QStringLiteral("k2"));
    QVERIFY(ring.removeKey(QStringLiteral("k1")));
    QVERIFY(!ring.removeKey(QStringLiteral("k1")));
    QVERIFY(!ring.key(QStringLiteral("k1"), nullptr));
    QCOMPARE(ring.keyIds(), QStringList { QStringLiteral("k2") });
    QCOMPARE(ring.currentKeyId(), QStringLiteral("k2"));
}

void TestSigningKeyRing::removingCurrentKeyClearsCurrent()
{
    SigningKeyRing ring;
    ring.addKey(QStringLiteral("k1"), QByteArray(32, 'a'));
    ring.setCurrentKeyId(QStringLiteral("k1"));
    QCOMPARE(ring.currentKeyId(), QStringLiteral("k1"));
    QVERIFY(ring.removeKey(QStringLiteral("k1")));
    QVERIFY(ring.currentKeyId().isEmpty());
    QVERIFY(!ring.currentKey(nullptr, nullptr));
}

void TestSigningKeyRing::currentKeyNeedsKeyInRing()
{
    SigningKeyRing ring;
    ring.setCurrentKeyId(QStringLiteral("later"));
    QCOMPARE(ring.currentKeyId(), QStringLiteral("later"));
    QString kid;
    QByteArray key;
    QVERIFY(!ring.currentKey(&kid, &key));

    ring.addKey(QStringLiteral("later"), QByteArray(32, 'l'));
    QVERIFY(ring.currentKey(&kid, &key));
    QCOMPARE(kid, QStringLiteral("later"));
    QCOMPARE(key, QByteArray(32, 'l'));

    ring.setCurrentKeyId(QString());
    QVERIFY(!ring.currentKey(&kid, &key));
}

void TestSigningKeyRing::keyIdsAreSorted()
{
    SigningKeyRing ring;
    ring.addKey(QStringLiteral("c"), QByteArray(1, 'c'));
    ring.addKey(QStringLiteral("a"), QByteArray(1, 'a'));
    ring.addKey(QStringLiteral("b"), QByteArray(1, 'b'));
    QCOMPARE(ring.keyIds(),
             (QStringList { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }));
}

void TestSigningKeyRing::generateKeyIsRandom256Bits()
{
    QSet<QByteArray> seen;
    for (int i = 0; i < 64; ++i) {
        const QByteArray key = SigningKeyRing::generateKey();
        QCOMPARE(key.size(), 32);
        QCOMPARE(key.size(), SigningKeyRing::KeyBytes);
        seen.insert(key);
    }
    QCOMPARE(seen.size(), 64);
    QVERIFY(!seen.contains(QByteArray(32, '\0')));
}

void TestSigningKeyRing::generateKeyIdIsShortHex()
{
    static const QRegularExpression pattern(QStringLiteral("\\A[0-9a-f]{12}\\z"));
    QSet<QString> seen;
    for (int i = 0; i < 64; ++i) {
        const QString kid = SigningKeyRing::generateKeyId();
        QVERIFY2(pattern.match(kid).hasMatch(), qPrintable(kid));
        seen.insert(kid);
    }
    QCOMPARE(seen.size(), 64);
}

// Readers must always see a key that belongs to the id they asked for, and
// a current id that pairs with its key, while another thread rotates.
void TestSigningKeyRing::concurrentReadsDuringRotation()
{
    SigningKeyRing ring;
    auto keyFor = [](int n) { return QByteArray::number(n).repeated(4); };
    auto idFor = [](int n) { return QStringLiteral("k%1").arg(n); };
    ring.addKey(idFor(0), keyFor(0));
    ring.setCurrentKeyId(idFor(0));

    std::atomic<bool> done { false };
    std::atomic<int> mismatches { 0 };
    std::atomic<int> reads { 0 };
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            while (!done.load()) {
                QString kid;
                QByteArray key;
                if (ring.currentKey(&kid, &key)) {
                    const int n = kid.mid(1).toInt();
                    if (key != keyFor(n)) {
                        ++mismatches;
                    }
                    ++reads;
                }
                for (const QString &id : ring.keyIds()) {
                    if (ring.key(id, &key) && key != keyFor(id.mid(1).toInt())) {
                        ++mismatches;
                    }
                }
            }
        });
    }
    // Rotate while the readers really read: on a fast build the writer could
    // otherwise finish before any reader thread is scheduled. Bounded in time.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int n = 0;
    while ((n < 2000 || reads.load() < 1000) && std::chrono::steady_clock::now() < deadline) {
        ++n;
        ring.addKey(idFor(n), keyFor(n));
        ring.setCurrentKeyId(idFor(n));
        ring.removeKey(idFor(n - 1));
    }
    done = true;
    for (std::thread &reader : readers) {
        reader.join();
    }
    QCOMPARE(mismatches.load(), 0);
    QVERIFY(reads.load() >= 1000);
    QCOMPARE(ring.keyIds(), QStringList { idFor(n) });
    QCOMPARE(ring.currentKeyId(), idFor(n));
}

QTEST_GUILESS_MAIN(TestSigningKeyRing)
#include "tst_signingkeyring.moc"
