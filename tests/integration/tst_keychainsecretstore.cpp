// Runs against the real OS keychain: under tests/with-keyring.sh that is a
// fresh gnome-keyring in a private D-Bus session. There is no skip: a
// keychain that cannot be reached fails the test.
#include "KeychainSecretStore.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using KioskGate::KeychainSecretStore;

namespace {

QByteArray randomKey(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &byte : bytes)
        byte = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return bytes;
}

} // namespace

class TestKeychainSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void roundTripsRandomBinaryKey();
    void roundTripsNulAndFf();
    void overwrites();
    void removes();
    void reportsMissingEntry();
    void keepsServicesApart();
    void freshInstanceReadsWhatAnotherWrote();

private:
    // Unique per run, so a test never sees an entry an earlier one left.
    QString uniqueKey(const char *name) const
    {
        return QStringLiteral("%1-%2").arg(QLatin1String(name), m_runId);
    }
    QByteArray readFound(KeychainSecretStore &store, const QString &key);

    QString m_runId = QString::number(QRandomGenerator::system()->generate64(), 16);
};

QByteArray TestKeychainSecretStore::readFound(KeychainSecretStore &store, const QString &key)
{
    QByteArray value;
    bool found = false;
    QString error;
    if (!store.read(key, &value, &found, &error)) {
        qWarning("read failed: %s", qPrintable(error));
        return QByteArray("<read failed>");
    }
    return found ? value : QByteArray("<not found>");
}

void TestKeychainSecretStore::initTestCase()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    QCOMPARE(store.backendName(), QStringLiteral("OS keychain (Secret Service)"));
    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(store.probe(&error), qPrintable(error));
    qInfo("probe took %lld ms", static_cast<long long>(timer.elapsed()));
}

void TestKeychainSecretStore::roundTripsRandomBinaryKey()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    const QString key = uniqueKey("signing-key");
    const QByteArray secret = randomKey(32);
    QString error;
    QVERIFY2(store.write(key, secret, &error), qPrintable(error));
    QCOMPARE(readFound(store, key), secret);
    QVERIFY2(store.remove(key, &error), qPrintable(error));
}

void TestKeychainSecretStore::roundTripsNulAndFf()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    const QString key = uniqueKey("binary");
    const QByteArray secret("\0\xff\0a\xfe\x00", 6);
    QString error;
    QVERIFY2(store.write(key, secret, &error), qPrintable(error));
    const QByteArray value = readFound(store, key);
    QCOMPARE(value.size(), 6);
    QCOMPARE(value, secret);
    QVERIFY(store.remove(key, &error));
}

void TestKeychainSecretStore::overwrites()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    const QString key = uniqueKey("overwritten");
    QString error;
    QVERIFY2(store.write(key, QByteArray("old"), &error), qPrintable(error));
    QVERIFY2(store.write(key, QByteArray("new"), &error), qPrintable(error));
    QCOMPARE(readFound(store, key), QByteArray("new"));
    QVERIFY(store.remove(key, &error));
}

void TestKeychainSecretStore::removes()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    const QString key = uniqueKey("removed");
    QString error;
    QVERIFY2(store.write(key, QByteArray("v"), &error), qPrintable(error));
    QVERIFY2(store.remove(key, &error), qPrintable(error));
    QCOMPARE(readFound(store, key), QByteArray("<not found>"));
    // Deleting a missing entry succeeds.
    QVERIFY2(store.remove(key, &error), qPrintable(error));
}

void TestKeychainSecretStore::reportsMissingEntry()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    QByteArray value = "stale";
    bool found = true;
    QString error;
    QVERIFY2(store.read(uniqueKey("never-written"), &value, &found, &error), qPrintable(error));
    QVERIFY(!found);
    QVERIFY(value.isEmpty());
}

void TestKeychainSecretStore::keepsServicesApart()
{
    KeychainSecretStore first(QStringLiteral("KioskGateTestA"));
    KeychainSecretStore second(QStringLiteral("KioskGateTestB"));
    const QString shared = uniqueKey("shared");
    const QString onlyFirst = uniqueKey("only-first");
    QString error;
    QVERIFY2(first.write(shared, QByteArray("first"), &error), qPrintable(error));
    QVERIFY2(second.write(shared, QByteArray("second"), &error), qPrintable(error));
    QVERIFY2(first.write(onlyFirst, QByteArray("x"), &error), qPrintable(error));

    QCOMPARE(readFound(first, shared), QByteArray("first"));
    QCOMPARE(readFound(second, shared), QByteArray("second"));
    QCOMPARE(readFound(second, onlyFirst), QByteArray("<not found>"));

    // Removing in one service leaves the other's entry alone.
    QVERIFY(first.remove(shared, &error));
    QCOMPARE(readFound(second, shared), QByteArray("second"));
    QVERIFY(second.remove(shared, &error));
    QVERIFY(first.remove(onlyFirst, &error));
}

void TestKeychainSecretStore::freshInstanceReadsWhatAnotherWrote()
{
    const QString key = uniqueKey("persisted");
    const QByteArray secret = randomKey(32);
    QString error;
    {
        KeychainSecretStore writer(QStringLiteral("KioskGateTest"));
        QVERIFY2(writer.write(key, secret, &error), qPrintable(error));
    }
    KeychainSecretStore reader(QStringLiteral("KioskGateTest"));
    QCOMPARE(readFound(reader, key), secret);
    QVERIFY(reader.remove(key, &error));
}

QTEST_GUILESS_MAIN(TestKeychainSecretStore)
#include "tst_keychainsecretstore.moc"
