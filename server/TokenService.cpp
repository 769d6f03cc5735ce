#include "TokenService.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QUrl>
#include <algorithm>
#include <cstdlib>
#include <jwt.h>
#include <memory>
#include <openssl/rand.h>
#include <optional>

namespace KioskGate {

namespace {

struct JwtDeleter
{
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// Strings libjwt hands over (jwt_encode_str) are malloc'ed.
struct FreeDeleter
{
    void operator()(char *text) const { std::free(text); }
};
using CString = std::unique_ptr<char, FreeDeleter>;

constexpr int MaxOriginLength = 512;
constexpr char Hs256[] = "HS256";

bool fail(QString *error, const QString &message)
{
    if (error) {
        *error = message;
    }
    return false;
}

QString newJti()
{
    QByteArray bytes(16, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), 16) != 1) {
        // A guessable jti would let tokens collide in the registry.
        qFatal("KioskGate: OpenSSL RAND_bytes failed; refusing to issue a token");
    }
    // Hex, not base64url: a jti is typed on command lines (`token revoke
    // JTI`), and a base64url id starting with '-' would read as an option.
    return QString::fromLatin1(bytes.toHex());
}

// Browsers send an Origin in exactly one serialization (lowercase scheme and
// host, no default port, no path); requiring it makes later matching exact.
bool isCanonicalOrigin(const QString &origin)
{
    if (origin.isEmpty() || origin.size() > MaxOriginLength) {
        return false;
    }
    const QUrl url(origin, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty() || !url.path().isEmpty()
        || url.hasQuery() || url.hasFragment()) {
        return false;
    }
    const QString scheme = url.scheme();
    const int defaultPort = scheme == QLatin1String("https") ? 443
        : scheme == QLatin1String("http")                    ? 80
                                                             : -1;
    if (defaultPort == -1 || url.port() == defaultPort) {
        return false;
    }
    return url.toString(QUrl::FullyEncoded) == origin;
}

bool validateRequest(const TokenRequest &request, QString *error)
{
    if (!TokenService::isValidKioskName(request.kiosk)) {
        return fail(error,
                    QStringLiteral("kiosk name must be 1 to 64 characters of A-Z, a-z, "
                                   "0-9, '.', '_' and '-'"));
    }
    if (request.lifetimeSecs < 0 || request.lifetimeSecs > TokenService::MaxLifetimeSecs) {
        return fail(error,
                    QStringLiteral("lifetime must be between 0 (no expiry) and %1 seconds")
                        .arg(TokenService::MaxLifetimeSecs));
    }
    if (request.origins.size() > TokenService::MaxOrigins) {
        return fail(
            error,
            QStringLiteral("a token may carry at most %1 origins").arg(TokenService::MaxOrigins));
    }
    for (const QString &origin : request.origins) {
        if (!isCanonicalOrigin(origin)) {
            return fail(error,
                        QStringLiteral("\"%1\" is not an origin: expected scheme, host and "
                                       "optional non-default port, e.g. "
                                       "https://kiosk.example or http://10.0.0.5:8080")
                            .arg(origin.left(MaxOriginLength)));
        }
    }
    return true;
}

// A JWT in compact form is base64url segments joined by '.'; anything else is
// refused before libjwt sees it.
bool hasOnlyTokenCharacters(const QByteArray &token)
{
    for (const char c : token) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// A segment as base64url text, decoded; empty if it is not, or if it holds
// a NUL byte: libjwt hands a decoded segment to jansson as a C string, so
// anything after a NUL ("{...}\0<anything>") would be ignored (found by the
// token_service fuzz target). The console never signs a NUL.
std::optional<QByteArray> decodeSegment(QByteArrayView segment)
{
    auto decoded = QByteArray::fromBase64Encoding(segment.toByteArray(),
                                                  QByteArray::Base64UrlEncoding
                                                      | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.contains('\0')) {
        return std::nullopt;
    }
    return std::move(decoded.decoded);
}

// The header, read before libjwt sees the token: its `kid` chooses the key,
// and its `alg` must be exactly HS256. Nothing read here is trusted before
// libjwt has checked the signature.
bool readHeader(QByteArrayView segment, QJsonObject *header)
{
    const std::optional<QByteArray> decoded = decodeSegment(segment);
    if (!decoded) {
        return false;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*decoded, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return false;
    }
    *header = document.object();
    return true;
}

// The payload must be exactly one JSON object, which libjwt does not insist
// on: it takes an array as well. jansson parses the whole text as one JSON
// value, so a text that starts with '{' and parses is an object. The
// console never signs anything else.
bool payloadCanBeOneObject(QByteArrayView segment)
{
    const std::optional<QByteArray> decoded = decodeSegment(segment);
    return decoded && decoded->trimmed().startsWith('{');
}

JwtPtr decode(const QByteArray &token, const QByteArray &key)
{
    jwt_t *raw = nullptr;
    const auto *keyData
        = key.isEmpty() ? nullptr : reinterpret_cast<const unsigned char *>(key.constData());
    const int rc = jwt_decode(&raw, token.constData(), keyData, static_cast<int>(key.size()));
    JwtPtr jwt(raw);
    if (rc != 0) {
        return {};
    }
    return jwt;
}

// For refusals only: whether libjwt could parse the token at all decides
// between "malformed" and the more specific reason, as when libjwt parsed
// every token first. The cost stays off the path of good tokens.
TokenError unlessMalformed(const QByteArray &token, TokenError reason)
{
    return decode(token, QByteArray()) ? reason : TokenError::Malformed;
}

enum class IntClaim { Missing, Invalid, Present };

// A claim of the verified token as JSON text ("123", "\"x\"", "[...]"), or
// empty when it is absent. libjwt's own integer getter cannot tell 0 from a
// string, a fraction or `true`, and returns a `long` (32 bits on Windows).
QByteArray claimJson(jwt_t *jwt, const char *name)
{
    const CString text(jwt_get_grants_json(jwt, name));
    return text ? QByteArray(text.get()) : QByteArray();
}

// Times must be JSON integers: a string, fraction or negative number is not
// a time this console would have written. jansson writes an integer as its
// digits, with '-' when negative; 18 digits keep it inside qint64.
IntClaim readTime(jwt_t *jwt, const char *name, qint64 *out)
{
    const QByteArray text = claimJson(jwt, name);
    if (text.isEmpty()) {
        return IntClaim::Missing;
    }
    if (text.size() > 18
        || !std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; })) {
        return IntClaim::Invalid;
    }
    *out = text.toLongLong();
    return IntClaim::Present;
}

// jwt_get_grant() answers only for a string claim.
QString stringClaim(jwt_t *jwt, const char *name)
{
    const char *value = jwt_get_grant(jwt, name);
    return value ? QString::fromUtf8(value) : QString();
}

// `aud` may be one string or an array of them (RFC 7519, 4.1.3).
bool audienceMatches(jwt_t *jwt, const QString &audience)
{
    if (audience.isEmpty()) {
        return false;
    }
    if (const char *single = jwt_get_grant(jwt, "aud")) {
        return QString::fromUtf8(single) == audience;
    }
    const QJsonDocument list = QJsonDocument::fromJson(claimJson(jwt, "aud"));
    return list.isArray() && list.array().contains(QJsonValue(audience));
}

} // namespace

TokenService::TokenService(const SigningKeyRing *keys, const Clock *clock, QString issuer,
                           QString audience)
    : m_keys(keys), m_clock(clock), m_issuer(std::move(issuer)), m_audience(std::move(audience))
{ }

bool TokenService::issue(const TokenRequest &request, IssuedToken *out, QString *error) const
{
    if (!validateRequest(request, error)) {
        return false;
    }
    if (m_issuer.isEmpty() || m_audience.isEmpty()) {
        return fail(error, QStringLiteral("token service has no issuer or audience configured"));
    }
    QString keyId;
    QByteArray key;
    if (!m_keys || !m_keys->currentKey(&keyId, &key)) {
        return fail(error, QStringLiteral("no current signing key"));
    }

    TokenClaims claims;
    claims.issuer = m_issuer;
    claims.audience = m_audience;
    claims.subject = request.kiosk;
    claims.jti = newJti();
    claims.keyId = keyId;
    claims.issuedAt = m_clock->nowSecs();
    claims.notBefore = claims.issuedAt;
    claims.expiresAt = request.lifetimeSecs > 0 ? claims.issuedAt + request.lifetimeSecs : 0;
    claims.origins = request.origins;

    QJsonObject grants {
        { QStringLiteral("iss"), claims.issuer },   { QStringLiteral("aud"), claims.audience },
        { QStringLiteral("sub"), claims.subject },  { QStringLiteral("jti"), claims.jti },
        { QStringLiteral("iat"), claims.issuedAt }, { QStringLiteral("nbf"), claims.notBefore },
    };
    if (claims.expiresAt > 0) {
        grants.insert(QStringLiteral("exp"), claims.expiresAt);
    }
    if (!claims.origins.isEmpty()) {
        grants.insert(QStringLiteral("origins"), QJsonArray::fromStringList(claims.origins));
    }
    // Claims go in as one JSON document: libjwt's integer setter takes a
    // `long`, which is 32 bits on some platforms.
    const QByteArray grantsJson = QJsonDocument(grants).toJson(QJsonDocument::Compact);

    JwtPtr jwt;
    {
        jwt_t *raw = nullptr;
        if (jwt_new(&raw) != 0) {
            return fail(error, QStringLiteral("out of memory creating a token"));
        }
        jwt.reset(raw);
    }
    if (jwt_add_grants_json(jwt.get(), grantsJson.constData()) != 0
        || jwt_add_header(jwt.get(), "kid", keyId.toUtf8().constData()) != 0
        || jwt_add_header(jwt.get(), "typ", "JWT") != 0
        || jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                       reinterpret_cast<const unsigned char *>(key.constData()),
                       static_cast<int>(key.size()))
            != 0) {
        return fail(error, QStringLiteral("libjwt refused the token's claims or key"));
    }
    const CString encoded(jwt_encode_str(jwt.get()));
    if (!encoded) {
        return fail(error, QStringLiteral("libjwt could not sign the token"));
    }
    const QByteArray token(encoded.get());
    if (token.size() > MaxTokenBytes) {
        return fail(error,
                    QStringLiteral("the token would be longer than %1 bytes; use fewer or "
                                   "shorter origins")
                        .arg(MaxTokenBytes));
    }
    out->token = token;
    out->claims = claims;
    return true;
}

TokenError TokenService::verify(const QByteArray &token, TokenClaims *claims) const
{
    if (token.isEmpty() || token.size() > MaxTokenBytes) {
        return TokenError::Malformed;
    }
    // Read before verifying: a key change meanwhile makes the entry stale.
    const quint64 generation = m_keys ? m_keys->generation() : 0;
    const QByteArray digest = VerifiedTokenCache::digest(token);
    TokenClaims verified;
    if (m_verified.find(digest, generation, &verified)) {
        return checkTimes(verified, claims);
    }
    const TokenError error = verifyUncached(token, &verified);
    if (error != TokenError::None) {
        return error;
    }
    m_verified.insert(digest, generation, verified);
    return checkTimes(verified, claims);
}

TokenError TokenService::verifyUncached(const QByteArray &token, TokenClaims *claims) const
{
    if (!hasOnlyTokenCharacters(token) || token.count('.') != 2) {
        return TokenError::Malformed;
    }
    const qsizetype headerEnd = token.indexOf('.');
    const qsizetype payloadEnd = token.indexOf('.', headerEnd + 1);
    const QByteArrayView view(token);
    QJsonObject header;
    if (!readHeader(view.first(headerEnd), &header)
        || !payloadCanBeOneObject(view.sliced(headerEnd + 1, payloadEnd - headerEnd - 1))) {
        return TokenError::Malformed;
    }
    // Exactly "HS256": libjwt itself matches names case-insensitively
    // ("None", "hs256") and would take "none" as "no signature".
    if (header.value(QLatin1String("alg")) != QJsonValue(QLatin1String(Hs256))) {
        return unlessMalformed(token, TokenError::UnsupportedAlgorithm);
    }
    // The kid only chooses the key to try; libjwt's own reading of it is
    // compared below, so a header the two parsers read differently fails.
    const QJsonValue kid = header.value(QLatin1String("kid"));
    const QString keyId = kid.toString();
    QByteArray key;
    if (!kid.isString() || !m_keys || !m_keys->key(keyId, &key)) {
        return unlessMalformed(token, TokenError::UnknownKeyId);
    }

    const JwtPtr verified = decode(token, key);
    if (!verified) {
        return unlessMalformed(token, TokenError::BadSignature);
    }
    // Belt and braces: the verifying parse must also have used HS256.
    if (jwt_get_alg(verified.get()) != JWT_ALG_HS256
        || qstrcmp(jwt_get_header(verified.get(), "alg"), Hs256) != 0) {
        return TokenError::UnsupportedAlgorithm;
    }
    if (qstrcmp(jwt_get_header(verified.get(), "kid"), keyId.toUtf8()) != 0) {
        return TokenError::UnknownKeyId;
    }
    return readClaims(verified.get(), keyId, claims);
}

TokenError TokenService::readClaims(jwt_t *verified, const QString &keyId,
                                    TokenClaims *claims) const
{
    // The claims as libjwt parsed them while it checked the signature over
    // these exact bytes: bytes this console signed. Only typed values are
    // read out; one parse, so no second parser can read them differently.
    const QString issuer = stringClaim(verified, "iss");
    if (m_issuer.isEmpty() || issuer != m_issuer) {
        return TokenError::WrongIssuer;
    }
    if (!audienceMatches(verified, m_audience)) {
        return TokenError::WrongAudience;
    }

    TokenClaims result;
    result.issuer = m_issuer;
    result.audience = m_audience;
    result.keyId = keyId;
    result.subject = stringClaim(verified, "sub");
    result.jti = stringClaim(verified, "jti");
    if (result.subject.isEmpty() || result.jti.isEmpty()) {
        return TokenError::MissingClaim;
    }
    const IntClaim iat = readTime(verified, "iat", &result.issuedAt);
    const IntClaim nbf = readTime(verified, "nbf", &result.notBefore);
    const IntClaim exp = readTime(verified, "exp", &result.expiresAt);
    if (iat == IntClaim::Invalid || nbf == IntClaim::Invalid || exp == IntClaim::Invalid) {
        return TokenError::Malformed;
    }
    if (iat == IntClaim::Missing || nbf == IntClaim::Missing) {
        return TokenError::MissingClaim;
    }

    const QByteArray originsJson = claimJson(verified, "origins");
    if (!originsJson.isEmpty()) {
        // Present means narrowing; an empty list would be read as "none
        // allowed" by some and "no narrowing" by others, so it is refused.
        const QJsonDocument origins = QJsonDocument::fromJson(originsJson);
        if (!origins.isArray() || origins.array().isEmpty()) {
            return TokenError::Malformed;
        }
        for (const QJsonValue &origin : origins.array()) {
            if (!origin.isString()) {
                return TokenError::Malformed;
            }
            result.origins.append(origin.toString());
        }
    }

    if (exp == IntClaim::Present && result.expiresAt <= 0) {
        return TokenError::Expired; // 0 would read as "no expiry" below
    }
    *claims = result;
    return TokenError::None;
}

TokenError TokenService::checkTimes(const TokenClaims &claims, TokenClaims *out) const
{
    const qint64 now = m_clock->nowSecs();
    if (claims.notBefore > now) {
        return TokenError::NotYetValid;
    }
    if (claims.expiresAt > 0 && claims.expiresAt <= now) {
        return TokenError::Expired;
    }
    if (out) {
        *out = claims;
    }
    return TokenError::None;
}

bool TokenService::isValidKioskName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("\\A[A-Za-z0-9._-]{1,64}\\z"));
    return pattern.match(name).hasMatch();
}

} // namespace KioskGate
