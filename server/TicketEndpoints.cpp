#include "TicketEndpoints.h"

#include "Authenticator.h"
#include "Clock.h"
#include "Logging.h"
#include "OriginPolicy.h"
#include "TicketStore.h"

#include <QDateTime>
#include <QJsonObject>

namespace KioskGate {

using Protocol::Refusal;

namespace {

// How long a browser may cache a preflight answer.
constexpr char PreflightMaxAgeSecs[] = "600";

QJsonValue nullable(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

TicketEndpoints::TicketEndpoints(Authenticator *authenticator, TicketStore *tickets,
                                 const OriginPolicy *origins, const Clock *clock, QObject *parent)
    : QObject(parent), m_authenticator(authenticator), m_tickets(tickets), m_origins(origins), m_clock(clock)
{
}

void TicketEndpoints::install(HandshakeGate *gate)
{
    using namespace Protocol;
    gate->addRoute("POST", TicketsPath, [this](const HttpRequestHead &head, const QString &address) {
        return issueTicket(head, address);
    });
    gate->addRoute("OPTIONS", TicketsPath, [this](const HttpRequestHead &head, const QString &address) {
        return preflight(head, address, TicketsPath, "POST", "POST, OPTIONS");
    });
    gate->addGetRoute(WhoamiPath, [this](const HttpRequestHead &head, const QString &address) {
        return whoami(head, address);
    });
    gate->addRoute("OPTIONS", WhoamiPath, [this](const HttpRequestHead &head, const QString &address) {
        return preflight(head, address, WhoamiPath, "GET, HEAD", "GET, HEAD, OPTIONS");
    });
}

HttpResponse TicketEndpoints::issueTicket(const HttpRequestHead &head, const QString &address)
{
    const AuthDecision decision = m_authenticator->authorizeHeaderRequest(head, address);
    if (!decision.accepted)
        return refuse(head, address, Protocol::TicketsPath, decision);
    // A ticket is bound to the Origin that asked for it, and the ticket
    // transport needs an Origin: without one it could never be redeemed.
    if (decision.origin.isEmpty()) {
        return refuse(head, address, Protocol::TicketsPath, Refusal::OriginRequired,
                      QStringLiteral("ticket_requires_origin"), 1, decision.transport);
    }

    QByteArray ticket;
    int expiresIn = 0;
    int retryAfter = 1;
    switch (m_tickets->issue(decision.claims, decision.origin, &ticket, &expiresIn, &retryAfter)) {
    case TicketStore::IssueResult::Issued:
        break;
    case TicketStore::IssueResult::TooManyForToken:
        return refuse(head, address, Protocol::TicketsPath, Refusal::TooManyTickets, {}, retryAfter,
                      decision.transport);
    case TicketStore::IssueResult::TooManyOverall:
        return refuse(head, address, Protocol::TicketsPath, Refusal::ServerFull,
                      QStringLiteral("too_many_tickets"), retryAfter, decision.transport);
    }
    qCInfo(lcAuth).noquote() << "ticket issued for kiosk" << decision.claims.subject << "jti"
                             << decision.claims.jti << "origin" << sanitizedOrigin(decision.origin)
                             << "from" << address;
    HttpResponse response(200);
    response.setJsonBody({{QStringLiteral("ticket"), QString::fromLatin1(ticket)},
                          {QStringLiteral("expiresIn"), expiresIn}});
    addCors(head, &response);
    return response;
}

HttpResponse TicketEndpoints::whoami(const HttpRequestHead &head, const QString &address)
{
    const AuthDecision decision = m_authenticator->authorizeHeaderRequest(head, address);
    if (!decision.accepted)
        return refuse(head, address, Protocol::WhoamiPath, decision);
    const TokenClaims &claims = decision.claims;
    const QString expiresAt = claims.expiresAt > 0
        ? QDateTime::fromSecsSinceEpoch(claims.expiresAt, Qt::UTC).toString(Qt::ISODate)
        : QString();
    HttpResponse response(200);
    response.setJsonBody({{QStringLiteral("kiosk"), claims.subject},
                          {QStringLiteral("jti"), claims.jti},
                          {QStringLiteral("expiresAt"), nullable(expiresAt)},
                          {QStringLiteral("origin"), nullable(QString::fromLatin1(decision.origin))}});
    addCors(head, &response);
    return response;
}

HttpResponse TicketEndpoints::preflight(const HttpRequestHead &head, const QString &address,
                                        const QByteArray &path, const QByteArray &methods,
                                        const QByteArray &allow)
{
    if (head.headerCount("origin") > 1) {
        return refuse(head, address, path, Refusal::MalformedRequest, QStringLiteral("repeated_origin"));
    }
    const QByteArray origin = head.header("origin");
    HttpResponse response(204);
    response.setHeader("Allow", allow);
    if (origin.isEmpty())
        return response; // a plain OPTIONS, not a CORS preflight
    // A preflight carries no credential: refusing it spends no failure
    // budget, and the 403 has no CORS header, so the browser stops there.
    if (!m_origins->isAllowed(origin))
        return refuse(head, address, path, Refusal::OriginNotAllowed, {});
    addCors(head, &response);
    response.setHeader("Access-Control-Allow-Methods", methods);
    response.setHeader("Access-Control-Allow-Headers", "authorization, content-type");
    response.setHeader("Access-Control-Max-Age", PreflightMaxAgeSecs);
    return response;
}

HttpResponse TicketEndpoints::refuse(const HttpRequestHead &head, const QString &address,
                                     const QByteArray &path, const AuthDecision &decision)
{
    return refuse(head, address, path, decision.refusal, decision.detail, decision.retryAfterSecs,
                  decision.transport);
}

HttpResponse TicketEndpoints::refuse(const HttpRequestHead &head, const QString &address,
                                     const QByteArray &path, Refusal refusal, const QString &detail,
                                     int retryAfterSecs, Protocol::Transport transport)
{
    HttpResponse response = HandshakeGate::refusalResponse(refusal, detail, retryAfterSecs);
    addCors(head, &response);

    HandshakeRefusal event;
    event.atMs = m_clock->nowMs();
    event.address = address;
    event.origin = head.headerCount("origin") == 1 ? sanitizedOrigin(head.header("origin")) : QString();
    event.transport = Protocol::transportName(transport);
    event.status = response.status();
    event.code = Protocol::refusalCode(refusal);
    event.detail = detail;
    event.path = QString::fromLatin1(path);
    QString line = QStringLiteral("refused %1 %2").arg(event.status).arg(event.code);
    if (!detail.isEmpty())
        line += QStringLiteral(" (%1)").arg(detail);
    line += QStringLiteral(" %1 %2 from %3")
                .arg(QString::fromLatin1(head.method()), event.path, address);
    if (!event.origin.isEmpty())
        line += QStringLiteral(" origin=") + event.origin;
    if (transport != Protocol::Transport::None)
        line += QStringLiteral(" transport=") + event.transport;
    qCInfo(lcGate).noquote() << line;
    Q_EMIT requestRefused(event);
    return response;
}

void TicketEndpoints::addCors(const HttpRequestHead &head, HttpResponse *response) const
{
    response->setHeader("Vary", "Origin");
    if (head.headerCount("origin") != 1)
        return;
    const QByteArray origin = head.header("origin");
    if (!m_origins->isAllowed(origin))
        return;
    response->setHeader("Access-Control-Allow-Origin", origin);
    // Let the page read why it was refused.
    if (response->hasHeader("WWW-Authenticate") || response->hasHeader("Retry-After"))
        response->setHeader("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After");
}

} // namespace KioskGate
