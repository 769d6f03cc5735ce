#include "Protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace KioskGate;

class TestProtocol : public QObject
{
    Q_OBJECT
private slots:
    void jsonQuotedRoundTrips_data();
    void jsonQuotedRoundTrips();
    void welcomeMessageIsTheDocumentedObject();
};

void TestProtocol::jsonQuotedRoundTrips_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("kiosk name") << QStringLiteral("lobby-01.north_wing");
    QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c\\\"");
    QTest::newRow("controls") << QStringLiteral("line\nfeed\ttab\r\x01\x1f end");
    QTest::newRow("not controls") << QStringLiteral("\x7f space ~");
    QTest::newRow("non-ASCII") << QStringLiteral("Kiosk \u00e9\u4e2d\U0001F600");
    QTest::newRow("slash stays") << QStringLiteral("</script>");
}

void TestProtocol::jsonQuotedRoundTrips()
{
    QFETCH(QString, text);
    const QString quoted = Protocol::jsonQuoted(text);
    // Parsed back by Qt's own JSON reader, inside an array.
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson((u'[' + quoted + u']').toUtf8(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(document.array().size(), 1);
    QCOMPARE(document.array().at(0).toString(), text);
    for (const QChar c : quoted)
        QVERIFY2(c.unicode() >= 0x20, qPrintable(quoted)); // no raw control character left
}

void TestProtocol::welcomeMessageIsTheDocumentedObject()
{
    const QString text = Protocol::welcomeMessage(u"kiosk-\"7\"", u"0123456789abcdef", 15000);
    QJsonParseError error {};
    const QJsonObject welcome = QJsonDocument::fromJson(text.toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(welcome.size(), 4);
    QCOMPARE(welcome.value(u"type").toString(), QStringLiteral("welcome"));
    QCOMPARE(welcome.value(u"kiosk").toString(), QStringLiteral("kiosk-\"7\""));
    QCOMPARE(welcome.value(u"session").toString(), QStringLiteral("0123456789abcdef"));
    QVERIFY(welcome.value(u"heartbeatMs").isDouble());
    QCOMPARE(welcome.value(u"heartbeatMs").toInt(), 15000);
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
