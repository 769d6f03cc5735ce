#pragma once

// The external contract of KioskGate in one place: paths, subprotocols,
// transports, close codes and the reasons a handshake is refused. Everything
// here is observable by clients and documented in docs/protocol.md; change it
// only together with that document.

#include <QString>
#include <QtGlobal>

namespace KioskGate::Protocol {

/// Path kiosks open their WebSocket on, e.g. ws://console:8765/v1/kiosk.
inline constexpr char KioskPath[] = "/v1/kiosk";
/// Plain HTTP liveness probe on the same port: 200 {"status":"ok",...}.
inline constexpr char HealthPath[] = "/healthz";
/// POST with Authorization: Bearer -> 200 {"ticket":"...","expiresIn":30}.
inline constexpr char TicketsPath[] = "/v1/tickets";
/// GET with Authorization: Bearer -> 200 {"kiosk","jti","expiresAt","origin"}
/// or the refusal the handshake would give.
inline constexpr char WhoamiPath[] = "/v1/whoami";
/// The browser client library and its TypeScript declarations.
inline constexpr char ClientScriptPath[] = "/kioskgate.js";
inline constexpr char ClientTypesPath[] = "/kioskgate.d.ts";
/// A ticket's lifetime: short enough that a ticket seen in a log is dead.
inline constexpr int TicketLifetimeSecs = 30;
/// The largest request body the plain HTTP routes read (tickets need none).
inline constexpr int MaxRequestBodyBytes = 1024;

/// The only application subprotocol; the server always answers with it (and
/// only it) when the client offered it.
inline constexpr char SubprotocolV1[] = "kioskgate.v1";
/// Browsers carry their token as a second offered subprotocol:
/// "kioskgate.bearer.<token>". It is never echoed back.
inline constexpr char BearerSubprotocolPrefix[] = "kioskgate.bearer.";
/// Legacy query parameter, refused unless the operator enables it.
inline constexpr char AccessTokenQueryKey[] = "access_token";

/// How a kiosk presented its token.
enum class Transport {
    None,
    Header,      ///< Authorization: Bearer <token> (native clients)
    Subprotocol, ///< Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.<token>
    Ticket,      ///< ?ticket=<one-time ticket>
    Query,       ///< ?access_token=<token> (off by default)
};
QString transportName(Transport transport);

/// WebSocket close codes the server sends.
enum class CloseCode : quint16 {
    Normal = 1000,
    GoingAway = 1001,       ///< server shutting down
    PolicyViolation = 1008, ///< protocol misuse by the kiosk
    MessageTooBig = 1009,   ///< frame or message over the configured limit
    TokenExpired = 4401,    ///< the token's exp passed while connected
    TokenRevoked = 4403,    ///< the token was revoked (or its key retired)
};

/// Why a request was answered with an HTTP status instead of an upgrade.
/// Each has a fixed status and a stable snake_case code sent as
/// {"error":"<code>"} in the body.
enum class Refusal {
    MalformedRequest,      ///< 400 unparsable request line or headers
    NotWebSocketUpgrade,   ///< 400 missing/invalid Upgrade, Connection or Host
    BadWebSocketKey,       ///< 400 Sec-WebSocket-Key is not 16 base64 bytes
    UnsupportedVersion,    ///< 426 Sec-WebSocket-Version is not 13
    AmbiguousToken,        ///< 400 more than one token presented
    SubprotocolRequired,   ///< 400 a bearer subprotocol without kioskgate.v1
    MissingToken,          ///< 401 no token in any accepted transport
    QueryTokenDisabled,    ///< 401 ?access_token= while query tokens are off
    InvalidToken,          ///< 401 signature, algorithm, key id, claims or lifetime
    RevokedToken,          ///< 401 the token's jti is revoked or unknown
    OriginNotAllowed,      ///< 403 Origin not on the allowlist or not bound to the token
    OriginRequired,        ///< 403 no Origin and not the header transport
    NonBrowserDisabled,    ///< 403 no Origin while non-browser clients are off
    NotFound,              ///< 404 unknown path
    MethodNotAllowed,      ///< 405 wrong method for a known path
    RequestTimeout,        ///< 408 request head not complete in time
    LengthRequired,        ///< 411 a body sent with Transfer-Encoding instead of Content-Length
    BodyTooLarge,          ///< 413 a request body over MaxRequestBodyBytes
    TooManyFailures,       ///< 429 failure budget of the address spent
    TooManyTickets,        ///< 429 too many unused tickets for one token
    TooManyConnectionsForToken,   ///< 429 limits/max_connections_per_token reached
    TooManyConnectionsFromAddress, ///< 429 limits/max_connections_per_address reached
    HeadTooLarge,          ///< 431 request head over the size cap
    ServerFull,            ///< 503 at the connection cap
};
int httpStatus(Refusal refusal);
QString refusalCode(Refusal refusal);
/// True for refusals that spend the client's failure budget (401 and 403).
bool countsAsFailure(Refusal refusal);

/// `text` as a JSON string literal, quotes included (RFC 8259 section 7:
/// quote, backslash and control characters escaped).
QString jsonQuoted(QStringView text);
/// Appends jsonQuoted(text) to `out`.
void appendJsonQuoted(QString &out, QStringView text);
/// The first message of every session:
/// {"type":"welcome","kiosk":...,"session":...,"heartbeatMs":...}.
/// Built as text, not through QJsonObject: one per handshake, and the
/// object, its sorting and toJson() were about 4% of the network thread's
/// work while a fleet reconnected.
QString welcomeMessage(QStringView kiosk, QStringView session, int heartbeatMs);

} // namespace KioskGate::Protocol
