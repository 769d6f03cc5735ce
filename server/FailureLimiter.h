#pragma once

#include "Clock.h"

#include <QHash>
#include <QString>

namespace KioskGate {

/// A per-address budget of failed handshakes (a token bucket).
///
/// Each address may fail `burst` times at once; the budget refills by one
/// every `refillMs`. An address with an empty budget is refused with 429
/// before its token is even looked at, which makes guessing tokens slow and
/// costs the server nothing. Other addresses are unaffected.
class FailureLimiter
{
public:
    FailureLimiter(const Clock *clock, int burst, qint64 refillMs, int maxTrackedAddresses = 65536);

    /// True if `address` has no budget left; `*retryAfterSecs` then says when
    /// the next attempt will be heard.
    bool isBlocked(const QString &address, int *retryAfterSecs = nullptr);
    /// Spends one unit of `address`'s budget.
    void recordFailure(const QString &address);

    void setLimits(int burst, qint64 refillMs);
    int trackedAddresses() const { return m_buckets.size(); }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    void refill(Bucket &bucket, qint64 nowMs) const;
    void prune(qint64 nowMs);

    const Clock *m_clock;
    int m_burst;
    qint64 m_refillMs;
    int m_maxTracked;
    QHash<QString, Bucket> m_buckets;
};

} // namespace KioskGate
