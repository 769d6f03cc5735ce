#pragma once

#include "Authenticator.h"
#include "HttpRequestHead.h"
#include "HttpResponse.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <functional>
#include <optional>

class QSocketNotifier;

namespace KioskGate {

class GateListener;

/// A refused handshake, as the activity log records it. Holds reason codes
/// and client-visible facts only, never a credential.
struct HandshakeRefusal
{
    qint64 atMs = 0;
    QString address;
    QString origin; ///< sanitised, at most 200 characters
    QString transport;
    int status = 0;
    QString code;
    QString detail;
    /// The plain HTTP path refused (e.g. "/v1/tickets"); empty for the
    /// WebSocket handshake itself.
    QString path;
};

/// The listener in front of QWebSocketServer.
///
/// It owns the listening socket (GateListener: QWebSocketServer never
/// listens), looks at each request head without consuming it, and decides
/// before any upgrade: plain HTTP routes are answered here, bad requests
/// get their HTTP status, and only an authenticated, well-formed upgrade is
/// handed on, reduced to what the upgrade needs (UpgradeRequest: no token,
/// no query).
///
/// Two ways in. On plain TCP (not Windows) a connection comes as a bare
/// descriptor; a whole upgrade head peeked there is decided at once and
/// goes out through descriptorAccepted() with no QTcpSocket made on this
/// thread: while a fleet reconnects that is nearly every connection.
/// Everything else (TLS, a head in parts, other paths, refusals, a client
/// at a cap) becomes a socket read with peek(); an upgrade decided there
/// goes out through handshakeAccepted().
class HandshakeGate : public QObject
{
    Q_OBJECT
public:
    using HttpHandler = std::function<HttpResponse(const HttpRequestHead &, const QString &address)>;

    struct Limits
    {
        int maxHeadBytes = 8192;
        int headTimeoutMs = 10000;
        int listenBacklog = 4096;
        int deferAcceptSecs = 0; // GateListener::listen()
        int maxPendingHeads = 10000;
        int maxConnectionsPerAddress = 1000;
        int maxConnectionsPerToken = 8;
    };

    HandshakeGate(Authenticator *authenticator, QObject *parent = nullptr);
    ~HandshakeGate() override;

    void setLimits(const Limits &limits) { m_limits = limits; }
    /// Asked before authenticating an upgrade; true answers 503.
    void setCapacityProbe(std::function<bool()> atCapacity) { m_atCapacity = std::move(atCapacity); }
    /// Live sessions and upgrades in flight, per client address and per
    /// token id: what the per-address and per-token caps count besides the
    /// gate's own unfinished heads.
    void setConnectionCounters(std::function<int(const QString &address)> byAddress,
                               std::function<int(const QString &jti)> byJti)
    {
        m_connectionsFrom = std::move(byAddress);
        m_connectionsFor = std::move(byJti);
    }
    /// Serves `method` requests for `path` on the same port. Other methods
    /// on a known path get 405 with an Allow header listing the registered
    /// ones in registration order. A POST may carry a body of at most
    /// Protocol::MaxRequestBodyBytes, framed by Content-Length; the gate
    /// waits for it (within the head time limit) and discards it.
    void addRoute(const QByteArray &method, const QByteArray &path, HttpHandler handler);
    /// Serves GET and HEAD requests for `path` (HEAD: the GET answer's head).
    void addGetRoute(const QByteArray &path, HttpHandler handler);

    /// Listens with TLS (a TlsListener) instead of plain TCP: call before
    /// listen(). Heads are then read from the decrypted stream.
    void useTls(const QSslConfiguration &configuration, int handshakeTimeoutMs);
    /// Replaces the certificate for connections accepted from now on.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    bool isTls() const;
    /// A refusal as the gate sends it: the JSON body plus the status's
    /// headers (WWW-Authenticate, Retry-After, Allow, ...).
    static HttpResponse refusalResponse(Protocol::Refusal refusal, const QString &detail = {},
                                        int retryAfterSecs = 1, const QByteArray &allow = "GET");

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    void close();
    bool isListening() const;
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    int pendingRequests() const { return m_pending.size(); }

Q_SIGNALS:
    /// An upgrade passed every check. The receiver hands `socket` to
    /// QWebSocketServer::handleConnection(); the gate has let go of it.
    /// `address` is the peer's address as text (peerAddressText()).
    void handshakeAccepted(QTcpSocket *socket, const KioskGate::AuthDecision &decision,
                           const QString &address);
    /// The same for an upgrade decided on a bare descriptor (plain TCP,
    /// Unix): the request head is read from it, and `head` is what the
    /// upgrade is to read in its place (UpgradeRequest::minimalHead()). The
    /// receiver owns the descriptor.
    void descriptorAccepted(qintptr descriptor, const QByteArray &head,
                            const KioskGate::AuthDecision &decision, const QString &address);
    void handshakeRefused(const KioskGate::HandshakeRefusal &refusal);

private:
    struct Pending
    {
        qint64 acceptedAtMs = 0;
        QString address;
        qintptr bareDescriptor = -1; // set while no socket exists yet
    };
    /// What a bare descriptor's head is, from a peek that consumes nothing.
    enum class BareHead {
        NotYet, ///< nothing to read yet
        Gone, ///< closed or reset by the client before sending anything
        Upgrade, ///< a whole head for the kiosk path that passes upgradeProblem()
        Other, ///< anything else: the socket path reads and answers it
    };

    /// GateListener's plain front: decides at once when the head is there,
    /// waits for it without a socket while nothing has arrived, and leaves
    /// everything else to the socket path (returns false).
    bool takeDescriptor(qintptr descriptor, const QString &address);
    void bareReadable(QSocketNotifier *notifier);
    BareHead peekBareHead(qintptr descriptor, HttpRequestHead *head, int *headLength);
    void decideBareUpgrade(qintptr descriptor, const HttpRequestHead &head, int headLength,
                           const QString &address);
    /// A bare pending descriptor becomes a watched socket, keeping its time.
    QTcpSocket *wrapPending(QSocketNotifier *notifier);
    /// Drops a bare pending descriptor: no answer, the connection closes.
    void dropBare(QSocketNotifier *notifier);
    void watch(QTcpSocket *socket);
    void track(QTcpSocket *socket, const Pending &pending);
    /// Ends an accept-failure episode once accepts have worked for a while
    /// (logs how long it lasted).
    void noteAcceptWorks();
    void inspect(QTcpSocket *socket);
    /// `address`: the peer's, as text, read once when the connection came.
    void route(QTcpSocket *socket, const HttpRequestHead &head, int headLength,
               const QString &address);
    /// For a POST: false if the body is refused or not all here yet.
    bool bodyReady(QTcpSocket *socket, const HttpRequestHead &head, int headLength);
    void handleUpgrade(QTcpSocket *socket, const HttpRequestHead &head, int headLength,
                       const QString &address);
    /// RFC 6455's demands on an upgrade head and the capacity check, in
    /// their order: the first that fails, or none.
    std::optional<Protocol::Refusal> upgradeProblem(const HttpRequestHead &head) const;
    /// The authenticator's decision, then the per-token cap.
    AuthDecision authorizeUpgrade(const HttpRequestHead &head, const QString &address);
    void refuse(QTcpSocket *socket, Protocol::Refusal refusal, const QString &detail,
                const AuthDecision *decision = nullptr, const QByteArray &allow = "GET");
    void respond(QTcpSocket *socket, const HttpResponse &response, bool headOnly = false);
    void release(QTcpSocket *socket);
    /// Counts a pending connection (its time, its address); forgetPending()
    /// undoes it.
    void rememberPending(QObject *key, const Pending &pending);
    void forgetPending(QObject *key);
    /// Makes room under limits/max_pending_heads by dropping the oldest
    /// head, if it has waited long enough to be a slow one.
    bool evictOldestPending();
    /// Drops a pending connection unanswered: a bare descriptor is closed,
    /// a socket aborted.
    void dropPending(QObject *key);
    /// Whether the address already holds limits/max_connections_per_address
    /// heads and sessions.
    bool atAddressCap(const QString &address) const;

    Authenticator *m_authenticator;
    GateListener *m_listener;
    Limits m_limits;
    std::function<bool()> m_atCapacity;
    // path -> (method, handler), in registration order
    QHash<QByteArray, QList<QPair<QByteArray, HttpHandler>>> m_routes;
    std::function<int(const QString &)> m_connectionsFrom;
    std::function<int(const QString &)> m_connectionsFor;
    // Unfinished heads: watched sockets, and bare descriptors by their
    // read notifier.
    QHash<QObject *, Pending> m_pending;
    QByteArray m_peekBuffer;
    QHash<QString, int> m_pendingFrom; // address -> unfinished heads
    qint64 m_evictedHeads = 0;
};

/// `origin` made safe for logs: at most 200 printable ASCII characters.
QString sanitizedOrigin(const QByteArray &origin);

} // namespace KioskGate
Q_DECLARE_METATYPE(KioskGate::HandshakeRefusal)
