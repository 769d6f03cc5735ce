// Fuzz target: JWT verification (TokenService::verify over libjwt) with a
// fixed key ring and a fixed clock.
//
// Input: one mode byte, then
//   mode 0 (raw):      a compact token, verified as is;
//   mode 1 (signed):   header JSON '\n' payload JSON; the target signs it
//                      with HS256 and a ring key, then verifies it, so the
//                      fuzzer reaches the claim checks behind the signature;
//   mode 2 (attacker): like 1, but signed with keys the ring does not trust
//                      (a foreign key, an empty key, HS512 or HS384 with the
//                      ring's own key): must never verify;
//   mode 3 (mutated):  like 1, then the rest of the input (after a second
//                      '\n') is XORed over the signed token.
// Properties:
// - never crashes (sanitizers);
// - an accepted token is proven genuine: its header's alg is exactly
//   "HS256", its kid names a key in the ring, and its third segment is
//   exactly the base64url HMAC-SHA256 under that key of the first two (the
//   oracle is Qt's HMAC, independent of libjwt); in mode 3 it is either the
//   very token the target signed or passes the same proof;
// - accepted claims satisfy the service's own rules (issuer, audience, sub,
//   jti, nbf <= now < exp), and Qt's reading of the payload gives the same
//   sub, jti and times as libjwt's;
// - nothing signed by a key outside the ring, or by another algorithm,
//   is ever accepted.

#include "Clock.h"
#include "FuzzCheck.h"
#include "SigningKeyRing.h"
#include "TokenService.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

using namespace KioskGate;

namespace {

const QString Issuer = QStringLiteral("kioskgate-fuzz");
const QString Audience = QStringLiteral("kioskgate-kiosk");
const QString CurrentKid = QStringLiteral("cur0cur0cur0");
const QString OldKid = QStringLiteral("old0old0old0");
const QByteArray CurrentKey(32, 'C');
const QByteArray OldKey(32, 'O');
const QByteArray ForeignKey(32, 'X');
constexpr qint64 NowMs = 1'800'000'000'000;

struct Fixture
{
    SigningKeyRing ring;
    ManualClock clock { NowMs };
    TokenService service { &ring, &clock, Issuer, Audience };
    Fixture()
    {
        ring.addKey(CurrentKid, CurrentKey);
        ring.addKey(OldKid, OldKey);
        ring.setCurrentKeyId(CurrentKid);
    }
};

const Fixture &fixture()
{
    static const Fixture f;
    return f;
}

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray sign(const QByteArray &header, const QByteArray &payload, const QByteArray &key,
                QCryptographicHash::Algorithm algorithm = QCryptographicHash::Sha256)
{
    const QByteArray input = b64(header) + '.' + b64(payload);
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, key, algorithm));
}

// Independent proof that `token` was signed with a key of the ring.
void checkGenuine(const QByteArray &token, const TokenClaims &claims)
{
    const QList<QByteArray> parts = token.split('.');
    FUZZ_CHECK(parts.size() == 3);
    const QJsonObject header =
        QJsonDocument::fromJson(QByteArray::fromBase64(parts.at(0), QByteArray::Base64UrlEncoding))
            .object();
    FUZZ_CHECK(header.value(QStringLiteral("alg")).toString() == QLatin1String("HS256"));
    FUZZ_CHECK(header.value(QStringLiteral("kid")).toString() == claims.keyId);
    QByteArray key;
    FUZZ_CHECK(fixture().ring.key(claims.keyId, &key));
    const QByteArray mac = QMessageAuthenticationCode::hash(parts.at(0) + '.' + parts.at(1), key,
                                                            QCryptographicHash::Sha256);
    FUZZ_CHECK(b64(mac) == parts.at(2));

    // The claims come from libjwt's parse (jansson); Qt's reading of the
    // same signed bytes must agree, or one token reads two ways.
    const QJsonObject payload
        = QJsonDocument::fromJson(
              QByteArray::fromBase64(parts.at(1), QByteArray::Base64UrlEncoding))
              .object();
    FUZZ_CHECK(payload.value(QStringLiteral("sub")).toString() == claims.subject);
    FUZZ_CHECK(payload.value(QStringLiteral("jti")).toString() == claims.jti);
    FUZZ_CHECK(payload.value(QStringLiteral("iat")).toInteger() == claims.issuedAt);
    FUZZ_CHECK(payload.value(QStringLiteral("nbf")).toInteger() == claims.notBefore);
    FUZZ_CHECK(payload.value(QStringLiteral("exp")).toInteger() == claims.expiresAt);

    const qint64 now = NowMs / 1000;
    FUZZ_CHECK(claims.issuer == Issuer && claims.audience == Audience);
    FUZZ_CHECK(!claims.subject.isEmpty() && !claims.jti.isEmpty());
    FUZZ_CHECK(claims.notBefore <= now);
    FUZZ_CHECK(claims.expiresAt == 0 || claims.expiresAt > now);
}

TokenError verify(const QByteArray &token, TokenClaims *claims)
{
    const TokenError error = fixture().service.verify(token, claims);
    if (error == TokenError::None)
        checkGenuine(token, *claims);
    return error;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2 * TokenService::MaxTokenBytes)
        return 0;
    const int mode = data[0] % 4;
    const QByteArray rest = Fuzz::bytes(data + 1, size - 1);
    TokenClaims claims;

    if (mode == 0) {
        verify(rest, &claims);
        return 0;
    }

    const QList<QByteArray> parts = rest.split('\n');
    const QByteArray header = parts.value(0);
    const QByteArray payload = parts.value(1);
    if (mode == 1) {
        // The kid in the header picks the ring key; an unknown kid signs
        // with the current key (and must then fail as unknown).
        const QString kid = QJsonDocument::fromJson(header).object().value(QStringLiteral("kid")).toString();
        const QByteArray key = kid == OldKid ? OldKey : CurrentKey;
        verify(sign(header, payload, key), &claims);
    } else if (mode == 2) {
        for (const QByteArray &token :
             { sign(header, payload, ForeignKey), sign(header, payload, QByteArray()),
               sign(header, payload, CurrentKey, QCryptographicHash::Sha512),
               sign(header, payload, CurrentKey, QCryptographicHash::Sha384),
               sign(header, payload, OldKey, QCryptographicHash::Sha512) }) {
            TokenClaims ignored;
            FUZZ_CHECK(fixture().service.verify(token, &ignored) != TokenError::None);
        }
        // Unsigned ("x.y." and "x.y"): never.
        const QByteArray unsigned_ = b64(header) + '.' + b64(payload);
        FUZZ_CHECK(fixture().service.verify(unsigned_ + '.', &claims) != TokenError::None);
        FUZZ_CHECK(fixture().service.verify(unsigned_, &claims) != TokenError::None);
    } else {
        const QByteArray mask = parts.mid(2).join('\n');
        const QByteArray signedToken = sign(header, payload, CurrentKey);
        QByteArray mutated = signedToken;
        for (int i = 0; i < mask.size() && i < mutated.size(); ++i)
            mutated[i] = static_cast<char>(mutated.at(i) ^ mask.at(i));
        mutated.append(mask.mid(mutated.size()));
        // Accepted only if still genuine (verify() proves it), which in
        // practice means only an all-zero mask over the signed part.
        verify(mutated, &claims);
    }
    return 0;
}
