#include "Protocol.h"

namespace KioskGate::Protocol {

QString transportName(Transport transport)
{
    switch (transport) {
    case Transport::None: return QStringLiteral("none");
    case Transport::Header: return QStringLiteral("header");
    case Transport::Subprotocol: return QStringLiteral("subprotocol");
    case Transport::Ticket: return QStringLiteral("ticket");
    case Transport::Query: return QStringLiteral("query");
    }
    return QStringLiteral("none");
}

int httpStatus(Refusal refusal)
{
    switch (refusal) {
    case Refusal::MalformedRequest:
    case Refusal::NotWebSocketUpgrade:
    case Refusal::BadWebSocketKey:
    case Refusal::AmbiguousToken:
    case Refusal::SubprotocolRequired: return 400;
    case Refusal::UnsupportedVersion: return 426;
    case Refusal::MissingToken:
    case Refusal::QueryTokenDisabled:
    case Refusal::InvalidToken:
    case Refusal::RevokedToken: return 401;
    case Refusal::OriginNotAllowed:
    case Refusal::OriginRequired:
    case Refusal::NonBrowserDisabled: return 403;
    case Refusal::NotFound: return 404;
    case Refusal::MethodNotAllowed: return 405;
    case Refusal::RequestTimeout: return 408;
    case Refusal::LengthRequired: return 411;
    case Refusal::BodyTooLarge: return 413;
    case Refusal::TooManyFailures:
    case Refusal::TooManyTickets:
    case Refusal::TooManyConnectionsForToken:
    case Refusal::TooManyConnectionsFromAddress: return 429;
    case Refusal::HeadTooLarge: return 431;
    case Refusal::ServerFull: return 503;
    }
    return 400;
}

QString refusalCode(Refusal refusal)
{
    switch (refusal) {
    case Refusal::MalformedRequest: return QStringLiteral("malformed_request");
    case Refusal::NotWebSocketUpgrade: return QStringLiteral("not_websocket_upgrade");
    case Refusal::BadWebSocketKey: return QStringLiteral("bad_websocket_key");
    case Refusal::UnsupportedVersion: return QStringLiteral("unsupported_websocket_version");
    case Refusal::AmbiguousToken: return QStringLiteral("ambiguous_token");
    case Refusal::SubprotocolRequired: return QStringLiteral("subprotocol_required");
    case Refusal::MissingToken: return QStringLiteral("missing_token");
    case Refusal::QueryTokenDisabled: return QStringLiteral("query_token_disabled");
    case Refusal::InvalidToken: return QStringLiteral("invalid_token");
    case Refusal::RevokedToken: return QStringLiteral("revoked_token");
    case Refusal::OriginNotAllowed: return QStringLiteral("origin_not_allowed");
    case Refusal::OriginRequired: return QStringLiteral("origin_required");
    case Refusal::NonBrowserDisabled: return QStringLiteral("non_browser_clients_disabled");
    case Refusal::NotFound: return QStringLiteral("not_found");
    case Refusal::MethodNotAllowed: return QStringLiteral("method_not_allowed");
    case Refusal::RequestTimeout: return QStringLiteral("request_timeout");
    case Refusal::LengthRequired: return QStringLiteral("length_required");
    case Refusal::BodyTooLarge: return QStringLiteral("body_too_large");
    case Refusal::TooManyFailures: return QStringLiteral("too_many_failures");
    case Refusal::TooManyTickets: return QStringLiteral("too_many_tickets");
    case Refusal::TooManyConnectionsForToken: return QStringLiteral("too_many_connections_for_token");
    case Refusal::TooManyConnectionsFromAddress: return QStringLiteral("too_many_connections_from_address");
    case Refusal::HeadTooLarge: return QStringLiteral("request_head_too_large");
    case Refusal::ServerFull: return QStringLiteral("server_full");
    }
    return QStringLiteral("malformed_request");
}

bool countsAsFailure(Refusal refusal)
{
    const int status = httpStatus(refusal);
    return status == 401 || status == 403;
}

void appendJsonQuoted(QString &out, QStringView text)
{
    // No reserve() here: called in a loop, it would defeat the string's
    // geometric growth.
    out += QLatin1Char('"');
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'"' || u == u'\\') {
            out += QLatin1Char('\\');
            out += c;
        } else if (u < 0x20) {
            out += QStringLiteral("\\u%1").arg(int(u), 4, 16, QLatin1Char('0'));
        } else {
            out += c;
        }
    }
    out += QLatin1Char('"');
}

QString jsonQuoted(QStringView text)
{
    QString quoted;
    quoted.reserve(text.size() + 2);
    appendJsonQuoted(quoted, text);
    return quoted;
}

QString welcomeMessage(QStringView kiosk, QStringView session, int heartbeatMs)
{
    return QLatin1String(R"({"type":"welcome","kiosk":)") + jsonQuoted(kiosk)
        + QLatin1String(R"(,"session":)") + jsonQuoted(session)
        + QLatin1String(R"(,"heartbeatMs":)") + QString::number(heartbeatMs) + QLatin1Char('}');
}

} // namespace KioskGate::Protocol
