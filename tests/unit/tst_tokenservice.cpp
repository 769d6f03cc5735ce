#include "Clock.h"
#include "SigningKeyRing.h"
#include "TokenForge.h"
#include "TokenService.h"

#include <QJsonArray>
#include <QTest>

using namespace KioskGate;
using namespace TokenForge;

Q_DECLARE_METATYPE(KioskGate::TokenError)

namespace {

const QString Issuer = QStringLiteral("kioskgate-test");
const QString Audience = QStringLiteral("kioskgate-kiosk");
const QString CurrentKid = QStringLiteral("cur0cur0cur0");
const QString OldKid = QStringLiteral("old0old0old0");
const QString RemovedKid = QStringLiteral("gone0gone0go");
const QByteArray CurrentKey(32, 'C');
const QByteArray OldKey(32, 'O');
const QByteArray RemovedKey(32, 'R');
const QByteArray OtherKey(32, 'X');
constexpr qint64 StartMs = 1'800'000'000'000;
constexpr qint64 Now = StartMs / 1000;

QJsonObject header(const QString &alg, const QString &kid = CurrentKid)
{
    QJsonObject h { { QStringLiteral("alg"), alg },
                    { QStringLiteral("typ"), QStringLiteral("JWT") } };
    if (!kid.isNull()) {
        h.insert(QStringLiteral("kid"), kid);
    }
    return h;
}

QJsonObject goodClaims()
{
    return QJsonObject {
        { QStringLiteral("iss"), Issuer },
        { QStringLiteral("aud"), Audience },
        { QStringLiteral("sub"), QStringLiteral("lobby-1") },
        { QStringLiteral("jti"), QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA") },
        { QStringLiteral("iat"), Now - 10 },
        { QStringLiteral("nbf"), Now - 10 },
        { QStringLiteral("exp"), Now + 3600 },
    };
}

QJsonObject claimsWith(const QString &name, const QJsonValue &value)
{
    QJsonObject claims = goodClaims();
    if (value.isUndefined()) {
        claims.remove(name);
    } else {
        claims.insert(name, value);
    }
    return claims;
}

QByteArray good(const QJsonObject &claims = goodClaims())
{
    return forge(header(QStringLiteral("HS256")), claims, CurrentKey);
}

} // namespace

class TestTokenService : public QObject
{
    Q_OBJECT

public:
    TestTokenService() : m_clock(StartMs), m_service(&m_ring, &m_clock, Issuer, Audience) { }

private slots:
    void init();

    void forgedBaselineVerifies();
    void verify_rejects_data();
    void verify_rejects();
    void rejectionLeavesClaimsUntouched();

    void roundTripWithoutExpiryOrOrigins();
    void roundTripWithExpiryAndOrigins();
    void audienceArrayContainingOurs();
    void duplicateClaimLastOneWins();
    void olderKeyVerifiesAfterRotation();
    void otherIssuerOrAudienceRejected();
    void errorCodes();

    void cachedTokenStillExpires();
    void cachedTokenWaitsForNotBefore();
    void replacedKeyRetiresCachedToken();
    void onlyVerifiedTokensAreCached();

private:
    SigningKeyRing m_ring;
    ManualClock m_clock;
    TokenService m_service;
};

void TestTokenService::init()
{
    m_clock.setNowMs(StartMs);
    for (const QString &kid : m_ring.keyIds()) {
        m_ring.removeKey(kid);
    }
    m_ring.addKey(OldKid, OldKey);
    m_ring.addKey(CurrentKid, CurrentKey);
    m_ring.addKey(RemovedKid, RemovedKey);
    m_ring.removeKey(RemovedKid);
    m_ring.setCurrentKeyId(CurrentKid);
}

// Every rejection below is a small change to this token, so each row shows
// that exactly its change is what gets refused.
void TestTokenService::forgedBaselineVerifies()
{
    TokenClaims claims;
    QCOMPARE(tokenErrorCode(m_service.verify(good(), &claims)), QStringLiteral("ok"));
    QCOMPARE(claims.subject, QStringLiteral("lobby-1"));
    QCOMPARE(claims.keyId, CurrentKid);
    QCOMPARE(claims.expiresAt, Now + 3600);
}

void TestTokenService::verify_rejects_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<TokenError>("expected");
    const QJsonObject c = goodClaims();
    const auto hs256 = header(QStringLiteral("HS256"));
    const auto row = [](const char *name, const QByteArray &token, TokenError error) {
        QTest::newRow(name) << token << error;
    };
    using E = TokenError;

    // Found by fuzz_token_service: libjwt reads a segment only up to a NUL.
    row("NUL after the header object",
        forgeRaw(json(hs256) + QByteArray(4, '\0'), json(c), CurrentKey), E::Malformed);
    row("NUL and more claims after the payload object",
        forgeRaw(json(hs256), json(c) + QByteArray(1, '\0') + "{\"iss\":\"x\"}", CurrentKey),
        E::Malformed);
    row("two objects in the payload", forgeRaw(json(hs256), json(c) + json(c), CurrentKey),
        E::Malformed);

    // Algorithm pinning: refused before any key is used.
    row("alg none unsigned", forge(header(QStringLiteral("none"), QString()), c, {}),
        E::UnsupportedAlgorithm);
    row("alg none, kid of a present key", forge(header(QStringLiteral("none")), c, {}),
        E::UnsupportedAlgorithm);
    row("alg none, HMAC-signed", forge(header(QStringLiteral("none")), c, CurrentKey),
        E::UnsupportedAlgorithm);
    row("alg None", forge(header(QStringLiteral("None")), c, {}), E::UnsupportedAlgorithm);
    row("alg nOnE", forge(header(QStringLiteral("nOnE")), c, {}), E::UnsupportedAlgorithm);
    row("alg hs256 lowercase, right key", forge(header(QStringLiteral("hs256")), c, CurrentKey),
        E::UnsupportedAlgorithm);
    row("HS384, right key",
        forge(header(QStringLiteral("HS384")), c, CurrentKey, QCryptographicHash::Sha384),
        E::UnsupportedAlgorithm);
    row("HS512, right key",
        forge(header(QStringLiteral("HS512")), c, CurrentKey, QCryptographicHash::Sha512),
        E::UnsupportedAlgorithm);
    row("RS256 header, HMAC with key bytes", forge(header(QStringLiteral("RS256")), c, CurrentKey),
        E::UnsupportedAlgorithm);
    row("ES256 header", forge(header(QStringLiteral("ES256")), c, CurrentKey),
        E::UnsupportedAlgorithm);
    row("duplicate alg, last is none",
        forgeRaw(R"({"alg":"HS256","kid":"cur0cur0cur0","alg":"none"})", json(c), CurrentKey),
        E::UnsupportedAlgorithm);
    // libjwt 1.10 refuses to parse algorithms it does not know, or no alg.
    row("PS256 header", forge(header(QStringLiteral("PS256")), c, CurrentKey), E::Malformed);
    row("alg missing", forge(QJsonObject { { QStringLiteral("kid"), CurrentKid } }, c, CurrentKey),
        E::Malformed);

    // Key id.
    row("kid missing", forge(header(QStringLiteral("HS256"), QString()), c, CurrentKey),
        E::UnknownKeyId);
    row("kid empty", forge(header(QStringLiteral("HS256"), QStringLiteral("")), c, CurrentKey),
        E::UnknownKeyId);
    row("kid not a string", forgeRaw(R"({"alg":"HS256","kid":7})", json(c), CurrentKey),
        E::UnknownKeyId);
    row("kid unknown",
        forge(header(QStringLiteral("HS256"), QStringLiteral("nope")), c, CurrentKey),
        E::UnknownKeyId);
    row("kid of a removed key", forge(header(QStringLiteral("HS256"), RemovedKid), c, RemovedKey),
        E::UnknownKeyId);
    // The key is chosen by Qt's reading of the header and confirmed by
    // libjwt's: both take the last of duplicate keys, never the first.
    row("duplicate kid, last unknown",
        forgeRaw(R"({"alg":"HS256","kid":"cur0cur0cur0","kid":"nope"})", json(c), CurrentKey),
        E::UnknownKeyId);
    row("duplicate kid, last another key's",
        forgeRaw(R"({"alg":"HS256","kid":"cur0cur0cur0","kid":"old0old0old0"})", json(c),
                 CurrentKey),
        E::BadSignature);

    // Signature.
    QList<QByteArray> parts = segments(good());
    row("tampered payload",
        parts[0] + '.' + b64(json(claimsWith(QStringLiteral("sub"), QStringLiteral("lobby-2"))))
            + '.' + parts[2],
        E::BadSignature);
    QByteArray sig = parts[2];
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    row("tampered signature", parts[0] + '.' + parts[1] + '.' + sig, E::BadSignature);
    row("signature empty", parts[0] + '.' + parts[1] + '.', E::BadSignature);
    row("signature appended to", good() + "AAAA", E::BadSignature);
    row("signed with another key", forge(hs256, c, OtherKey), E::BadSignature);
    row("signed with the old key, current kid", forge(hs256, c, OldKey), E::BadSignature);

    // Times.
    row("expired, exp == now", good(claimsWith(QStringLiteral("exp"), Now)), E::Expired);
    row("expired, exp < now", good(claimsWith(QStringLiteral("exp"), Now - 1)), E::Expired);
    row("expired, exp 0", good(claimsWith(QStringLiteral("exp"), 0)), E::Expired);
    row("nbf in the future", good(claimsWith(QStringLiteral("nbf"), Now + 1)), E::NotYetValid);

    // Issuer and audience.
    row("wrong iss", good(claimsWith(QStringLiteral("iss"), QStringLiteral("evil"))),
        E::WrongIssuer);
    row("iss missing", good(claimsWith(QStringLiteral("iss"), QJsonValue::Undefined)),
        E::WrongIssuer);
    row("iss array", good(claimsWith(QStringLiteral("iss"), QJsonArray { Issuer })),
        E::WrongIssuer);
    row("wrong aud", good(claimsWith(QStringLiteral("aud"), QStringLiteral("other"))),
        E::WrongAudience);
    row("aud array without ours",
        good(claimsWith(QStringLiteral("aud"),
                        QJsonArray { QStringLiteral("a"), QStringLiteral("b") })),
        E::WrongAudience);
    row("aud missing", good(claimsWith(QStringLiteral("aud"), QJsonValue::Undefined)),
        E::WrongAudience);

    // Required claims.
    row("sub missing", good(claimsWith(QStringLiteral("sub"), QJsonValue::Undefined)),
        E::MissingClaim);
    row("sub empty", good(claimsWith(QStringLiteral("sub"), QStringLiteral(""))), E::MissingClaim);
    row("sub not a string", good(claimsWith(QStringLiteral("sub"), 42)), E::MissingClaim);
    row("jti missing", good(claimsWith(QStringLiteral("jti"), QJsonValue::Undefined)),
        E::MissingClaim);
    row("iat missing", good(claimsWith(QStringLiteral("iat"), QJsonValue::Undefined)),
        E::MissingClaim);
    row("nbf missing", good(claimsWith(QStringLiteral("nbf"), QJsonValue::Undefined)),
        E::MissingClaim);

    // Claim types.
    row("iat a string", good(claimsWith(QStringLiteral("iat"), QStringLiteral("1800000000"))),
        E::Malformed);
    row("exp a fraction", good(claimsWith(QStringLiteral("exp"), Now + 0.5)), E::Malformed);
    row("nbf negative", good(claimsWith(QStringLiteral("nbf"), -1)), E::Malformed);
    row("origins not an array",
        good(claimsWith(QStringLiteral("origins"), QStringLiteral("https://a.example"))),
        E::Malformed);
    row("origins with a number",
        good(claimsWith(QStringLiteral("origins"),
                        QJsonArray { QStringLiteral("https://a.example"), 1 })),
        E::Malformed);
    row("origins empty", good(claimsWith(QStringLiteral("origins"), QJsonArray {})), E::Malformed);
    row("exp true", good(claimsWith(QStringLiteral("exp"), true)), E::Malformed);
    row("iat null", good(claimsWith(QStringLiteral("iat"), QJsonValue::Null)), E::Malformed);
    row("nbf an object", good(claimsWith(QStringLiteral("nbf"), QJsonObject {})), E::Malformed);
    row("iat with 19 digits",
        good(claimsWith(QStringLiteral("iat"), qint64(1'000'000'000'000'000'000))), E::Malformed);
    QByteArray exponent = json(c);
    exponent.replace(QByteArray::number(Now - 10), "18e8");
    row("iat with an exponent", forgeRaw(json(hs256), exponent, CurrentKey), E::Malformed);
    row("payload an array", forgeRaw(json(hs256), "[]", CurrentKey), E::Malformed);
    row("payload an array after a space", forgeRaw(json(hs256), " [{}]", CurrentKey), E::Malformed);

    // Shape, before libjwt sees it.
    row("empty string", QByteArray(), E::Malformed);
    row("two segments", parts[0] + '.' + parts[1], E::Malformed);
    row("four segments", good() + '.' + parts[2], E::Malformed);
    row("four segments, trailing dot", good() + '.', E::Malformed);
    row("standard base64 '+'", good().replace('-', '+').replace('_', '+') + "+", E::Malformed);
    row("padding '='", parts[0] + "=." + parts[1] + '.' + parts[2], E::Malformed);
    row("space", good() + ' ', E::Malformed);
    row("NUL byte", good() + QByteArray(1, '\0') + "x", E::Malformed);
    QJsonObject big = goodClaims();
    big.insert(QStringLiteral("pad"), QString(3200, QLatin1Char('p')));
    row("oversize, correctly signed", good(big), E::Malformed);
    row("header not JSON", forgeRaw("not json", json(c), CurrentKey), E::Malformed);
    row("payload not JSON", forgeRaw(json(hs256), "not json", CurrentKey), E::Malformed);
    row("typ not JWT",
        forgeRaw(R"({"alg":"HS256","kid":"cur0cur0cur0","typ":"foo"})", json(c), CurrentKey),
        E::Malformed);
}

void TestTokenService::verify_rejects()
{
    QFETCH(QByteArray, token);
    QFETCH(TokenError, expected);
    QCOMPARE(tokenErrorCode(m_service.verify(token, nullptr)), tokenErrorCode(expected));
}

void TestTokenService::rejectionLeavesClaimsUntouched()
{
    TokenClaims claims;
    claims.subject = QStringLiteral("before");
    QCOMPARE(m_service.verify(good(claimsWith(QStringLiteral("exp"), Now)), &claims),
             TokenError::Expired);
    QCOMPARE(claims.subject, QStringLiteral("before"));
    QCOMPARE(claims.expiresAt, 0);
}

void TestTokenService::roundTripWithoutExpiryOrOrigins()
{
    IssuedToken issued;
    QString error;
    QVERIFY2(m_service.issue({ QStringLiteral("lobby-1"), 0, {} }, &issued, &error),
             qPrintable(error));
    QCOMPARE(issued.claims.issuer, Issuer);
    QCOMPARE(issued.claims.audience, Audience);
    QCOMPARE(issued.claims.subject, QStringLiteral("lobby-1"));
    QCOMPARE(issued.claims.keyId, CurrentKid);
    QCOMPARE(issued.claims.issuedAt, Now);
    QCOMPARE(issued.claims.notBefore, Now);
    QCOMPARE(issued.claims.expiresAt, 0);
    QVERIFY(issued.claims.origins.isEmpty());

    const QJsonObject head = decodeSegment(issued.token, 0);
    QCOMPARE(head.value(QStringLiteral("alg")).toString(), QStringLiteral("HS256"));
    QCOMPARE(head.value(QStringLiteral("kid")).toString(), CurrentKid);
    QCOMPARE(head.value(QStringLiteral("typ")).toString(), QStringLiteral("JWT"));
    const QJsonObject payload = decodeSegment(issued.token, 1);
    QCOMPARE(payload.value(QStringLiteral("iat")).toInteger(), Now);
    QCOMPARE(payload.value(QStringLiteral("nbf")).toInteger(), Now);
    QVERIFY(!payload.contains(QStringLiteral("exp")));
    QVERIFY(!payload.contains(QStringLiteral("origins")));

    // No expiry: still valid ten years on.
    m_clock.advanceMs(10LL * 365 * 24 * 3600 * 1000);
    TokenClaims claims;
    QCOMPARE(m_service.verify(issued.token, &claims), TokenError::None);
    QCOMPARE(claims.subject, issued.claims.subject);
    QCOMPARE(claims.jti, issued.claims.jti);
    QCOMPARE(claims.keyId, CurrentKid);
    QCOMPARE(claims.issuedAt, Now);
    QCOMPARE(claims.expiresAt, 0);
    QVERIFY(claims.origins.isEmpty());
}

void TestTokenService::roundTripWithExpiryAndOrigins()
{
    const QStringList origins { QStringLiteral("https://kiosk.example"),
                                QStringLiteral("http://10.0.0.5:8080") };
    IssuedToken issued;
    QString error;
    QVERIFY2(m_service.issue({ QStringLiteral("front_desk.2"), 3600, origins }, &issued, &error),
             qPrintable(error));
    QCOMPARE(issued.claims.expiresAt, Now + 3600);
    QCOMPARE(issued.claims.origins, origins);
    QCOMPARE(decodeSegment(issued.token, 1).value(QStringLiteral("origins")).toArray(),
             QJsonArray::fromStringList(origins));

    TokenClaims claims;
    QCOMPARE(m_service.verify(issued.token, &claims), TokenError::None);
    QCOMPARE(claims.subject, QStringLiteral("front_desk.2"));
    QCOMPARE(claims.expiresAt, Now + 3600);
    QCOMPARE(claims.origins, origins);

    m_clock.advanceMs(3599'999);
    QCOMPARE(m_service.verify(issued.token, nullptr), TokenError::None);
    m_clock.advanceMs(1);
    QCOMPARE(m_service.verify(issued.token, nullptr), TokenError::Expired);
}

void TestTokenService::audienceArrayContainingOurs()
{
    const QJsonArray audiences { QStringLiteral("someone-else"), Audience };
    TokenClaims claims;
    QCOMPARE(m_service.verify(good(claimsWith(QStringLiteral("aud"), audiences)), &claims),
             TokenError::None);
    QCOMPARE(claims.audience, Audience);
}

// libjwt (jansson) keeps the last of duplicate keys; documented, not relied on.
void TestTokenService::duplicateClaimLastOneWins()
{
    QByteArray payload = json(goodClaims());
    payload.chop(1);
    payload += R"(,"sub":"lobby-9"})";
    TokenClaims claims;
    QCOMPARE(m_service.verify(forgeRaw(json(header(QStringLiteral("HS256"))), payload, CurrentKey),
                              &claims),
             TokenError::None);
    QCOMPARE(claims.subject, QStringLiteral("lobby-9"));
}

void TestTokenService::olderKeyVerifiesAfterRotation()
{
    IssuedToken before;
    QString error;
    QVERIFY2(m_service.issue({ QStringLiteral("lobby-1"), 0, {} }, &before, &error),
             qPrintable(error));

    const QString newKid = SigningKeyRing::generateKeyId();
    m_ring.addKey(newKid, SigningKeyRing::generateKey());
    m_ring.setCurrentKeyId(newKid);
    IssuedToken after;
    QVERIFY2(m_service.issue({ QStringLiteral("lobby-1"), 0, {} }, &after, &error),
             qPrintable(error));
    QCOMPARE(after.claims.keyId, newKid);
    QCOMPARE(decodeSegment(after.token, 0).value(QStringLiteral("kid")).toString(), newKid);

    TokenClaims claims;
    QCOMPARE(m_service.verify(before.token, &claims), TokenError::None);
    QCOMPARE(claims.keyId, CurrentKid);
    QCOMPARE(m_service.verify(after.token, &claims), TokenError::None);
    QCOMPARE(claims.keyId, newKid);

    // Retiring the old key retires its tokens.
    QVERIFY(m_ring.removeKey(CurrentKid));
    QCOMPARE(m_service.verify(before.token, nullptr), TokenError::UnknownKeyId);
    QCOMPARE(m_service.verify(after.token, nullptr), TokenError::None);
}

void TestTokenService::otherIssuerOrAudienceRejected()
{
    const TokenService otherIssuer(&m_ring, &m_clock, QStringLiteral("other-console"), Audience);
    const TokenService otherAudience(&m_ring, &m_clock, Issuer, QStringLiteral("other-kiosks"));
    IssuedToken fromIssuer;
    IssuedToken fromAudience;
    QString error;
    QVERIFY2(otherIssuer.issue({ QStringLiteral("lobby-1"), 60, {} }, &fromIssuer, &error),
             qPrintable(error));
    QVERIFY2(otherAudience.issue({ QStringLiteral("lobby-1"), 60, {} }, &fromAudience, &error),
             qPrintable(error));
    QCOMPARE(otherIssuer.verify(fromIssuer.token, nullptr), TokenError::None);
    QCOMPARE(m_service.verify(fromIssuer.token, nullptr), TokenError::WrongIssuer);
    QCOMPARE(m_service.verify(fromAudience.token, nullptr), TokenError::WrongAudience);
}

void TestTokenService::errorCodes()
{
    const QList<QPair<TokenError, const char *>> codes {
        { TokenError::None, "ok" },
        { TokenError::Malformed, "malformed" },
        { TokenError::UnsupportedAlgorithm, "unsupported_alg" },
        { TokenError::UnknownKeyId, "unknown_kid" },
        { TokenError::BadSignature, "bad_signature" },
        { TokenError::Expired, "expired" },
        { TokenError::NotYetValid, "not_yet_valid" },
        { TokenError::WrongIssuer, "wrong_issuer" },
        { TokenError::WrongAudience, "wrong_audience" },
        { TokenError::MissingClaim, "missing_claim" },
    };
    for (const auto &[error, code] : codes) {
        QCOMPARE(tokenErrorCode(error), QString::fromLatin1(code));
    }
}


void TestTokenService::cachedTokenStillExpires()
{
    const QByteArray token = good();
    QCOMPARE(m_service.verify(token, nullptr), TokenError::None);
    QCOMPARE(m_service.verify(token, nullptr), TokenError::None); // from the cache
    m_clock.setNowMs((Now + 3600) * 1000);
    QCOMPARE(m_service.verify(token, nullptr), TokenError::Expired);
}

void TestTokenService::cachedTokenWaitsForNotBefore()
{
    // Verified once it is valid, then asked again with a clock set back.
    const QByteArray token = good(claimsWith(QStringLiteral("nbf"), Now));
    QCOMPARE(m_service.verify(token, nullptr), TokenError::None);
    m_clock.setNowMs((Now - 1) * 1000);
    QCOMPARE(m_service.verify(token, nullptr), TokenError::NotYetValid);
}

void TestTokenService::replacedKeyRetiresCachedToken()
{
    const QByteArray token = good();
    TokenClaims claims;
    QCOMPARE(m_service.verify(token, &claims), TokenError::None);
    QCOMPARE(claims.subject, QStringLiteral("lobby-1"));
    // Same kid, another key: the cached verdict must not survive it.
    m_ring.addKey(CurrentKid, OtherKey);
    QCOMPARE(m_service.verify(token, &claims), TokenError::BadSignature);
    m_ring.addKey(CurrentKid, CurrentKey);
    QCOMPARE(m_service.verify(token, &claims), TokenError::None);
}

void TestTokenService::onlyVerifiedTokensAreCached()
{
    const int before = m_service.cachedTokenCount();
    QCOMPARE(m_service.verify(forge(header(QStringLiteral("HS256")), goodClaims(), OtherKey), nullptr),
             TokenError::BadSignature);
    QCOMPARE(m_service.verify(good(claimsWith(QStringLiteral("iss"), QStringLiteral("x"))), nullptr),
             TokenError::WrongIssuer);
    QCOMPARE(m_service.verify("a.b.c", nullptr), TokenError::Malformed);
    QCOMPARE(m_service.cachedTokenCount(), before);
    const QByteArray fresh = good(claimsWith(QStringLiteral("jti"), QStringLiteral("BBBBBBBBBBBBBBBBBBBBBB")));
    QCOMPARE(m_service.verify(fresh, nullptr), TokenError::None);
    QCOMPARE(m_service.cachedTokenCount(), before + 1);
}

QTEST_GUILESS_MAIN(TestTokenService)
#include "tst_tokenservice.moc"
