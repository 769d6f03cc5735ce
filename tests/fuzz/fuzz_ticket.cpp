// Fuzz target: one-time tickets end to end without a socket: POST
// /v1/tickets (TicketEndpoints::issueTicket behind the real Authenticator,
// TokenService, OriginPolicy and FailureLimiter), and their redemption
// through the ?ticket= transport (HttpRequestHead, TokenExtractor,
// Authenticator, TicketStore::redeemTicket).
//
// Input: a run of request heads, each ending in CRLF CRLF (at most 32).
// Before each head, optional prefixes: "+<seconds> " moves the clock on
// (0-99 s), "! " revokes token A (its registry status and its tickets, as a
// revocation does). In a head "$A" is token A (kiosk lobby-1, no origin
// binding), "$B" token B (lobby-2, bound to https://kiosk.example, expires
// in 20 s) and "$T" the ticket most recently issued in this input.
// Properties:
// - never crashes or leaks (sanitizers);
// - any head, taken as a ticket value, never redeems: a random string is
//   no ticket;
// - POST /v1/tickets answers 200 only for a verifying Bearer token from one
//   allowlisted Origin; the answer holds a 43-character base64url ticket
//   and 1 <= expiresIn <= 30, adds exactly one outstanding ticket, and never
//   contains a token;
// - a ticket is accepted only if this input was issued it, not yet
//   presented, before its expiry, from byte-for-byte the Origin that asked
//   for it, for a token not revoked since; it yields that token's claims and
//   is gone afterwards (single use); a refused ticket request says only
//   invalid_ticket;
// - no log line holds a token or a ticket (unless the client wrote it into
//   its own Origin header, which logs name).

#include "Authenticator.h"
#include "Clock.h"
#include "FailureLimiter.h"
#include "FuzzApplication.h"
#include "FuzzCheck.h"
#include "HttpRequestHead.h"
#include "OriginPolicy.h"
#include "SigningKeyRing.h"
#include "TicketEndpoints.h"
#include "TicketStore.h"
#include "TokenExtractor.h"
#include "TokenService.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cctype>

using namespace KioskGate;

namespace {

constexpr qint64 StartMs = 1'800'000'000'000;
constexpr int MaxHeads = 32;
constexpr int MaxHeadBytes = 8192;
const QString Address = QStringLiteral("10.0.0.21");

QByteArray s_log; // every log line of the current input

void capture(QtMsgType, const QMessageLogContext &, const QString &text)
{
    s_log += text.toUtf8() + '\n';
}

struct Registry final : TokenStatusLookup
{
    QString revokedJti;
    Status tokenStatus(const QString &jti) override
    {
        return jti == revokedJti ? Status::Revoked : Status::Active;
    }
};

// Built once: the key ring, tokens and allowlist. The clock is reset and
// the ticket store, failure budget and authenticator are new for each input.
struct Fixture
{
    Fuzz::Application application;
    SigningKeyRing ring;
    ManualClock clock{StartMs};
    TokenService tokens{&ring, &clock, QStringLiteral("kioskgate-fuzz"), QStringLiteral("kioskgate-kiosk")};
    OriginPolicy origins;
    IssuedToken a;
    IssuedToken b;

    Fixture()
    {
        qInstallMessageHandler(capture);
        ring.addKey(QStringLiteral("cur0cur0cur0"), QByteArray(32, 'C'));
        ring.setCurrentKeyId(QStringLiteral("cur0cur0cur0"));
        QString error;
        const bool ok = origins.setAllowedOrigins({QStringLiteral("https://kiosk.example"),
                                                   QStringLiteral("http://10.0.0.5:8080")}, &error)
            && tokens.issue({QStringLiteral("lobby-1"), 0, {}}, &a, &error)
            && tokens.issue({QStringLiteral("lobby-2"), 20, {QStringLiteral("https://kiosk.example")}}, &b, &error);
        if (!ok) {
            std::fprintf(stderr, "fixture: %s\n", qPrintable(error));
            std::abort();
        }
    }
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

// A ticket this input was issued, as the model keeps it.
struct Issued
{
    QByteArray value;
    QByteArray origin;
    TokenClaims claims;
    qint64 expiresAtMs = 0;
    bool presented = false;
};

// Reads the "+<seconds> " and "! " prefixes off `chunk`.
QByteArray applyPrefixes(QByteArray chunk, qint64 *advanceSecs, bool *revoke)
{
    for (;;) {
        if (chunk.startsWith('+')) {
            int digits = 0;
            while (digits < 2 && 1 + digits < chunk.size() && std::isdigit(uchar(chunk.at(1 + digits))))
                ++digits;
            *advanceSecs += chunk.mid(1, digits).toInt();
            chunk = chunk.mid(1 + digits);
        } else if (chunk.startsWith("! ")) {
            *revoke = true;
            chunk = chunk.mid(2);
        } else if (chunk.startsWith(' ')) {
            chunk = chunk.mid(1);
        } else {
            return chunk;
        }
    }
}

// Origin headers this input sent: logs name the Origin (sanitised), so a
// client that writes its own ticket into it sees it there; nothing else may.
QList<QByteArray> s_origins;

void checkNoSecretIn(const QByteArray &text, const Fixture &f, const QList<Issued> &issued)
{
    auto check = [&text](const QByteArray &secret) {
        for (const QByteArray &origin : std::as_const(s_origins)) {
            if (origin.contains(secret))
                return;
        }
        FUZZ_CHECK(!text.contains(secret));
    };
    check(f.a.token);
    check(f.b.token);
    for (const Issued &ticket : issued)
        check(ticket.value);
}

void checkIssue(const HttpRequestHead &head, const HttpResponse &response, const Fixture &f, int outstandingBefore,
                TicketStore &store, QList<Issued> *issued)
{
    const QByteArray answer = response.serialize();
    checkNoSecretIn(answer, f, {});
    if (response.status() != 200) {
        FUZZ_CHECK(store.outstanding() == outstandingBefore);
        return;
    }
    FUZZ_CHECK(head.headerCount("authorization") == 1 && head.headerCount("origin") == 1);
    const QByteArray authorization = head.header("authorization");
    // The scheme is case-insensitive (RFC 9110, section 11.1).
    FUZZ_CHECK(authorization.left(7).toLower() == "bearer ");
    TokenClaims claims;
    FUZZ_CHECK(f.tokens.verify(authorization.mid(7).trimmed(), &claims) == TokenError::None);
    const QByteArray origin = head.header("origin");
    FUZZ_CHECK(f.origins.isAllowed(origin));
    FUZZ_CHECK(claims.origins.isEmpty() || f.origins.isAllowedForToken(origin, claims.origins));
    const QJsonObject body = QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
    const QByteArray value = body.value(QStringLiteral("ticket")).toString().toLatin1();
    static const QRegularExpression base64url(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
    FUZZ_CHECK(base64url.match(QString::fromLatin1(value)).hasMatch());
    const int expiresIn = body.value(QStringLiteral("expiresIn")).toInt(-1);
    FUZZ_CHECK(expiresIn >= 1 && expiresIn <= 30);
    FUZZ_CHECK(store.outstanding() == outstandingBefore + 1);
    qint64 expiresAtMs = f.clock.nowMs() + 30'000;
    if (claims.expiresAt > 0)
        expiresAtMs = qMin(expiresAtMs, claims.expiresAt * 1000);
    issued->append({value, origin, claims, expiresAtMs, false});
}

void checkRedeem(const HttpRequestHead &head, const AuthDecision &decision, const Fixture &f,
                 const QString &revokedJti, int outstandingBefore, TicketStore &store, QList<Issued> *issued)
{
    const ExtractedToken credential = TokenExtractor::extract(head, false);
    if (credential.transport != Protocol::Transport::Ticket) {
        FUZZ_CHECK(store.outstanding() == outstandingBefore); // other transports leave tickets alone
        return;
    }
    Issued *ticket = nullptr;
    for (Issued &candidate : *issued)
        ticket = candidate.value == credential.value ? &candidate : ticket;
    if (credential.ok && !decision.accepted && decision.refusal == Protocol::Refusal::InvalidToken)
        FUZZ_CHECK(decision.detail == QLatin1String("invalid_ticket")); // one answer for every failure
    if (!ticket) {
        // Not a ticket this input was given: never accepted, spends nothing.
        FUZZ_CHECK(!decision.accepted);
        FUZZ_CHECK(store.outstanding() == outstandingBefore);
        return;
    }
    const bool wasFresh = !ticket->presented && ticket->claims.jti != revokedJti;
    if (decision.accepted) {
        FUZZ_CHECK(wasFresh);
        FUZZ_CHECK(f.clock.nowMs() < ticket->expiresAtMs);
        FUZZ_CHECK(head.headerCount("origin") == 1 && head.header("origin") == ticket->origin);
        FUZZ_CHECK(decision.claims.jti == ticket->claims.jti && decision.claims.subject == ticket->claims.subject);
        FUZZ_CHECK(store.outstanding() == outstandingBefore - 1);
    }
    // Presented means spent, accepted or not; a request refused before the
    // lookup (no or foreign Origin, budget, ...) leaves it in the store.
    if (store.outstanding() < outstandingBefore) {
        FUZZ_CHECK(wasFresh && store.outstanding() == outstandingBefore - 1);
        FUZZ_CHECK(head.headerCount("origin") == 1 && f.origins.isAllowed(head.header("origin")));
        ticket->presented = true;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fixture &f = fixture();
    f.clock.setNowMs(StartMs);
    s_log.clear();
    s_origins.clear();
    Registry registry;
    FailureLimiter limiter(&f.clock, 10, 6000);
    TicketStore store(&f.clock, 8, 10000);
    Authenticator authenticator(&f.tokens, &registry, &limiter, &f.origins);
    authenticator.setTicketRedeemer(&store);
    TicketEndpoints endpoints(&authenticator, &store, &f.origins, &f.clock);
    QList<Issued> issued;

    const QByteArray input = Fuzz::bytes(data, size);
    qsizetype at = 0;
    for (int heads = 0; heads < MaxHeads && at < input.size(); ++heads) {
        qsizetype end = input.indexOf("\r\n\r\n", at);
        end = end < 0 ? input.size() : end + 4;
        const QByteArray raw = input.mid(at, end - at);
        at = end;

        // Whatever the client sends, taken as a ticket, is no ticket.
        const int outstanding = store.outstanding();
        TokenClaims unused;
        QString why;
        FUZZ_CHECK(!store.redeemTicket(raw, "https://kiosk.example", &unused, &why));
        FUZZ_CHECK(store.outstanding() == outstanding);

        qint64 advanceSecs = 0;
        bool revoke = false;
        QByteArray text = applyPrefixes(raw, &advanceSecs, &revoke);
        f.clock.advanceMs(advanceSecs * 1000);
        if (revoke && registry.revokedJti.isEmpty()) {
            registry.revokedJti = f.a.claims.jti;
            store.dropForJtis({f.a.claims.jti});
        }
        text.replace("$A", f.a.token).replace("$B", f.b.token);
        text.replace("$T", issued.isEmpty() ? QByteArray("no-ticket-yet") : issued.last().value);

        HttpRequestHead head;
        if (head.parse(text, MaxHeadBytes) != HttpRequestHead::ParseResult::Complete)
            continue;
        s_origins.append(head.headers("origin"));
        if (head.method() == "POST" && head.path() == Protocol::TicketsPath) {
            store.sweep(); // issue() sweeps first: count from there
            const int before = store.outstanding();
            checkIssue(head, endpoints.issueTicket(head, Address), f, before, store, &issued);
        } else {
            const int before = store.outstanding();
            const AuthDecision decision = authenticator.authorize(head, Address);
            checkRedeem(head, decision, f, registry.revokedJti, before, store, &issued);
        }
        checkNoSecretIn(s_log, f, issued);
    }
    return 0;
}
