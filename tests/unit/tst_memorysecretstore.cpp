#include "MemorySecretStore.h"

#include <QTest>

using KioskGate::MemorySecretStore;

class TestMemorySecretStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsBinaryData();
    void overwrites();
    void removes();
    void reportsMissingEntry();
    void keepsKeysApart();

private:
    static QByteArray binaryValue() { return QByteArray("a\0b\xff\x00\xfe", 6); }
};

void TestMemorySecretStore::roundTripsBinaryData()
{
    MemorySecretStore store;
    QString error;
    QVERIFY(store.write(QStringLiteral("signing-key"), binaryValue(), &error));
    QByteArray value;
    bool found = false;
    QVERIFY(store.read(QStringLiteral("signing-key"), &value, &found, &error));
    QVERIFY(found);
    QCOMPARE(value, binaryValue());
    QCOMPARE(value.size(), 6);
    QVERIFY(!store.backendName().isEmpty());
}

void TestMemorySecretStore::overwrites()
{
    MemorySecretStore store;
    QString error;
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("old"), &error));
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("new"), &error));
    QByteArray value;
    bool found = false;
    QVERIFY(store.read(QStringLiteral("k"), &value, &found, &error));
    QVERIFY(found);
    QCOMPARE(value, QByteArray("new"));
    QCOMPARE(store.count(), 1);
}

void TestMemorySecretStore::removes()
{
    MemorySecretStore store;
    QString error;
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("v"), &error));
    QVERIFY(store.remove(QStringLiteral("k"), &error));
    QByteArray value = "stale";
    bool found = true;
    QVERIFY(store.read(QStringLiteral("k"), &value, &found, &error));
    QVERIFY(!found);
    QVERIFY(value.isEmpty());
    // Removing a missing entry succeeds.
    QVERIFY(store.remove(QStringLiteral("k"), &error));
    QCOMPARE(store.count(), 0);
}

void TestMemorySecretStore::reportsMissingEntry()
{
    MemorySecretStore store;
    QString error;
    QByteArray value;
    bool found = true;
    QVERIFY(store.read(QStringLiteral("never-written"), &value, &found, &error));
    QVERIFY(!found);
    QVERIFY(error.isEmpty());
}

void TestMemorySecretStore::keepsKeysApart()
{
    MemorySecretStore store;
    QString error;
    QVERIFY(store.write(QStringLiteral("a"), QByteArray("1"), &error));
    QVERIFY(store.write(QStringLiteral("b"), QByteArray("2"), &error));
    QVERIFY(store.remove(QStringLiteral("a"), &error));
    QByteArray value;
    bool found = false;
    QVERIFY(store.read(QStringLiteral("b"), &value, &found, &error));
    QVERIFY(found);
    QCOMPARE(value, QByteArray("2"));
}

QTEST_GUILESS_MAIN(TestMemorySecretStore)
#include "tst_memorysecretstore.moc"
