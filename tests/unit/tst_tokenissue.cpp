#include "Clock.h"
#include "SigningKeyRing.h"
#include "TokenForge.h"
#include "TokenService.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

// TokenService::issue(): request validation and what goes into a token. The
// verifying side is in tst_tokenservice.cpp.

using namespace KioskGate;
using namespace TokenForge;

namespace {

const QString Issuer = QStringLiteral("kioskgate-test");
const QString Audience = QStringLiteral("kioskgate-kiosk");
const QString Kid = QStringLiteral("cur0cur0cur0");

} // namespace

class TestTokenIssue : public QObject
{
    Q_OBJECT

public:
    TestTokenIssue() : m_service(&m_ring, &m_clock, Issuer, Audience) { }

private slots:
    void init();
    void jtiIsRandom128Bits();
    void issue_accepts_data();
    void issue_accepts();
    void issue_rejects_data();
    void issue_rejects();
    void issueNeedsCurrentKey();
    void issueNeedsIssuerAndAudience();
    void issueRefusesOversizeToken();

private:
    SigningKeyRing m_ring;
    ManualClock m_clock;
    TokenService m_service;
};

void TestTokenIssue::init()
{
    m_ring.addKey(Kid, QByteArray(32, 'C'));
    m_ring.setCurrentKeyId(Kid);
}

void TestTokenIssue::jtiIsRandom128Bits()
{
    static const QRegularExpression pattern(QStringLiteral("\\A[0-9a-f]{32}\\z"));
    QSet<QString> seen;
    for (int i = 0; i < 50; ++i) {
        IssuedToken issued;
        QString error;
        QVERIFY2(m_service.issue({ QStringLiteral("lobby-1"), 0, {} }, &issued, &error),
                 qPrintable(error));
        QVERIFY2(pattern.match(issued.claims.jti).hasMatch(), qPrintable(issued.claims.jti));
        QCOMPARE(QByteArray::fromHex(issued.claims.jti.toLatin1()).size(), 16);
        seen.insert(issued.claims.jti);
    }
    QCOMPARE(seen.size(), 50);
}

void TestTokenIssue::issue_accepts_data()
{
    QTest::addColumn<QString>("kiosk");
    QTest::addColumn<QStringList>("origins");
    QTest::newRow("one char") << QStringLiteral("a") << QStringList();
    QTest::newRow("64 chars") << QString(64, QLatin1Char('k')) << QStringList();
    QTest::newRow("all allowed chars") << QStringLiteral("Lobby-1.front_desk") << QStringList();
    QTest::newRow("https origin") << QStringLiteral("k")
                                  << QStringList { QStringLiteral("https://kiosk.example") };
    QTest::newRow("port origin") << QStringLiteral("k")
                                 << QStringList { QStringLiteral("http://10.0.0.5:8080") };
    QTest::newRow("IPv6 origin") << QStringLiteral("k")
                                 << QStringList { QStringLiteral("https://[::1]:8443") };
    QTest::newRow("32 origins") << QStringLiteral("k")
                                << QStringList(32, QStringLiteral("https://a.example"));
}

void TestTokenIssue::issue_accepts()
{
    QFETCH(QString, kiosk);
    QFETCH(QStringList, origins);
    IssuedToken issued;
    QString error;
    QVERIFY2(m_service.issue({ kiosk, 0, origins }, &issued, &error), qPrintable(error));
    TokenClaims claims;
    QCOMPARE(m_service.verify(issued.token, &claims), TokenError::None);
    QCOMPARE(claims.subject, kiosk);
    QCOMPARE(claims.origins, origins);
}

void TestTokenIssue::issue_rejects_data()
{
    QTest::addColumn<QString>("kiosk");
    QTest::addColumn<qint64>("lifetime");
    QTest::addColumn<QStringList>("origins");
    const auto origin = [](const char *name, const char *value) {
        QTest::newRow(name) << QStringLiteral("k") << qint64(0)
                            << QStringList { QString::fromUtf8(value) };
    };
    QTest::newRow("empty kiosk") << QString() << qint64(0) << QStringList();
    QTest::newRow("65 chars") << QString(65, QLatin1Char('k')) << qint64(0) << QStringList();
    QTest::newRow("space") << QStringLiteral("lobby 1") << qint64(0) << QStringList();
    QTest::newRow("slash") << QStringLiteral("../etc") << qint64(0) << QStringList();
    QTest::newRow("newline") << QStringLiteral("lobby\n") << qint64(0) << QStringList();
    QTest::newRow("non-ASCII") << QStringLiteral("k\u00e9") << qint64(0) << QStringList();
    QTest::newRow("negative lifetime") << QStringLiteral("k") << qint64(-1) << QStringList();
    QTest::newRow("lifetime too long")
        << QStringLiteral("k") << TokenService::MaxLifetimeSecs + 1 << QStringList();
    QTest::newRow("33 origins") << QStringLiteral("k") << qint64(0)
                                << QStringList(33, QStringLiteral("https://a.example"));
    origin("empty origin", "");
    origin("trailing slash", "https://a.example/");
    origin("path", "https://a.example/kiosk");
    origin("uppercase host", "https://A.example");
    origin("ftp", "ftp://a.example");
    origin("no scheme", "a.example");
    origin("userinfo", "https://user@a.example");
    origin("null", "null");
    origin("wildcard", "*");
    origin("default https port", "https://a.example:443");
    origin("default http port", "http://a.example:80");
    origin("query", "https://a.example?x=1");
    origin("fragment", "https://a.example#x");
    origin("ws scheme", "wss://a.example");
}

void TestTokenIssue::issue_rejects()
{
    QFETCH(QString, kiosk);
    QFETCH(qint64, lifetime);
    QFETCH(QStringList, origins);
    IssuedToken issued;
    issued.token = "untouched";
    QString error;
    QVERIFY(!m_service.issue({ kiosk, lifetime, origins }, &issued, &error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(issued.token, QByteArray("untouched"));
}

void TestTokenIssue::issueNeedsCurrentKey()
{
    m_ring.setCurrentKeyId(QString());
    IssuedToken issued;
    QString error;
    QVERIFY(!m_service.issue({ QStringLiteral("lobby-1"), 0, {} }, &issued, &error));
    QCOMPARE(error, QStringLiteral("no current signing key"));
    m_ring.setCurrentKeyId(QStringLiteral("not-in-ring"));
    QVERIFY(!m_service.issue({ QStringLiteral("lobby-1"), 0, {} }, &issued, &error));
    QVERIFY(issued.token.isEmpty());
}

void TestTokenIssue::issueNeedsIssuerAndAudience()
{
    const TokenService noIssuer(&m_ring, &m_clock, QString(), Audience);
    const TokenService noAudience(&m_ring, &m_clock, Issuer, QString());
    IssuedToken issued;
    QString error;
    QVERIFY(!noIssuer.issue({ QStringLiteral("lobby-1"), 0, {} }, &issued, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!noAudience.issue({ QStringLiteral("lobby-1"), 0, {} }, &issued, &error));
    QVERIFY(issued.token.isEmpty());
}

void TestTokenIssue::issueRefusesOversizeToken()
{
    const QString label(60, QLatin1Char('o'));
    const QString longOrigin = QStringLiteral("https://%1.%1.example").arg(label);
    QStringList origins;
    for (int i = 0; i < 32; ++i) {
        origins.append(longOrigin);
    }
    IssuedToken issued;
    QString error;
    QVERIFY(!m_service.issue({ QStringLiteral("lobby-1"), 0, origins }, &issued, &error));
    QVERIFY2(error.contains(QString::number(TokenService::MaxTokenBytes)), qPrintable(error));
    QVERIFY(m_service.issue({ QStringLiteral("lobby-1"), 0, origins.mid(0, 8) }, &issued, &error));
}

QTEST_GUILESS_MAIN(TestTokenIssue)
#include "tst_tokenissue.moc"
