#include "OriginPolicy.h"

#include <QtTest>

using KioskGate::OriginPolicy;

class TestOriginPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void normalize_data();
    void normalize();
    void exactMatching_data();
    void exactMatching();
    void tokenNarrowing();
    void invalidListKeepsOldOne();
};

void TestOriginPolicy::normalize_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected"); // empty = invalid
    QTest::newRow("https") << "https://kiosk.example" << "https://kiosk.example";
    QTest::newRow("upper case") << "HTTPS://Kiosk.EXAMPLE" << "https://kiosk.example";
    QTest::newRow("default port dropped") << "https://kiosk.example:443" << "https://kiosk.example";
    QTest::newRow("http default port") << "http://a.example:80" << "http://a.example";
    QTest::newRow("other port kept") << "https://kiosk.example:8443" << "https://kiosk.example:8443";
    QTest::newRow("ipv4") << "http://192.168.1.20:8080" << "http://192.168.1.20:8080";
    QTest::newRow("ipv6") << "http://[::1]:8080" << "http://[::1]:8080";
    QTest::newRow("surrounding space") << "  https://a.example " << "https://a.example";
    QTest::newRow("trailing slash") << "https://kiosk.example/" << "";
    QTest::newRow("path") << "https://kiosk.example/app" << "";
    QTest::newRow("query") << "https://kiosk.example?x=1" << "";
    QTest::newRow("fragment") << "https://kiosk.example#x" << "";
    QTest::newRow("user info") << "https://u:p@kiosk.example" << "";
    QTest::newRow("no scheme") << "kiosk.example" << "";
    QTest::newRow("ws scheme") << "ws://kiosk.example" << "";
    QTest::newRow("file") << "file:///etc/passwd" << "";
    QTest::newRow("null") << "null" << "";
    QTest::newRow("wildcard") << "https://*.example" << "";
    QTest::newRow("empty") << "" << "";
}

void TestOriginPolicy::normalize()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QString normalized;
    QString error;
    const bool ok = OriginPolicy::normalize(input, &normalized, &error);
    QCOMPARE(ok, !expected.isEmpty());
    if (ok)
        QCOMPARE(normalized, expected);
    else
        QVERIFY2(error.contains(QStringLiteral("invalid origin")), qPrintable(error));
}

void TestOriginPolicy::exactMatching_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("listed") << QByteArray("https://kiosk.example") << true;
    QTest::newRow("listed with port") << QByteArray("http://127.0.0.1:8080") << true;
    QTest::newRow("subdomain") << QByteArray("https://evil.kiosk.example") << false;
    QTest::newRow("suffix attack") << QByteArray("https://kiosk.example.evil.com") << false;
    QTest::newRow("prefix attack") << QByteArray("https://evilkiosk.example") << false;
    QTest::newRow("other scheme") << QByteArray("http://kiosk.example") << false;
    QTest::newRow("other port") << QByteArray("https://kiosk.example:444") << false;
    QTest::newRow("trailing slash") << QByteArray("https://kiosk.example/") << false;
    QTest::newRow("case differs") << QByteArray("https://KIOSK.example") << false;
    QTest::newRow("null") << QByteArray("null") << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestOriginPolicy::exactMatching()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    OriginPolicy policy;
    QString error;
    QVERIFY(policy.setAllowedOrigins({QStringLiteral("https://kiosk.example"),
                                      QStringLiteral("http://127.0.0.1:8080")}, &error));
    QCOMPARE(policy.isAllowed(origin), allowed);
}

void TestOriginPolicy::tokenNarrowing()
{
    OriginPolicy policy;
    QString error;
    QVERIFY(policy.setAllowedOrigins({QStringLiteral("https://a.example"), QStringLiteral("https://b.example")},
                                     &error));
    QVERIFY(policy.isAllowedForToken("https://a.example", {}));
    QVERIFY(policy.isAllowedForToken("https://a.example", {QStringLiteral("https://a.example")}));
    QVERIFY(!policy.isAllowedForToken("https://b.example", {QStringLiteral("https://a.example")}));
    // A token cannot widen the allowlist.
    QVERIFY(!policy.isAllowedForToken("https://c.example", {QStringLiteral("https://c.example")}));
}

void TestOriginPolicy::invalidListKeepsOldOne()
{
    OriginPolicy policy;
    QString error;
    QVERIFY(policy.setAllowedOrigins({QStringLiteral("https://a.example")}, &error));
    QVERIFY(!policy.setAllowedOrigins({QStringLiteral("https://b.example"), QStringLiteral("https://b.example/x")},
                                      &error));
    QVERIFY(error.contains(QStringLiteral("https://b.example/x")));
    QCOMPARE(policy.allowedOrigins(), QStringList{QStringLiteral("https://a.example")});
}

QTEST_GUILESS_MAIN(TestOriginPolicy)
#include "tst_originpolicy.moc"
