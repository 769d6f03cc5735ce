#pragma once

#include <QString>
#include <QStringList>

namespace KioskGate {

class Clock;
class SecretStore;
class SigningKeyRing;
class TokenRegistry;

/// Keeps the token signing keys: the key material in the SecretStore (the
/// OS keychain), the key ids in the registry, the live copy in the
/// SigningKeyRing the network thread verifies with.
///
/// Runs on the control thread, where the keychain answers.
class SigningKeyStore
{
public:
    SigningKeyStore(SecretStore *secrets, TokenRegistry *registry, SigningKeyRing *ring,
                    const Clock *clock);

    /// Loads every active key into the ring, creating the first one on a new
    /// data directory. Fails loudly if a recorded key is missing from the
    /// store: tokens signed with it could no longer be verified.
    bool load(QString *error);

    /// Makes a new current key. With `retireOld`, every older key is deleted
    /// and the tokens it signed are revoked (their ids go to
    /// `*revokedJtis`), which is also the way out when a key was lost.
    bool rotate(bool retireOld, QString *newKeyId, QStringList *revokedJtis, QString *error);

    /// The keychain entry name of a key: unique per data directory, so
    /// several instances (and test runs) never see each other's keys.
    QString secretName(const QString &keyId) const;

private:
    bool createKey(QString *keyId, QString *error);

    SecretStore *m_secrets;
    TokenRegistry *m_registry;
    SigningKeyRing *m_ring;
    const Clock *m_clock;
};

} // namespace KioskGate
