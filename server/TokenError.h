#pragma once

#include <QString>

namespace KioskGate {

/// Why a token was refused. Each value has a stable code (tokenErrorCode())
/// that goes into HTTP error bodies and logs; never change a code once
/// shipped.
enum class TokenError {
    /// The token verified. Code "ok".
    None,
    /// Not a well-formed compact JWT: too long, characters outside
    /// base64url and '.', not three segments, header or payload not exactly
    /// one JSON object (nothing after it, no NUL byte), `iat`/`nbf`/`exp` not integers, `origins` not an array of
    /// strings, or an `alg` libjwt cannot parse at all (e.g. "PS256").
    /// Code "malformed".
    Malformed,
    /// The header `alg` is not exactly "HS256" (e.g. "none", "HS512",
    /// "RS256"): refused before any key is used. Code "unsupported_alg".
    UnsupportedAlgorithm,
    /// The header has no `kid`, or names a key that is not in the ring
    /// (never existed, or retired by a rotation). Code "unknown_kid".
    UnknownKeyId,
    /// The signature does not match the named key. Code "bad_signature".
    BadSignature,
    /// `exp` is at or before the current time. Code "expired".
    Expired,
    /// `nbf` is after the current time. Code "not_yet_valid".
    NotYetValid,
    /// `iss` is missing or is not this console. Code "wrong_issuer".
    WrongIssuer,
    /// `aud` is missing, or neither equals nor contains this console's
    /// audience. Code "wrong_audience".
    WrongAudience,
    /// `sub` or `jti` is missing, empty or not a string, or `iat` or `nbf`
    /// is missing.
    /// Code "missing_claim".
    MissingClaim,
};

/// The stable snake_case code of `error`, for HTTP error bodies and logs.
inline QString tokenErrorCode(TokenError error)
{
    switch (error) {
    case TokenError::None:
        return QStringLiteral("ok");
    case TokenError::Malformed:
        return QStringLiteral("malformed");
    case TokenError::UnsupportedAlgorithm:
        return QStringLiteral("unsupported_alg");
    case TokenError::UnknownKeyId:
        return QStringLiteral("unknown_kid");
    case TokenError::BadSignature:
        return QStringLiteral("bad_signature");
    case TokenError::Expired:
        return QStringLiteral("expired");
    case TokenError::NotYetValid:
        return QStringLiteral("not_yet_valid");
    case TokenError::WrongIssuer:
        return QStringLiteral("wrong_issuer");
    case TokenError::WrongAudience:
        return QStringLiteral("wrong_audience");
    case TokenError::MissingClaim:
        return QStringLiteral("missing_claim");
    }
    // Only reachable with a value cast from outside the enum.
    return QStringLiteral("malformed");
}

} // namespace KioskGate
