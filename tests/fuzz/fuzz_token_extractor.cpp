// Fuzz target: finding the credential in a parsed request head, across every
// transport (Authorization header, bearer subprotocol, ?ticket=, and the
// legacy ?access_token=).
//
// Input: raw request-head bytes; only heads the parser accepts reach the
// extractor, exactly as in the gate.
// Properties:
// - never crashes (sanitizers);
// - a success names one transport and a non-empty value, and that value is
//   really in the place the transport says (so a credential is never taken
//   from somewhere the client did not put it);
// - the legacy query transport is never used unless it is enabled, and
//   enabling it changes nothing for the other transports;
// - two credentials, or one transport given twice, never succeed;
// - a failure carries no value (nothing to leak into an error path).

#include "FuzzCheck.h"
#include "HttpRequestHead.h"
#include "Protocol.h"
#include "TokenExtractor.h"

#include <QUrlQuery>

using namespace KioskGate;
using Protocol::Transport;

namespace {

constexpr int MaxHeadBytes = 8192;

int queryCount(const HttpRequestHead &head, const QString &key)
{
    if (head.query().isEmpty())
        return 0;
    return QUrlQuery(QString::fromLatin1(head.query())).allQueryItemValues(key).size();
}

int bearerCount(const HttpRequestHead &head)
{
    int count = 0;
    for (const QByteArray &p : head.headerList("sec-websocket-protocol"))
        count += p.startsWith(Protocol::BearerSubprotocolPrefix) ? 1 : 0;
    return count;
}

void checkResult(const HttpRequestHead &head, const ExtractedToken &result, bool allowQuery)
{
    if (!result.ok) {
        FUZZ_CHECK(result.value.isEmpty());
        return;
    }
    FUZZ_CHECK(!result.value.isEmpty());
    const int authorizations = head.headerCount("authorization");
    const int bearers = bearerCount(head);
    const int tickets = queryCount(head, QStringLiteral("ticket"));
    const int accessTokens = queryCount(head, QString::fromLatin1(Protocol::AccessTokenQueryKey));
    FUZZ_CHECK(authorizations <= 1 && bearers <= 1 && tickets <= 1 && accessTokens <= 1);
    // Exactly one transport carried something.
    FUZZ_CHECK(authorizations + bearers + tickets + accessTokens == 1);

    switch (result.transport) {
    case Transport::Header:
        FUZZ_CHECK(authorizations == 1);
        FUZZ_CHECK(head.header("authorization").toLower().startsWith("bearer "));
        FUZZ_CHECK(head.header("authorization").endsWith(result.value));
        break;
    case Transport::Subprotocol:
        FUZZ_CHECK(bearers == 1);
        FUZZ_CHECK(head.headerList("sec-websocket-protocol").contains(Protocol::SubprotocolV1));
        FUZZ_CHECK(head.headerList("sec-websocket-protocol")
                       .contains(Protocol::BearerSubprotocolPrefix + result.value));
        break;
    case Transport::Ticket:
        FUZZ_CHECK(tickets == 1);
        break;
    case Transport::Query:
        FUZZ_CHECK(allowQuery);
        FUZZ_CHECK(accessTokens == 1);
        break;
    case Transport::None:
        FUZZ_CHECK(false);
        break;
    }
    // A subprotocol credential is one list element: no separator inside.
    if (result.transport == Transport::Subprotocol)
        FUZZ_CHECK(!result.value.contains(','));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MaxHeadBytes)
        return 0;
    HttpRequestHead head;
    if (head.parse(Fuzz::bytes(data, size), MaxHeadBytes) != HttpRequestHead::ParseResult::Complete)
        return 0;

    const ExtractedToken strict = TokenExtractor::extract(head, false);
    const ExtractedToken legacy = TokenExtractor::extract(head, true);
    checkResult(head, strict, false);
    checkResult(head, legacy, true);

    // Same answer twice (no hidden state).
    const ExtractedToken again = TokenExtractor::extract(head, false);
    FUZZ_CHECK(again.ok == strict.ok && again.value == strict.value
               && again.transport == strict.transport && again.refusal == strict.refusal
               && again.detail == strict.detail);

    // Enabling the legacy transport only ever adds that transport.
    if (strict.ok) {
        FUZZ_CHECK(legacy.ok && legacy.transport == strict.transport
                   && legacy.value == strict.value);
    }
    if (legacy.ok && legacy.transport != Transport::Query) {
        FUZZ_CHECK(strict.ok && strict.value == legacy.value);
    }
    return 0;
}
