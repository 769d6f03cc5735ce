#include "FailureLimiter.h"

#include <QtMath>

namespace KioskGate {

FailureLimiter::FailureLimiter(const Clock *clock, int burst, qint64 refillMs, int maxTrackedAddresses)
    : m_clock(clock), m_burst(qMax(1, burst)), m_refillMs(qMax<qint64>(1, refillMs)),
      m_maxTracked(qMax(1, maxTrackedAddresses))
{
}

void FailureLimiter::setLimits(int burst, qint64 refillMs)
{
    m_burst = qMax(1, burst);
    m_refillMs = qMax<qint64>(1, refillMs);
}

void FailureLimiter::refill(Bucket &bucket, qint64 nowMs) const
{
    const qint64 elapsed = qMax<qint64>(0, nowMs - bucket.updatedMs);
    bucket.tokens = qMin<double>(m_burst, bucket.tokens + double(elapsed) / double(m_refillMs));
    bucket.updatedMs = nowMs;
}

bool FailureLimiter::isBlocked(const QString &address, int *retryAfterSecs)
{
    auto it = m_buckets.find(address);
    if (it == m_buckets.end())
        return false;
    const qint64 now = m_clock->nowMs();
    refill(*it, now);
    if (it->tokens >= 1.0)
        return false;
    if (retryAfterSecs) {
        const double msToNext = (1.0 - it->tokens) * double(m_refillMs);
        *retryAfterSecs = qMax(1, int(qCeil(msToNext / 1000.0)));
    }
    return true;
}

void FailureLimiter::recordFailure(const QString &address)
{
    const qint64 now = m_clock->nowMs();
    auto it = m_buckets.find(address);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxTracked)
            prune(now);
        it = m_buckets.insert(address, Bucket{double(m_burst), now});
    }
    refill(*it, now);
    it->tokens = qMax(0.0, it->tokens - 1.0);
}

void FailureLimiter::prune(qint64 nowMs)
{
    // Forget addresses whose budget is full again: they carry no state.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        refill(*it, nowMs);
        it = it->tokens >= m_burst ? m_buckets.erase(it) : std::next(it);
    }
    // Still full: failures from more addresses than we track. Memory stays
    // bounded; the price is that those addresses get their budget back.
    if (m_buckets.size() >= m_maxTracked)
        m_buckets.clear();
}

} // namespace KioskGate
