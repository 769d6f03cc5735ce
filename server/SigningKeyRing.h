#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <atomic>
#include <shared_mutex>

namespace KioskGate {

/// The HMAC keys that sign and verify console-issued tokens, each named by a
/// key id (the JWT header `kid`). One key is current and signs new tokens;
/// older keys stay in the ring so that their tokens keep verifying until the
/// key is removed, which retires all of them at once.
///
/// Thread-safe: the network thread verifies while the control thread rotates.
class SigningKeyRing
{
public:
    /// Size of a generated key: 256 bits, matching HS256's output size.
    static constexpr int KeyBytes = 32;

    SigningKeyRing() = default;
    SigningKeyRing(const SigningKeyRing &) = delete;
    SigningKeyRing &operator=(const SigningKeyRing &) = delete;

    /// Adds `key` under `kid`, replacing any key already named `kid`.
    /// An empty `kid` or an empty `key` is ignored: it could never verify.
    void addKey(const QString &kid, const QByteArray &key);

    /// Removes the key named `kid`; tokens signed with it no longer verify.
    /// Removing the current key leaves the ring without a current key.
    /// Returns false if there was no such key.
    bool removeKey(const QString &kid);

    /// Makes `kid` the key that signs new tokens. It should name a key in the
    /// ring; if it does not, issuing fails until it does. An empty `kid`
    /// clears the current key.
    void setCurrentKeyId(const QString &kid);

    /// The id of the key that signs new tokens, or an empty string.
    QString currentKeyId() const;

    /// Copies the key named `kid` to `*out`. Returns false if there is none.
    bool key(const QString &kid, QByteArray *out) const;

    /// Reads the current key id and its key in one step, so a rotation in
    /// between cannot pair an id with another key. Returns false if there is
    /// no current key or it is not in the ring.
    bool currentKey(QString *kid, QByteArray *out) const;

    /// Changes whenever a key is added, replaced or removed: whatever was
    /// verified under an older generation must be verified again.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }

    /// The ids of all keys in the ring, sorted.
    QStringList keyIds() const;

    /// A new random key of KeyBytes bytes from OpenSSL's CSPRNG. Aborts the
    /// process if the CSPRNG fails: there is no safe fallback for a key.
    static QByteArray generateKey();

    /// A new random key id: 12 lowercase hex characters (48 bits), URL-safe.
    static QString generateKeyId();

private:
    // std::shared_mutex rather than QReadWriteLock: it is a pthread rwlock,
    // which ThreadSanitizer sees, so the tsan preset can check the ring
    // (Debian's Qt is not instrumented, so QReadWriteLock's fast path is
    // invisible to it).
    mutable std::shared_mutex m_lock;
    QMap<QString, QByteArray> m_keys;
    QString m_currentKeyId;
    std::atomic<quint64> m_generation{0};
};

} // namespace KioskGate
