// sha256() against the FIPS 180-2 examples and, for inputs of every length
// around the 64-byte block edges, against Qt's own SHA-256.

#include "Sha256.h"

#include <QCryptographicHash>
#include <QTest>

using namespace KioskGate;

class TestSha256 : public QObject
{
    Q_OBJECT
private slots:
    void knownDigests_data();
    void knownDigests();
    void agreesWithQtAtEveryLength();
};

void TestSha256::knownDigests_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("hex");
    QTest::newRow("empty")
        << QByteArray()
        << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    QTest::newRow("abc") << QByteArray(
        "abc") << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    QTest::newRow("two blocks")
        << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    QTest::newRow("a million a") << QByteArray(
        1000000,
        'a') << QByteArray("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

void TestSha256::knownDigests()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, hex);
    QCOMPARE(sha256(input).toHex(), hex);
}

void TestSha256::agreesWithQtAtEveryLength()
{
    QByteArray input;
    for (int length = 0; length <= 300; ++length) {
        const QByteArray expected = QCryptographicHash::hash(input, QCryptographicHash::Sha256);
        QVERIFY2(sha256(input) == expected, qPrintable(QString::number(length)));
        input.append(char(length * 37 + 11));
    }
}

QTEST_APPLESS_MAIN(TestSha256)
#include "tst_sha256.moc"
