#pragma once

#include "Authenticator.h"
#include "TokenClaims.h"

#include <QByteArray>
#include <QHash>
#include <QObject>

namespace KioskGate {

class Clock;

/// One-time tickets for the `?ticket=` transport, held in memory on the
/// network thread.
///
/// A ticket is 32 random bytes from OpenSSL, base64url (43 characters). Only
/// its SHA-256 digest is kept, so a memory dump of the store yields nothing
/// that connects. Each ticket is bound to the token's claims (jti, kiosk,
/// exp, origins) and to the Origin that asked for it; it is consumed by its
/// first presentation and dies after Protocol::TicketLifetimeSecs (sooner if
/// the token expires sooner). Outstanding tickets are capped per token and
/// overall; expired ones are swept on a timer.
class TicketStore : public QObject, public TicketRedeemer
{
    Q_OBJECT
public:
    enum class IssueResult { Issued, TooManyForToken, TooManyOverall };

    TicketStore(const Clock *clock, int maxPerToken, int maxTotal, QObject *parent = nullptr);

    /// Makes a ticket for `claims` and `origin`. On Issued, `*ticket` holds
    /// the value (give it to the client, never log it) and `*expiresInSecs`
    /// its remaining life; otherwise `*retryAfterSecs` says when a slot
    /// frees up.
    IssueResult issue(const TokenClaims &claims, const QByteArray &origin, QByteArray *ticket,
                      int *expiresInSecs, int *retryAfterSecs);

    bool redeemTicket(const QByteArray &ticket, const QByteArray &origin, TokenClaims *claims,
                      QString *why) override;

    /// Forgets every ticket of these tokens (revocation).
    int dropForJtis(const QStringList &jtis);
    /// Forgets expired tickets; returns how many.
    int sweep();
    int outstanding() const { return int(m_tickets.size()); }

private:
    struct Entry
    {
        TokenClaims claims;
        QByteArray origin;
        qint64 expiresAtMs = 0;
    };
    QHash<QByteArray, Entry>::iterator remove(QHash<QByteArray, Entry>::iterator it);
    qint64 earliestExpiryMs(const QString *jti) const;

    const Clock *m_clock;
    int m_maxPerToken;
    int m_maxTotal;
    QHash<QByteArray, Entry> m_tickets; // SHA-256(ticket) -> entry
    QHash<QString, int> m_perJti;
};

} // namespace KioskGate
