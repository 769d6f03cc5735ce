// settings.ini: the abuse limits load with their defaults, from the file,
// and are refused out of range with the key named.

#include "SettingsStore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace KioskGate;

class TestSettingsStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreSafe()
    {
        ServerSettings s;
        QString error;
        QVERIFY2(s.validate(&error), qPrintable(error));
        QCOMPARE(s.messagesPerSecond, 20);
        QCOMPARE(s.messageBurst, 40);
        QCOMPARE(s.maxConnectionsPerToken, 8);
        QCOMPARE(s.maxConnectionsPerAddress, 1000);
        QCOMPARE(s.maxPendingHeads, 10000);
        QCOMPARE(s.maxWriteBufferBytes, 1024 * 1024);
        QCOMPARE(s.inboundBytesPerSecond, 64 * 1024);
        QCOMPARE(s.inboundByteBurst, 256 * 1024);
        // A kiosk's largest message fits the byte burst several times over.
        QVERIFY(s.inboundByteBurst >= 4 * s.maxMessageBytes);
    }

    void limitsLoadFromTheFile()
    {
        QTemporaryDir dir;
        write(dir, "[limits]\nmessages_per_second=5\nmessage_burst=7\nmax_connections_per_token=2\n"
                   "max_connections_per_address=30\nmax_pending_heads=40\nmax_write_buffer_bytes=65536\n"
                   "inbound_bytes_per_second=2048\ninbound_byte_burst=4096\n");
        ServerSettings s;
        QString error;
        QVERIFY2(SettingsStore(dir.path()).load(&s, &error), qPrintable(error));
        QCOMPARE(s.messagesPerSecond, 5);
        QCOMPARE(s.messageBurst, 7);
        QCOMPARE(s.maxConnectionsPerToken, 2);
        QCOMPARE(s.maxConnectionsPerAddress, 30);
        QCOMPARE(s.maxPendingHeads, 40);
        QCOMPARE(s.maxWriteBufferBytes, 65536);
        QCOMPARE(s.inboundBytesPerSecond, 2048);
        QCOMPARE(s.inboundByteBurst, 4096);

        // And back: save writes every key, load reads the same values.
        QVERIFY2(SettingsStore(dir.path()).save(s, &error), qPrintable(error));
        ServerSettings again;
        QVERIFY2(SettingsStore(dir.path()).load(&again, &error), qPrintable(error));
        QCOMPARE(again.maxWriteBufferBytes, 65536);
        QCOMPARE(again.maxConnectionsPerToken, 2);
    }

    void outOfRangeNamesTheKey_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("key");
        QTest::newRow("rate 0") << QByteArray("messages_per_second=0") << QStringLiteral("limits/messages_per_second");
        QTest::newRow("burst 0") << QByteArray("message_burst=0") << QStringLiteral("limits/message_burst");
        QTest::newRow("per token 0") << QByteArray("max_connections_per_token=0") << QStringLiteral("limits/max_connections_per_token");
        QTest::newRow("per address 0") << QByteArray("max_connections_per_address=0") << QStringLiteral("limits/max_connections_per_address");
        QTest::newRow("pending 0") << QByteArray("max_pending_heads=0") << QStringLiteral("limits/max_pending_heads");
        QTest::newRow("inbound rate 1023") << QByteArray("inbound_bytes_per_second=1023")
                                           << QStringLiteral("limits/inbound_bytes_per_second");
        QTest::newRow("inbound burst 0") << QByteArray("inbound_byte_burst=0") << QStringLiteral("limits/inbound_byte_burst");
        QTest::newRow("write buffer tiny") << QByteArray("max_write_buffer_bytes=100") << QStringLiteral("limits/max_write_buffer_bytes");
        QTest::newRow("not a number") << QByteArray("max_connections_per_token=lots") << QStringLiteral("limits/max_connections_per_token");
    }

    void outOfRangeNamesTheKey()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, key);
        QTemporaryDir dir;
        write(dir, "[limits]\n" + line + "\n");
        ServerSettings s;
        QString error;
        QVERIFY(!SettingsStore(dir.path()).load(&s, &error));
        QVERIFY2(error.contains(key), qPrintable(error));
    }

    void upgradeThreadsLoadAndAreBounded()
    {
        QCOMPARE(ServerSettings().upgradeThreads, 1);
        QTemporaryDir dir;
        write(dir, "[server]\nupgrade_threads=0\n");
        ServerSettings s;
        QString error;
        QVERIFY2(SettingsStore(dir.path()).load(&s, &error), qPrintable(error));
        QCOMPARE(s.upgradeThreads, 0);
        for (const char *value : {"-1", "17", "many"}) {
            write(dir, QByteArray("[server]\nupgrade_threads=") + value + "\n");
            ServerSettings bad;
            QVERIFY2(!SettingsStore(dir.path()).load(&bad, &error), value);
            QVERIFY2(error.contains(QStringLiteral("server/upgrade_threads")), qPrintable(error));
        }
    }

private:
    static void write(const QTemporaryDir &dir, const QByteArray &text)
    {
        QFile file(dir.filePath(SettingsStore::fileName()));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
    }
};

QTEST_MAIN(TestSettingsStore)
#include "tst_settingsstore.moc"
