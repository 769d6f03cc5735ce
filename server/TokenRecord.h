#pragma once

#include <QString>
#include <QStringList>

namespace KioskGate {

/// What the registry keeps about an issued token. Never the token itself:
/// it is shown once, at issuance, and cannot be recovered from here.
struct TokenRecord
{
    QString jti;
    QString kiosk;
    QString keyId;
    QStringList origins;
    qint64 created = 0;  ///< seconds since epoch
    qint64 expires = 0;  ///< 0 = never
    qint64 revoked = 0;  ///< 0 = not revoked
    QString revokeReason;
    qint64 lastUsed = 0; ///< last accepted handshake; 0 = never
    QString lastAddress;

    bool isRevoked() const { return revoked != 0; }
    bool isExpired(qint64 nowSecs) const { return expires != 0 && expires <= nowSecs; }
    /// "active", "revoked" or "expired".
    QString state(qint64 nowSecs) const;
};

/// The use of a token by an accepted handshake, batched into the registry.
struct TokenUse
{
    qint64 at = 0;
    QString address;
};

} // namespace KioskGate
