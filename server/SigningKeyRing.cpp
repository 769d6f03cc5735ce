#include "SigningKeyRing.h"

#include <mutex>
#include <shared_mutex>
#include <openssl/rand.h>

namespace KioskGate {

namespace {

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), size) != 1) {
        // A predictable key or id would silently undo every token's security.
        qFatal("KioskGate: OpenSSL RAND_bytes failed; refusing to continue without a CSPRNG");
    }
    return bytes;
}

} // namespace

void SigningKeyRing::addKey(const QString &kid, const QByteArray &key)
{
    if (kid.isEmpty() || key.isEmpty()) {
        return;
    }
    const std::unique_lock<std::shared_mutex> locker(m_lock);
    m_keys.insert(kid, key);
    m_generation.fetch_add(1, std::memory_order_acq_rel);
}

bool SigningKeyRing::removeKey(const QString &kid)
{
    const std::unique_lock<std::shared_mutex> locker(m_lock);
    if (m_keys.remove(kid) == 0) {
        return false;
    }
    m_generation.fetch_add(1, std::memory_order_acq_rel);
    if (m_currentKeyId == kid) {
        m_currentKeyId.clear();
    }
    return true;
}

void SigningKeyRing::setCurrentKeyId(const QString &kid)
{
    const std::unique_lock<std::shared_mutex> locker(m_lock);
    m_currentKeyId = kid;
}

QString SigningKeyRing::currentKeyId() const
{
    const std::shared_lock<std::shared_mutex> locker(m_lock);
    return m_currentKeyId;
}

bool SigningKeyRing::key(const QString &kid, QByteArray *out) const
{
    const std::shared_lock<std::shared_mutex> locker(m_lock);
    const auto it = m_keys.constFind(kid);
    if (it == m_keys.constEnd()) {
        return false;
    }
    if (out) {
        *out = it.value();
    }
    return true;
}

bool SigningKeyRing::currentKey(QString *kid, QByteArray *out) const
{
    const std::shared_lock<std::shared_mutex> locker(m_lock);
    const auto it = m_keys.constFind(m_currentKeyId);
    if (m_currentKeyId.isEmpty() || it == m_keys.constEnd()) {
        return false;
    }
    if (kid) {
        *kid = m_currentKeyId;
    }
    if (out) {
        *out = it.value();
    }
    return true;
}

QStringList SigningKeyRing::keyIds() const
{
    const std::shared_lock<std::shared_mutex> locker(m_lock);
    return m_keys.keys();
}

QByteArray SigningKeyRing::generateKey()
{
    return randomBytes(KeyBytes);
}

QString SigningKeyRing::generateKeyId()
{
    return QString::fromLatin1(randomBytes(6).toHex());
}

} // namespace KioskGate
