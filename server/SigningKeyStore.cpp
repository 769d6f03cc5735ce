#include "SigningKeyStore.h"

#include "Clock.h"
#include "Logging.h"
#include "SecretStore.h"
#include "SigningKeyRing.h"
#include "TokenRegistry.h"

namespace KioskGate {

namespace {
constexpr int KeyBytes = 32; // HS256 wants a 256-bit key
}

SigningKeyStore::SigningKeyStore(SecretStore *secrets, TokenRegistry *registry, SigningKeyRing *ring,
                                 const Clock *clock)
    : m_secrets(secrets), m_registry(registry), m_ring(ring), m_clock(clock)
{
}

QString SigningKeyStore::secretName(const QString &keyId) const
{
    return QStringLiteral("instance/%1/signing-key/%2").arg(m_registry->instanceId(), keyId);
}

bool SigningKeyStore::createKey(QString *keyId, QString *error)
{
    const QString kid = SigningKeyRing::generateKeyId();
    const QByteArray key = SigningKeyRing::generateKey();
    // Secret first, id second: a crash in between leaves an unused secret,
    // never an id whose key is missing.
    if (!m_secrets->write(secretName(kid), key, error))
        return false;
    if (!m_registry->addKeyId(kid, m_clock->nowSecs(), error))
        return false;
    m_ring->addKey(kid, key);
    m_ring->setCurrentKeyId(kid);
    qCInfo(lcSecrets).noquote() << "created signing key" << kid << "in" << m_secrets->backendName();
    *keyId = kid;
    return true;
}

bool SigningKeyStore::load(QString *error)
{
    QStringList kids;
    QString current;
    if (!m_registry->activeKeyIds(&kids, &current, error))
        return false;
    if (kids.isEmpty()) {
        QString kid;
        return createKey(&kid, error);
    }
    for (const QString &kid : kids) {
        QByteArray key;
        bool found = false;
        if (!m_secrets->read(secretName(kid), &key, &found, error))
            return false;
        if (!found || key.size() != KeyBytes) {
            if (error) {
                *error = QStringLiteral(
                             "the token signing key %1 is %2 in %3, so the tokens it signed cannot "
                             "be verified. If the keychain was reset or this data directory was "
                             "copied from another machine, run `kioskgate keys rotate --retire-old` "
                             "to create a new key and revoke those tokens, then issue new ones.")
                             .arg(kid, found ? QStringLiteral("damaged") : QStringLiteral("missing"),
                                  m_secrets->backendName());
            }
            return false;
        }
        m_ring->addKey(kid, key);
    }
    m_ring->setCurrentKeyId(current.isEmpty() ? kids.last() : current);
    return true;
}

bool SigningKeyStore::rotate(bool retireOld, QString *newKeyId, QStringList *revokedJtis, QString *error)
{
    QStringList oldKids;
    QString current;
    if (!m_registry->activeKeyIds(&oldKids, &current, error))
        return false;
    if (!createKey(newKeyId, error))
        return false;
    if (!retireOld)
        return true;
    QStringList jtis;
    if (!m_registry->revokeByKeyIds(oldKids, m_clock->nowSecs(), QStringLiteral("signing key retired"),
                                    &jtis, error)
        || !m_registry->retireKeyIds(oldKids, m_clock->nowSecs(), error))
        return false;
    for (const QString &kid : oldKids) {
        m_ring->removeKey(kid);
        QString removeError;
        if (!m_secrets->remove(secretName(kid), &removeError))
            qCWarning(lcSecrets).noquote() << "retired key" << kid << "could not be deleted:" << removeError;
    }
    qCInfo(lcSecrets).noquote() << "retired" << oldKids.size() << "signing key(s), revoked"
                                << jtis.size() << "token(s)";
    if (revokedJtis)
        *revokedJtis = jtis;
    return true;
}

} // namespace KioskGate
