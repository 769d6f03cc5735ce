#include "VerifiedTokenCache.h"

#include "Sha256.h"

namespace KioskGate {

QByteArray VerifiedTokenCache::digest(const QByteArray &token)
{
    return sha256(token);
}

bool VerifiedTokenCache::find(const QByteArray &digest, quint64 generation, TokenClaims *claims) const
{
    const std::lock_guard<std::mutex> locker(m_lock);
    const auto it = m_entries.constFind(digest);
    if (it == m_entries.cend() || it->generation != generation)
        return false;
    *claims = it->claims;
    return true;
}

void VerifiedTokenCache::insert(const QByteArray &digest, quint64 generation, const TokenClaims &claims)
{
    const std::lock_guard<std::mutex> locker(m_lock);
    if (m_entries.size() >= Capacity && !m_entries.contains(digest))
        m_entries.clear();
    m_entries.insert(digest, Entry{generation, claims});
}

int VerifiedTokenCache::size() const
{
    const std::lock_guard<std::mutex> locker(m_lock);
    return int(m_entries.size());
}

} // namespace KioskGate
