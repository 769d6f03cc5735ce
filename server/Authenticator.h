#pragma once

#include "Protocol.h"
#include "TokenClaims.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace KioskGate {

class FailureLimiter;
class HttpRequestHead;
class OriginPolicy;
class TokenService;

/// Whether a token's jti is still good, as far as the registry knows.
class TokenStatusLookup
{
public:
    enum class Status { Active, Revoked, Unknown };
    virtual ~TokenStatusLookup() = default;
    virtual Status tokenStatus(const QString &jti) = 0;
};

/// Redeems a one-time ticket for the claims of the token it was made from.
class TicketRedeemer
{
public:
    virtual ~TicketRedeemer() = default;
    /// Consumes `ticket` (any presentation uses it up); false if it is
    /// unknown, used, late, or was issued to another `origin`. `*why` gets
    /// a sub-reason for the log only (the client always sees
    /// "invalid_ticket").
    virtual bool redeemTicket(const QByteArray &ticket, const QByteArray &origin, TokenClaims *claims,
                              QString *why) = 0;
};

/// The verdict on one upgrade request.
struct AuthDecision
{
    bool accepted = false;
    Protocol::Refusal refusal = Protocol::Refusal::MissingToken;
    /// A stable sub-reason for logs and the error body ("expired",
    /// "origin_not_bound_to_token", ...). Never client-supplied text.
    QString detail;
    int retryAfterSecs = 0;
    Protocol::Transport transport = Protocol::Transport::None;
    TokenClaims claims;
    /// The request's Origin header, verbatim; empty for native clients.
    QByteArray origin;
};

/// Decides, from the request head alone, whether a kiosk may upgrade.
///
/// Order matters and is part of the contract (docs/security.md): an address
/// out of failure budget is refused before anything else is looked at; a
/// foreign Origin is refused before its token is verified; every 401 and 403
/// spends the address's budget.
class Authenticator
{
public:
    Authenticator(const TokenService *tokens, TokenStatusLookup *status, FailureLimiter *limiter,
                  const OriginPolicy *origins);

    void setAllowNonBrowserClients(bool allow) { m_allowNonBrowser = allow; }
    void setAllowQueryToken(bool allow) { m_allowQueryToken = allow; }
    void setTicketRedeemer(TicketRedeemer *redeemer) { m_tickets = redeemer; }

    AuthDecision authorize(const HttpRequestHead &head, const QString &address);
    /// The same checks for a plain HTTP request (POST /v1/tickets,
    /// GET /v1/whoami), which may only use the Authorization header: any
    /// other credential is refused with 401 missing_token
    /// (authorization_header_required).
    AuthDecision authorizeHeaderRequest(const HttpRequestHead &head, const QString &address);

private:
    AuthDecision authorizeWith(const HttpRequestHead &head, const QString &address, bool headerOnly);
    AuthDecision decide(const HttpRequestHead &head, bool headerOnly);
    /// Verifies the token (or redeems the ticket) and checks the registry;
    /// fills `decision->claims`, or turns `decision` into a refusal.
    bool resolveClaims(const QByteArray &credential, AuthDecision *decision);

    const TokenService *m_tokens;
    TokenStatusLookup *m_status;
    FailureLimiter *m_limiter;
    const OriginPolicy *m_origins;
    TicketRedeemer *m_tickets = nullptr;
    bool m_allowNonBrowser = true;
    bool m_allowQueryToken = false;
};

} // namespace KioskGate

Q_DECLARE_METATYPE(KioskGate::AuthDecision)
