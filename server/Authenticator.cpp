#include "Authenticator.h"

#include "FailureLimiter.h"
#include "HttpRequestHead.h"
#include "Logging.h"
#include "OriginPolicy.h"
#include "TokenError.h"
#include "TokenExtractor.h"
#include "TokenService.h"

namespace KioskGate {

using Protocol::Refusal;
using Protocol::Transport;

namespace {

AuthDecision refuse(AuthDecision decision, Refusal refusal, const QString &detail = {})
{
    decision.accepted = false;
    decision.refusal = refusal;
    decision.detail = detail;
    return decision;
}

} // namespace

Authenticator::Authenticator(const TokenService *tokens, TokenStatusLookup *status,
                             FailureLimiter *limiter, const OriginPolicy *origins)
    : m_tokens(tokens), m_status(status), m_limiter(limiter), m_origins(origins)
{
}

AuthDecision Authenticator::authorize(const HttpRequestHead &head, const QString &address)
{
    return authorizeWith(head, address, false);
}

AuthDecision Authenticator::authorizeHeaderRequest(const HttpRequestHead &head, const QString &address)
{
    return authorizeWith(head, address, true);
}

AuthDecision Authenticator::authorizeWith(const HttpRequestHead &head, const QString &address,
                                          bool headerOnly)
{
    int retryAfter = 0;
    if (m_limiter->isBlocked(address, &retryAfter)) {
        AuthDecision blocked = refuse({}, Refusal::TooManyFailures);
        blocked.retryAfterSecs = retryAfter;
        return blocked;
    }
    AuthDecision decision = decide(head, headerOnly);
    if (!decision.accepted && Protocol::countsAsFailure(decision.refusal))
        m_limiter->recordFailure(address);
    return decision;
}

AuthDecision Authenticator::decide(const HttpRequestHead &head, bool headerOnly)
{
    AuthDecision decision;
    if (head.headerCount("origin") > 1)
        return refuse(decision, Refusal::MalformedRequest, QStringLiteral("repeated_origin"));
    decision.origin = head.header("origin");

    const ExtractedToken credential = TokenExtractor::extract(head, m_allowQueryToken);
    decision.transport = credential.transport;
    if (!credential.ok)
        return refuse(decision, credential.refusal, credential.detail);
    if (headerOnly && credential.transport != Transport::Header)
        return refuse(decision, Refusal::MissingToken, QStringLiteral("authorization_header_required"));

    if (decision.origin.isEmpty()) {
        // Browsers always send Origin on a WebSocket handshake; a request
        // without one is a native client, which can send the header.
        if (credential.transport != Transport::Header)
            return refuse(decision, Refusal::OriginRequired);
        if (!m_allowNonBrowser)
            return refuse(decision, Refusal::NonBrowserDisabled);
    } else if (!m_origins->isAllowed(decision.origin)) {
        return refuse(decision, Refusal::OriginNotAllowed);
    }

    if (!resolveClaims(credential.value, &decision))
        return decision;

    if (!decision.claims.origins.isEmpty()) {
        if (decision.origin.isEmpty())
            return refuse(decision, Refusal::OriginRequired, QStringLiteral("token_bound_to_origins"));
        if (!m_origins->isAllowedForToken(decision.origin, decision.claims.origins))
            return refuse(decision, Refusal::OriginNotAllowed, QStringLiteral("origin_not_bound_to_token"));
    }
    decision.accepted = true;
    return decision;
}

bool Authenticator::resolveClaims(const QByteArray &credential, AuthDecision *decision)
{
    TokenClaims claims;
    if (decision->transport == Transport::Ticket) {
        QString why;
        if (!m_tickets || !m_tickets->redeemTicket(credential, decision->origin, &claims, &why)) {
            // One reason for the client whatever went wrong, so a ticket
            // thief learns nothing; the log line below keeps the detail.
            qCInfo(lcAuth).noquote() << "ticket refused:" << (why.isEmpty() ? QStringLiteral("unknown") : why);
            *decision = refuse(*decision, Refusal::InvalidToken, QStringLiteral("invalid_ticket"));
            return false;
        }
    } else {
        const TokenError error = m_tokens->verify(credential, &claims);
        if (error != TokenError::None) {
            *decision = refuse(*decision, Refusal::InvalidToken, tokenErrorCode(error));
            return false;
        }
    }
    switch (m_status->tokenStatus(claims.jti)) {
    case TokenStatusLookup::Status::Active:
        break;
    case TokenStatusLookup::Status::Revoked:
        *decision = refuse(*decision, Refusal::RevokedToken, QStringLiteral("revoked"));
        return false;
    case TokenStatusLookup::Status::Unknown:
        *decision = refuse(*decision, Refusal::RevokedToken, QStringLiteral("unknown_token"));
        return false;
    }
    decision->claims = claims;
    return true;
}

} // namespace KioskGate
