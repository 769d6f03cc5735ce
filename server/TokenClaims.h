#pragma once

#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace KioskGate {

/// The claims of a console-issued token, as issued or as verified.
struct TokenClaims
{
    /// `iss`: the console that issued the token.
    QString issuer;
    /// `aud`: who the token is for (when a token carries an array, the
    /// verified audience is ours).
    QString audience;
    /// `sub`: the kiosk's name.
    QString subject;
    /// `jti`: the token's unique id, the registry's key for revocation.
    QString jti;
    /// The header `kid`: the id of the signing key.
    QString keyId;
    /// `iat`, seconds since the Unix epoch.
    qint64 issuedAt = 0;
    /// `nbf`, seconds since the Unix epoch.
    qint64 notBefore = 0;
    /// `exp`, seconds since the Unix epoch; 0 = the token has no expiry.
    qint64 expiresAt = 0;
    /// `origins`: the browser origins this token may connect from; empty =
    /// no per-token narrowing (the server's allowed origins still apply).
    QStringList origins;
};

} // namespace KioskGate
