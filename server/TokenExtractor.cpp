#include "TokenExtractor.h"

#include "HttpRequestHead.h"

#include <QUrlQuery>

namespace KioskGate {

using Protocol::Refusal;
using Protocol::Transport;

namespace {

ExtractedToken refused(Refusal refusal, const QString &detail = {})
{
    ExtractedToken result;
    result.refusal = refusal;
    result.detail = detail;
    return result;
}

ExtractedToken found(Transport transport, const QByteArray &value)
{
    ExtractedToken result;
    result.transport = transport;
    if (value.isEmpty())
        return refused(Refusal::MissingToken, QStringLiteral("empty_credential"));
    result.ok = true;
    result.value = value;
    return result;
}

// Values of `key` in the query. QUrlQuery decodes percent-encoding; a value
// that decodes to something other than URL-safe text cannot be a token and
// will fail verification anyway.
QList<QByteArray> queryValues(const QByteArray &query, const QString &key)
{
    QList<QByteArray> values;
    if (query.isEmpty())
        return values;
    const QUrlQuery parsed(QString::fromLatin1(query));
    for (const QString &value : parsed.allQueryItemValues(key, QUrl::FullyDecoded))
        values.append(value.toUtf8());
    return values;
}

} // namespace

ExtractedToken TokenExtractor::extract(const HttpRequestHead &head, bool allowQueryToken)
{
    QList<ExtractedToken> candidates;

    const QList<QByteArray> authorizations = head.headers("authorization");
    if (authorizations.size() > 1)
        return refused(Refusal::AmbiguousToken, QStringLiteral("repeated_authorization"));
    if (authorizations.size() == 1) {
        const QByteArray &value = authorizations.first();
        const int space = value.indexOf(' ');
        if (space < 0 || value.left(space).toLower() != "bearer")
            return refused(Refusal::InvalidToken, QStringLiteral("unsupported_scheme"));
        candidates.append(found(Transport::Header, value.mid(space + 1).trimmed()));
    }

    const QList<QByteArray> protocols = head.headerList("sec-websocket-protocol");
    QList<QByteArray> bearers;
    bool offersV1 = false;
    for (const QByteArray &protocol : protocols) {
        if (protocol.startsWith(Protocol::BearerSubprotocolPrefix))
            bearers.append(protocol.mid(int(qstrlen(Protocol::BearerSubprotocolPrefix))));
        else if (protocol == Protocol::SubprotocolV1)
            offersV1 = true;
    }
    if (bearers.size() > 1)
        return refused(Refusal::AmbiguousToken, QStringLiteral("repeated_bearer_subprotocol"));
    if (bearers.size() == 1) {
        // Without kioskgate.v1 the server would select no subprotocol and a
        // browser would fail the connection after the upgrade.
        if (!offersV1)
            return refused(Refusal::SubprotocolRequired);
        candidates.append(found(Transport::Subprotocol, bearers.first()));
    }

    const QByteArray query = head.query();
    const QList<QByteArray> tickets = queryValues(query, QStringLiteral("ticket"));
    const QList<QByteArray> accessTokens =
        queryValues(query, QString::fromLatin1(Protocol::AccessTokenQueryKey));
    if (tickets.size() > 1 || accessTokens.size() > 1)
        return refused(Refusal::AmbiguousToken, QStringLiteral("repeated_query_parameter"));
    if (tickets.size() == 1)
        candidates.append(found(Transport::Ticket, tickets.first()));
    if (accessTokens.size() == 1)
        candidates.append(found(Transport::Query, accessTokens.first()));

    if (candidates.size() > 1)
        return refused(Refusal::AmbiguousToken, QStringLiteral("several_transports"));
    if (candidates.isEmpty())
        return refused(Refusal::MissingToken);
    const ExtractedToken &only = candidates.first();
    if (only.transport == Transport::Query && !allowQueryToken)
        return refused(Refusal::QueryTokenDisabled);
    return only;
}

} // namespace KioskGate
