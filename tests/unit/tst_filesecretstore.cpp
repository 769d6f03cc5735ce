#include "FileSecretStore.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using KioskGate::FileSecretStore;

namespace {

constexpr QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions groupOrOthers = QFileDevice::ReadGroup | QFileDevice::WriteGroup
    | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
    | QFileDevice::ExeOther;

QByteArray everyByte()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(static_cast<char>(i));
    return bytes + QByteArray("\0\xff\0", 3);
}

QByteArray fileContents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeRaw(const QString &path, const QByteArray &contents, QFileDevice::Permissions mode)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size()
        && file.setPermissions(mode);
}

} // namespace

class TestFileSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void roundTripsBinaryData();
    void persistsAcrossInstances();
    void overwrites();
    void removes();
    void reportsMissingEntryWithoutCreatingFile();
    void writesOwnerOnly();
    void refusesFileOthersCanAccess_data();
    void refusesFileOthersCanAccess();
    void rejectsCorruptFile_data();
    void rejectsCorruptFile();
    void reportsUnwritableLocation();

private:
    QString path() const { return m_dir->filePath(QStringLiteral("secrets.json")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestFileSecretStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestFileSecretStore::roundTripsBinaryData()
{
    FileSecretStore store(path());
    QString error;
    QVERIFY2(store.write(QStringLiteral("signing-key"), everyByte(), &error), qPrintable(error));
    QByteArray value;
    bool found = false;
    QVERIFY2(store.read(QStringLiteral("signing-key"), &value, &found, &error), qPrintable(error));
    QVERIFY(found);
    QCOMPARE(value, everyByte());
    QCOMPARE(store.backendName(), QStringLiteral("plain file %1 (insecure)").arg(path()));
}

void TestFileSecretStore::persistsAcrossInstances()
{
    QString error;
    QVERIFY(FileSecretStore(path()).write(QStringLiteral("a"), everyByte(), &error));
    QVERIFY(FileSecretStore(path()).write(QStringLiteral("b"), QByteArray("two"), &error));

    FileSecretStore fresh(path());
    QByteArray value;
    bool found = false;
    QVERIFY2(fresh.read(QStringLiteral("a"), &value, &found, &error), qPrintable(error));
    QVERIFY(found);
    QCOMPARE(value, everyByte());
    QVERIFY(fresh.read(QStringLiteral("b"), &value, &found, &error));
    QVERIFY(found);
    QCOMPARE(value, QByteArray("two"));
}

void TestFileSecretStore::overwrites()
{
    FileSecretStore store(path());
    QString error;
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("old"), &error));
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("new"), &error));
    QByteArray value;
    bool found = false;
    QVERIFY(FileSecretStore(path()).read(QStringLiteral("k"), &value, &found, &error));
    QVERIFY(found);
    QCOMPARE(value, QByteArray("new"));
    QVERIFY(!fileContents(path()).contains(QByteArray("old").toBase64()));
}

void TestFileSecretStore::removes()
{
    FileSecretStore store(path());
    QString error;
    QVERIFY(store.write(QStringLiteral("gone"), QByteArray("1"), &error));
    QVERIFY(store.write(QStringLiteral("kept"), QByteArray("2"), &error));
    QVERIFY2(store.remove(QStringLiteral("gone"), &error), qPrintable(error));
    QVERIFY2(store.remove(QStringLiteral("gone"), &error), qPrintable(error));

    QByteArray value = "stale";
    bool found = true;
    QVERIFY(FileSecretStore(path()).read(QStringLiteral("gone"), &value, &found, &error));
    QVERIFY(!found);
    QVERIFY(value.isEmpty());
    QVERIFY(store.read(QStringLiteral("kept"), &value, &found, &error));
    QVERIFY(found);
    QCOMPARE(value, QByteArray("2"));
}

void TestFileSecretStore::reportsMissingEntryWithoutCreatingFile()
{
    FileSecretStore store(path());
    QString error;
    QByteArray value;
    bool found = true;
    QVERIFY2(store.read(QStringLiteral("k"), &value, &found, &error), qPrintable(error));
    QVERIFY(!found);
    QVERIFY(store.remove(QStringLiteral("k"), &error));
    QVERIFY(!QFile::exists(path()));
}

void TestFileSecretStore::writesOwnerOnly()
{
    FileSecretStore store(path());
    QString error;
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("v"), &error));
    QFileInfo info(path());
    QCOMPARE(info.permissions() & groupOrOthers, QFileDevice::Permissions());
    QCOMPARE(info.permissions() & ownerOnly, ownerOnly);

    // Replacing the file keeps it private as well.
    QVERIFY(store.write(QStringLiteral("k2"), QByteArray("v2"), &error));
    info.refresh();
    QCOMPARE(info.permissions() & groupOrOthers, QFileDevice::Permissions());
}

void TestFileSecretStore::refusesFileOthersCanAccess_data()
{
    QTest::addColumn<int>("extra");
    QTest::newRow("group-readable") << int(QFileDevice::ReadGroup);
    QTest::newRow("world-readable") << int(QFileDevice::ReadOther);
    QTest::newRow("group-writable") << int(QFileDevice::WriteGroup);
    QTest::newRow("0644") << int(QFileDevice::ReadGroup | QFileDevice::ReadOther);
}

void TestFileSecretStore::refusesFileOthersCanAccess()
{
#ifndef Q_OS_UNIX
    QSKIP("Unix permission bits only");
#else
    QFETCH(int, extra);
    FileSecretStore store(path());
    QString error;
    QVERIFY(store.write(QStringLiteral("k"), QByteArray("v"), &error));
    const QByteArray before = fileContents(path());
    QVERIFY(QFile::setPermissions(path(), ownerOnly | QFileDevice::Permissions(extra)));

    QByteArray value;
    bool found = true;
    QVERIFY(!store.read(QStringLiteral("k"), &value, &found, &error));
    QVERIFY2(error.contains(QStringLiteral("chmod 600")), qPrintable(error));
    QVERIFY(error.contains(path()));
    QVERIFY(!found);
    QVERIFY(value.isEmpty());
    error.clear();
    QVERIFY(!store.write(QStringLiteral("k"), QByteArray("w"), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!store.remove(QStringLiteral("k"), &error));
    QCOMPARE(fileContents(path()), before);
#endif
}

void TestFileSecretStore::rejectsCorruptFile_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated") << QByteArray("{\"k\": \"dg==\"");
    QTest::newRow("not an object") << QByteArray("[\"dg==\"]");
    QTest::newRow("number value") << QByteArray("{\"k\": 5}");
    QTest::newRow("not base64") << QByteArray("{\"k\": \"**not base64**\"}");
    QTest::newRow("binary junk") << QByteArray("\0\xff\x01junk", 7);
}

void TestFileSecretStore::rejectsCorruptFile()
{
    QFETCH(QByteArray, contents);
    QVERIFY(writeRaw(path(), contents, ownerOnly));
    FileSecretStore store(path());
    QString error;
    QByteArray value;
    bool found = true;
    QVERIFY(!store.read(QStringLiteral("k"), &value, &found, &error));
    QVERIFY2(error.contains(QStringLiteral("corrupt")), qPrintable(error));
    QVERIFY(!found);

    // Never silently replaced: writes and removes fail and leave it alone.
    error.clear();
    QVERIFY(!store.write(QStringLiteral("k"), QByteArray("v"), &error));
    QVERIFY(error.contains(QStringLiteral("corrupt")));
    QVERIFY(!store.remove(QStringLiteral("k"), &error));
    QCOMPARE(fileContents(path()), contents);
}

void TestFileSecretStore::reportsUnwritableLocation()
{
    const QString missing = m_dir->filePath(QStringLiteral("no-such-dir/secrets.json"));
    FileSecretStore store(missing);
    QString error;
    QVERIFY(!store.write(QStringLiteral("k"), QByteArray("v"), &error));
    QVERIFY2(error.contains(missing), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestFileSecretStore)
#include "tst_filesecretstore.moc"
