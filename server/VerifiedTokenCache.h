#pragma once

#include "TokenClaims.h"

#include <QByteArray>
#include <QHash>

#include <mutex>

namespace KioskGate {

/// The claims of tokens whose signature and claims TokenService::verify()
/// has already checked, by the SHA-256 of the token's exact bytes.
///
/// Why: every kiosk of a fleet presents the same token again on each
/// reconnect, and a full verification (a pre-check of the header, then
/// libjwt's base64, JSON and HMAC: 7.6 us, a hit 0.65 us, by
/// `kioskgate-verifybench`) is a seventh of a handshake's server CPU. A hit still gets the time
/// checks (nbf, exp) against the clock; an entry is used only under the key
/// ring generation it was verified with, so removing or replacing a key
/// retires its cached tokens at once. Revocation is not the cache's
/// business: the registry is asked after verification either way.
///
/// Only verified tokens get in, so a client cannot fill it; at Capacity it
/// starts over. Capacity holds a fleet of that many kiosks, each with a
/// token of its own (about 0.4 KiB each): at 4,096 a fleet of 10,000 had
/// it start over again and again while it reconnected, and every
/// handshake paid the full verification. Keyed by digest, not by the token: the table compares
/// digests, never token bytes. Thread-safe.
class VerifiedTokenCache
{
public:
    static constexpr int Capacity = 65536;

    static QByteArray digest(const QByteArray &token);

    /// The claims cached for `digest` under `generation`, if any.
    bool find(const QByteArray &digest, quint64 generation, TokenClaims *claims) const;
    void insert(const QByteArray &digest, quint64 generation, const TokenClaims &claims);
    int size() const;

private:
    struct Entry
    {
        quint64 generation = 0;
        TokenClaims claims;
    };
    mutable std::mutex m_lock;
    QHash<QByteArray, Entry> m_entries;
};

} // namespace KioskGate
