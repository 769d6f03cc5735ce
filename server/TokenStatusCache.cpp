#include "TokenStatusCache.h"

#include "Logging.h"
#include "TokenRegistry.h"

#include <QTimer>

namespace KioskGate {

namespace {
constexpr int FlushIntervalMs = 2000;
// Bounds the cache; a registry of this many tokens is far beyond a fleet.
constexpr int MaxCachedStatuses = 200000;
} // namespace

TokenStatusCache::TokenStatusCache(TokenRegistry *registry, QObject *parent)
    : QObject(parent), m_registry(registry)
{
    // Known from the start: after a restart every kiosk reconnects at once,
    // and a lookup per token (10,000 SELECTs) was a third of the server's
    // work per handshake then.
    QList<std::pair<QString, bool>> revokedByJti;
    QString error;
    if (!m_registry->tokenRevocations(&revokedByJti, &error)) {
        qCWarning(lcAuth).noquote()
            << "cannot read the tokens' states ahead (looked up one by one):" << error;
    } else if (revokedByJti.size() <= MaxCachedStatuses) {
        m_status.reserve(revokedByJti.size());
        for (const auto &[jti, revoked] : std::as_const(revokedByJti))
            m_status.insert(jti, revoked ? Status::Revoked : Status::Active);
    }
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &TokenStatusCache::flush);
    timer->start(FlushIntervalMs);
}

TokenStatusLookup::Status TokenStatusCache::tokenStatus(const QString &jti)
{
    const auto cached = m_status.constFind(jti);
    if (cached != m_status.cend())
        return *cached;
    TokenRecord record;
    bool found = false;
    QString error;
    if (!m_registry->findToken(jti, &record, &found, &error)) {
        // Fail closed: a registry we cannot read admits nobody.
        qCWarning(lcAuth).noquote() << "token lookup failed:" << error;
        return Status::Unknown;
    }
    // Unknown jtis are not cached: the control thread may have issued the
    // token a moment ago through its own connection.
    if (!found)
        return Status::Unknown;
    const Status status = record.isRevoked() ? Status::Revoked : Status::Active;
    if (m_status.size() >= MaxCachedStatuses)
        m_status.clear();
    m_status.insert(jti, status);
    return status;
}

void TokenStatusCache::markRevoked(const QStringList &jtis)
{
    for (const QString &jti : jtis)
        m_status.insert(jti, Status::Revoked);
}

void TokenStatusCache::recordUse(const QString &jti, const QString &address, qint64 atSecs)
{
    m_pendingUses.insert(jti, TokenUse{atSecs, address});
}

void TokenStatusCache::flush()
{
    if (m_pendingUses.isEmpty())
        return;
    QString error;
    if (!m_registry->recordUses(m_pendingUses, &error)) {
        qCWarning(lcTokens).noquote() << "cannot record token use (will retry):" << error;
        return;
    }
    m_pendingUses.clear();
}

} // namespace KioskGate
