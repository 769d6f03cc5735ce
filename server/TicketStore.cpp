#include "TicketStore.h"

#include "Clock.h"
#include "Protocol.h"
#include "RandomId.h"
#include "Sha256.h"

#include <QTimer>

namespace KioskGate {

namespace {

constexpr int TicketBytes = 32;
constexpr int SweepIntervalMs = 5000;

// Tickets are looked up by digest: the table never holds a usable value,
// and the hash-table lookup's timing says nothing about a 256-bit preimage.
QByteArray digestOf(const QByteArray &ticket)
{
    return sha256(ticket);
}

} // namespace

TicketStore::TicketStore(const Clock *clock, int maxPerToken, int maxTotal, QObject *parent)
    : QObject(parent), m_clock(clock), m_maxPerToken(maxPerToken), m_maxTotal(maxTotal)
{
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &TicketStore::sweep);
    timer->start(SweepIntervalMs);
}

TicketStore::IssueResult TicketStore::issue(const TokenClaims &claims, const QByteArray &origin,
                                            QByteArray *ticket, int *expiresInSecs, int *retryAfterSecs)
{
    sweep();
    const qint64 now = m_clock->nowMs();
    auto retryAfter = [now](qint64 freeAtMs) { return int(qMax<qint64>(1, (freeAtMs - now + 999) / 1000)); };
    if (m_perJti.value(claims.jti) >= m_maxPerToken) {
        *retryAfterSecs = retryAfter(earliestExpiryMs(&claims.jti));
        return IssueResult::TooManyForToken;
    }
    if (m_tickets.size() >= m_maxTotal) {
        *retryAfterSecs = retryAfter(earliestExpiryMs(nullptr));
        return IssueResult::TooManyOverall;
    }
    Entry entry;
    entry.claims = claims;
    entry.origin = origin;
    entry.expiresAtMs = now + qint64(Protocol::TicketLifetimeSecs) * 1000;
    // A ticket never outlives its token.
    if (claims.expiresAt > 0)
        entry.expiresAtMs = qMin(entry.expiresAtMs, claims.expiresAt * 1000);
    const QByteArray value = RandomId::bytes(TicketBytes).toBase64(QByteArray::Base64UrlEncoding
                                                                   | QByteArray::OmitTrailingEquals);
    *expiresInSecs = int(qMax<qint64>(1, (entry.expiresAtMs - now) / 1000));
    m_tickets.insert(digestOf(value), entry);
    ++m_perJti[claims.jti];
    *ticket = value;
    return IssueResult::Issued;
}

bool TicketStore::redeemTicket(const QByteArray &ticket, const QByteArray &origin, TokenClaims *claims,
                               QString *why)
{
    const auto it = m_tickets.find(digestOf(ticket));
    if (it == m_tickets.end()) {
        *why = QStringLiteral("unknown_or_used");
        return false;
    }
    // Single use: whatever happens next, this ticket is gone.
    const Entry entry = it.value();
    remove(it);
    if (m_clock->nowMs() >= entry.expiresAtMs) {
        *why = QStringLiteral("expired");
        return false;
    }
    if (entry.origin != origin) {
        *why = QStringLiteral("origin_mismatch");
        return false;
    }
    *claims = entry.claims;
    return true;
}

int TicketStore::dropForJtis(const QStringList &jtis)
{
    int dropped = 0;
    for (auto it = m_tickets.begin(); it != m_tickets.end();) {
        if (jtis.contains(it->claims.jti)) {
            it = remove(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    return dropped;
}

int TicketStore::sweep()
{
    const qint64 now = m_clock->nowMs();
    int swept = 0;
    for (auto it = m_tickets.begin(); it != m_tickets.end();) {
        if (now >= it->expiresAtMs) {
            it = remove(it);
            ++swept;
        } else {
            ++it;
        }
    }
    return swept;
}

QHash<QByteArray, TicketStore::Entry>::iterator TicketStore::remove(QHash<QByteArray, Entry>::iterator it)
{
    const QString jti = it->claims.jti;
    auto count = m_perJti.find(jti);
    if (count != m_perJti.end() && --count.value() <= 0)
        m_perJti.erase(count);
    // Qt 6's QHash may move other entries on erase: continue from its answer.
    return m_tickets.erase(it);
}

qint64 TicketStore::earliestExpiryMs(const QString *jti) const
{
    qint64 earliest = m_clock->nowMs() + qint64(Protocol::TicketLifetimeSecs) * 1000;
    for (const Entry &entry : m_tickets) {
        if (!jti || entry.claims.jti == *jti)
            earliest = qMin(earliest, entry.expiresAtMs);
    }
    return earliest;
}

} // namespace KioskGate
