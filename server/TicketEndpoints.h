#pragma once

#include "HandshakeGate.h"

#include <QObject>

namespace KioskGate {

class Authenticator;
class Clock;
class OriginPolicy;
class TicketStore;

/// The plain HTTP API a kiosk page calls with its token in the
/// Authorization header (docs/protocol.md, "HTTP endpoints"):
///
/// - POST /v1/tickets: a one-time ticket for `?ticket=`;
/// - GET /v1/whoami: who the token says the kiosk is, or exactly the
///   refusal the handshake would give, so a browser (which never sees a
///   handshake's status) can learn why it is refused;
/// - OPTIONS on both: the CORS preflight.
///
/// CORS is granted to exact allowlisted origins only
/// (Access-Control-Allow-Origin: <origin>, Vary: Origin, no credentials
/// mode); a foreign origin gets 403 without any CORS header, so the
/// browser hides even that from the page.
class TicketEndpoints : public QObject
{
    Q_OBJECT
public:
    TicketEndpoints(Authenticator *authenticator, TicketStore *tickets, const OriginPolicy *origins,
                    const Clock *clock, QObject *parent = nullptr);

    void install(HandshakeGate *gate);

    /// The routes install() registers; callable directly so tests and the
    /// ticket fuzz target need no socket.
    HttpResponse issueTicket(const HttpRequestHead &head, const QString &address);
    HttpResponse whoami(const HttpRequestHead &head, const QString &address);

Q_SIGNALS:
    /// A refused API request, for the activity log (never a credential).
    void requestRefused(const KioskGate::HandshakeRefusal &refusal);

private:
    HttpResponse preflight(const HttpRequestHead &head, const QString &address, const QByteArray &path,
                           const QByteArray &methods, const QByteArray &allow);
    HttpResponse refuse(const HttpRequestHead &head, const QString &address, const QByteArray &path,
                        Protocol::Refusal refusal, const QString &detail, int retryAfterSecs = 1,
                        Protocol::Transport transport = Protocol::Transport::None);
    HttpResponse refuse(const HttpRequestHead &head, const QString &address, const QByteArray &path,
                        const AuthDecision &decision);
    /// CORS headers for allowlisted origins only; Vary: Origin always.
    void addCors(const HttpRequestHead &head, HttpResponse *response) const;

    Authenticator *m_authenticator;
    TicketStore *m_tickets;
    const OriginPolicy *m_origins;
    const Clock *m_clock;
};

} // namespace KioskGate
