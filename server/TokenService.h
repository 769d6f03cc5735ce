#pragma once

#include "Clock.h"
#include "SigningKeyRing.h"
#include "TokenClaims.h"
#include "TokenError.h"
#include "VerifiedTokenCache.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

struct jwt;
using jwt_t = struct jwt; // libjwt's handle, as <jwt.h> names it

namespace KioskGate {

/// What the operator asks for when issuing a kiosk token.
struct TokenRequest
{
    /// The kiosk's name, the token's `sub`: 1 to 64 of [A-Za-z0-9._-].
    QString kiosk;
    /// Seconds until `exp`; 0 = the token does not expire.
    qint64 lifetimeSecs = 0;
    /// Origins the token may connect from, each serialized as a browser
    /// sends it ("https://kiosk.example", "http://10.0.0.5:8080"); empty =
    /// no per-token narrowing.
    QStringList origins;
};

/// A freshly issued token. The token itself is shown once and never stored
/// or logged; the claims are what the registry keeps.
struct IssuedToken
{
    QByteArray token;
    TokenClaims claims;
};

/// Issues and verifies the console's kiosk tokens: compact JWTs, HS256,
/// signed with the key ring's current key and naming it in the `kid` header.
///
/// Verification pins everything: the algorithm must be exactly HS256 (no
/// "none", no other HMAC, no asymmetric algorithm to confuse the HMAC key
/// with a public key), the key must come from the ring by `kid`, and issuer,
/// audience, subject, id and times must all check out. There is no leeway:
/// the console issues and verifies with its own clock.
///
/// Thread-safe: both methods are const and the ring locks internally.
class TokenService
{
public:
    /// Longest token verify() looks at, and issue() produces.
    static constexpr int MaxTokenBytes = 4096;
    /// 1 to 64 of [A-Za-z0-9._-].
    static bool isValidKioskName(const QString &name);
    /// Longest lifetime a request may ask for: ten years.
    static constexpr qint64 MaxLifetimeSecs = 10LL * 365 * 24 * 3600;
    /// Most origins one token may carry.
    static constexpr int MaxOrigins = 32;

    /// `keys` and `clock` must outlive the service. `issuer` and `audience`
    /// become the `iss` and `aud` of issued tokens and are required of
    /// verified ones; both must be non-empty for issue() to succeed.
    TokenService(const SigningKeyRing *keys, const Clock *clock, QString issuer, QString audience);

    /// Issues a token for `request`, signed with the ring's current key.
    /// On failure returns false, leaves `*out` untouched and says why in
    /// `*error` (an invalid request, or no current signing key).
    bool issue(const TokenRequest &request, IssuedToken *out, QString *error) const;

    /// Verifies `token` and, on success (TokenError::None), fills `*claims`.
    /// On failure `*claims` is untouched.
    /// A token verified before (same bytes, same key ring generation) is
    /// taken from a cache of verified claims and only its times are checked
    /// again (see VerifiedTokenCache).
    TokenError verify(const QByteArray &token, TokenClaims *claims) const;

    /// How many verified tokens the cache holds, for tests.
    int cachedTokenCount() const { return m_verified.size(); }

private:
    /// Everything but the times: the claims as verified, whenever.
    TokenError readClaims(jwt_t *verified, const QString &keyId, TokenClaims *claims) const;
    /// nbf and exp against the clock; fills `*out` (if any) when they pass.
    TokenError checkTimes(const TokenClaims &claims, TokenClaims *out) const;
    TokenError verifyUncached(const QByteArray &token, TokenClaims *claims) const;

    const SigningKeyRing *m_keys;
    const Clock *m_clock;
    QString m_issuer;
    QString m_audience;
    mutable VerifiedTokenCache m_verified; // a cache: verify() stays logically const
};

} // namespace KioskGate
