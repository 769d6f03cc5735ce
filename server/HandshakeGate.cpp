#include "HandshakeGate.h"

#include "GateListener.h"
#include "IdleReadBuffer.h"
#include "Logging.h"
#include "PeerAddress.h"
#include "UpgradeRequest.h"

#include <QDateTime>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

namespace KioskGate {

using Protocol::Refusal;

namespace {

// How long a refused client may take to read its answer before the socket
// is torn down.
constexpr int LingerMs = 5000;
// At limits/max_pending_heads, an unfinished head at least this old is
// dropped to make room; younger ones are not (see evictOldestPending).
constexpr qint64 MinEvictAgeMs = 1000;

// Half-closes the connection (FIN) while still reading from it.
void shutdownSending(QTcpSocket *socket)
{
    const qintptr fd = socket->socketDescriptor();
    if (fd == -1)
        return;
#ifdef Q_OS_WIN
    ::shutdown(SOCKET(fd), SD_SEND);
#else
    ::shutdown(int(fd), SHUT_WR);
#endif
}

QString peerAddress(const QTcpSocket *socket)
{
    return peerAddressText(socket->peerAddress());
}

} // namespace

// Origin is client-supplied: keep logs and the activity view readable and
// bounded whatever it holds (the head parser already refused controls).
QString sanitizedOrigin(const QByteArray &origin)
{
    QString text = QString::fromLatin1(origin.left(200));
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            c = QLatin1Char('?');
    }
    return text;
}

HandshakeGate::HandshakeGate(Authenticator *authenticator, QObject *parent)
    : QObject(parent), m_authenticator(authenticator), m_listener(new GateListener(this))
{
    qRegisterMetaType<KioskGate::AuthDecision>();
    qRegisterMetaType<KioskGate::HandshakeRefusal>();
    connect(m_listener, &GateListener::accepted, this, &HandshakeGate::watch);
#ifndef Q_OS_WIN
    m_listener->setPlainFront([this](qintptr descriptor, const QString &address) {
        return takeDescriptor(descriptor, address);
    });
#endif
    connect(m_listener, &GateListener::plainRequestRefused, this, [this](const QString &address) {
        HandshakeRefusal event;
        event.atMs = QDateTime::currentMSecsSinceEpoch();
        event.address = address;
        event.status = 400;
        event.code = QStringLiteral("tls_required");
        event.detail = QStringLiteral("plain HTTP on the TLS port");
        Q_EMIT handshakeRefused(event);
    });

    auto *sweep = new QTimer(this);
    sweep->setInterval(250);
    connect(sweep, &QTimer::timeout, this, [this] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QList<QObject *> late;
        for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
            if (now - it.value().acceptedAtMs >= m_limits.headTimeoutMs)
                late.append(it.key());
        }
        for (QObject *key : late) {
            auto *notifier = qobject_cast<QSocketNotifier *>(key);
            // A bare descriptor gets its 408 through a socket, like any other.
            QTcpSocket *socket = notifier ? wrapPending(notifier) : static_cast<QTcpSocket *>(key);
            if (socket)
                refuse(socket, Refusal::RequestTimeout, {});
        }
    });
    sweep->start();
}

HandshakeGate::~HandshakeGate()
{
    // Sockets go with their parents; bare descriptors are closed here.
    const auto pending = m_pending.keys();
    for (QObject *key : pending) {
        if (auto *notifier = qobject_cast<QSocketNotifier *>(key))
            dropBare(notifier);
    }
}

void HandshakeGate::useTls(const QSslConfiguration &configuration, int handshakeTimeoutMs)
{
    m_listener->useTls(configuration, handshakeTimeoutMs);
}

void HandshakeGate::setTlsConfiguration(const QSslConfiguration &configuration)
{
    m_listener->setTlsConfiguration(configuration);
}

void HandshakeGate::addRoute(const QByteArray &method, const QByteArray &path, HttpHandler handler)
{
    auto &methods = m_routes[path];
    for (auto &entry : methods) {
        if (entry.first == method) {
            entry.second = std::move(handler);
            return;
        }
    }
    methods.append({method, std::move(handler)});
}

void HandshakeGate::addGetRoute(const QByteArray &path, HttpHandler handler)
{
    addRoute("GET", path, handler);
    addRoute("HEAD", path, std::move(handler));
}

bool HandshakeGate::listen(const QHostAddress &address, quint16 port, QString *error)
{
    return m_listener->listen(address, port, m_limits.listenBacklog, m_limits.deferAcceptSecs,
                              error);
}

void HandshakeGate::close()
{
    m_listener->close();
    const auto pending = m_pending.keys();
    for (QObject *key : pending)
        dropPending(key);
}

bool HandshakeGate::isTls() const
{
    return m_listener->isTls();
}

bool HandshakeGate::isListening() const
{
    return m_listener->isListening();
}

QHostAddress HandshakeGate::serverAddress() const
{
    return m_listener->serverAddress();
}

quint16 HandshakeGate::serverPort() const
{
    return m_listener->serverPort();
}

void HandshakeGate::watch(QTcpSocket *socket)
{
    const QString address = peerAddress(socket);
    // Per-address cap before anything is read: one host cannot hold
    // more than its share of heads and sessions (slow loris, floods).
    if (atAddressCap(address)) {
        AuthDecision busy;
        busy.retryAfterSecs = 5;
        refuse(socket, Refusal::TooManyConnectionsFromAddress, {}, &busy);
        return;
    }
    if (m_pending.size() >= m_limits.maxPendingHeads && !evictOldestPending()) {
        refuse(socket, Refusal::ServerFull, QStringLiteral("pending_heads"));
        return;
    }
    track(socket, { QDateTime::currentMSecsSinceEpoch(), address });
}

void HandshakeGate::track(QTcpSocket *socket, const Pending &pending)
{
    // Qt buffers no more than one head plus the largest body a route
    // reads; the rest waits in the kernel, so a client cannot make us
    // hold megabytes of header.
    socket->setReadBufferSize(m_limits.maxHeadBytes + Protocol::MaxRequestBodyBytes + 1);
    rememberPending(socket, pending);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        release(socket);
        socket->deleteLater();
    });
    if (socket->bytesAvailable() > 0)
        inspect(socket);
}

void HandshakeGate::inspect(QTcpSocket *socket)
{
    const auto pending = m_pending.constFind(socket);
    if (pending == m_pending.cend())
        return;
    // A copy (shared, not deep): release() drops the entry before the end.
    const QString address = pending->address;
    // Only what is there: peek(n) allocates n bytes whatever arrived.
    const QByteArray data = socket->peek(qMin<qint64>(socket->bytesAvailable(), m_limits.maxHeadBytes + 1));
    HttpRequestHead head;
    int headLength = 0;
    switch (head.parse(data, m_limits.maxHeadBytes, &headLength)) {
    case HttpRequestHead::ParseResult::Incomplete:
        return;
    case HttpRequestHead::ParseResult::TooLarge:
        refuse(socket, Refusal::HeadTooLarge, {});
        return;
    case HttpRequestHead::ParseResult::Malformed:
        refuse(socket, Refusal::MalformedRequest, {});
        return;
    case HttpRequestHead::ParseResult::Complete:
        route(socket, head, headLength, address);
        return;
    }
}

void HandshakeGate::route(QTcpSocket *socket, const HttpRequestHead &head, int headLength,
                          const QString &address)
{
    const QByteArray path = head.path();
    if (path == Protocol::KioskPath) {
        handleUpgrade(socket, head, headLength, address);
        return;
    }
    const auto methods = m_routes.constFind(path);
    if (methods == m_routes.cend()) {
        refuse(socket, Refusal::NotFound, {});
        return;
    }
    const HttpHandler *handler = nullptr;
    QList<QByteArray> allowed;
    for (const auto &entry : *methods) {
        allowed.append(entry.first);
        if (entry.first == head.method())
            handler = &entry.second;
    }
    if (!handler) {
        refuse(socket, Refusal::MethodNotAllowed, {}, nullptr, allowed.join(", "));
        return;
    }
    if (head.method() == "POST" && !bodyReady(socket, head, headLength))
        return;
    respond(socket, (*handler)(head, address), head.method() == "HEAD");
}

bool HandshakeGate::bodyReady(QTcpSocket *socket, const HttpRequestHead &head, int headLength)
{
    // Only Content-Length framing: a chunked body is asked to come with a
    // length instead, and both at once is the classic smuggling shape.
    const bool chunked = head.headerCount("transfer-encoding") > 0;
    const int lengths = head.headerCount("content-length");
    if (chunked && lengths > 0) {
        refuse(socket, Refusal::MalformedRequest, QStringLiteral("content_length_and_transfer_encoding"));
        return false;
    }
    if (chunked) {
        refuse(socket, Refusal::LengthRequired, {});
        return false;
    }
    if (lengths == 0)
        return true; // RFC 9112 6.3: no framing header, no body
    const QByteArray text = head.header("content-length");
    bool digits = lengths == 1 && !text.isEmpty() && text.size() <= 9;
    for (char c : text)
        digits = digits && c >= '0' && c <= '9';
    if (!digits) {
        refuse(socket, Refusal::MalformedRequest, QStringLiteral("invalid_content_length"));
        return false;
    }
    const int length = text.toInt();
    if (length > Protocol::MaxRequestBodyBytes) {
        refuse(socket, Refusal::BodyTooLarge, {});
        return false;
    }
    // Not all here yet: stay pending; the next readyRead comes back here
    // and the head timeout covers a body that never arrives.
    return socket->bytesAvailable() >= qint64(headLength) + length;
}

void HandshakeGate::handleUpgrade(QTcpSocket *socket, const HttpRequestHead &head, int headLength,
                                  const QString &address)
{
    if (const auto problem = upgradeProblem(head)) {
        refuse(socket, *problem, {});
        return;
    }
    const AuthDecision decision = authorizeUpgrade(head, address);
    if (!decision.accepted) {
        refuse(socket, decision.refusal, decision.detail, &decision);
        return;
    }
    release(socket);
    // Before the head goes back in: the buffer then takes it in a chunk of
    // its own size, not a 16 KiB one kept for the session's life.
    IdleReadBuffer::freeWhenEmpty(socket);
    UpgradeRequest::substituteHead(socket, headLength, UpgradeRequest::minimalHead(head));
    Q_EMIT handshakeAccepted(socket, decision, address);
}

std::optional<Refusal> HandshakeGate::upgradeProblem(const HttpRequestHead &head) const
{
    if (head.method() != "GET")
        return Refusal::MethodNotAllowed;
    // RFC 6455 section 4.2.1, checked here because QWebSocketServer closes a
    // bad handshake without any answer.
    if (head.version() != "HTTP/1.1" || head.headerCount("host") != 1
        || !head.headerHasToken("upgrade", "websocket")
        || !head.headerHasToken("connection", "upgrade"))
        return Refusal::NotWebSocketUpgrade;
    if (head.headerCount("sec-websocket-version") != 1
        || head.header("sec-websocket-version") != "13")
        return Refusal::UnsupportedVersion;
    const QByteArray key = head.header("sec-websocket-key");
    const auto decoded
        = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (head.headerCount("sec-websocket-key") != 1 || key.size() != 24 || !decoded
        || decoded.decoded.size() != 16)
        return Refusal::BadWebSocketKey;
    if (m_atCapacity && m_atCapacity())
        return Refusal::ServerFull;
    return std::nullopt;
}

AuthDecision HandshakeGate::authorizeUpgrade(const HttpRequestHead &head, const QString &address)
{
    AuthDecision decision = m_authenticator->authorize(head, address);
    if (decision.accepted && m_connectionsFor
        && m_connectionsFor(decision.claims.jti) >= m_limits.maxConnectionsPerToken) {
        decision.accepted = false;
        decision.refusal = Refusal::TooManyConnectionsForToken;
        decision.detail.clear();
        decision.retryAfterSecs = 5;
    }
    return decision;
}

HttpResponse HandshakeGate::refusalResponse(Refusal refusal, const QString &detail,
                                            int retryAfterSecs, const QByteArray &allow)
{
    QJsonObject details;
    if (!detail.isEmpty())
        details.insert(QStringLiteral("reason"), detail);
    HttpResponse response = HttpResponse::refusal(refusal, details);
    switch (response.status()) {
    case 401:
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        break;
    case 426:
        response.setHeader("Sec-WebSocket-Version", "13");
        break;
    case 429:
        response.setHeader("Retry-After", QByteArray::number(qMax(1, retryAfterSecs)));
        break;
    case 503:
        response.setHeader("Retry-After", "5");
        break;
    case 405:
        response.setHeader("Allow", allow);
        break;
    default:
        break;
    }
    return response;
}

void HandshakeGate::refuse(QTcpSocket *socket, Refusal refusal, const QString &detail,
                           const AuthDecision *decision, const QByteArray &allow)
{
    const HttpResponse response =
        refusalResponse(refusal, detail, decision ? decision->retryAfterSecs : 1, allow);

    HandshakeRefusal event;
    event.atMs = QDateTime::currentMSecsSinceEpoch();
    event.address = peerAddress(socket);
    event.status = response.status();
    event.code = Protocol::refusalCode(refusal);
    event.detail = detail;
    if (decision) {
        event.origin = sanitizedOrigin(decision->origin);
        event.transport = Protocol::transportName(decision->transport);
    }
    QString line = QStringLiteral("refused %1 %2").arg(event.status).arg(event.code);
    if (!detail.isEmpty())
        line += QStringLiteral(" (%1)").arg(detail);
    line += QStringLiteral(" from ") + event.address;
    if (!event.origin.isEmpty())
        line += QStringLiteral(" origin=") + event.origin;
    if (!event.transport.isEmpty() && decision && decision->transport != Protocol::Transport::None)
        line += QStringLiteral(" transport=") + event.transport;
    qCInfo(lcGate).noquote() << line;
    Q_EMIT handshakeRefused(event);
    respond(socket, response);
}

void HandshakeGate::respond(QTcpSocket *socket, const HttpResponse &response, bool headOnly)
{
    release(socket);
    // A lingering close: send the answer, then shut down only our sending
    // side and keep draining what the client still sends until it closes
    // (or the linger time ends). Closing outright with unread input makes
    // the kernel send RST, and the client could lose the answer.
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    auto *tlsSocket = qobject_cast<QSslSocket *>(socket);
    if (tlsSocket && tlsSocket->isEncrypted()) {
        // The raw half-close would cut off encrypted bytes still queued
        // below the TLS layer; disconnectFromHost() flushes them and sends
        // close_notify.
        socket->readAll();
        socket->write(response.serialize(headOnly));
        socket->disconnectFromHost();
        QTimer::singleShot(LingerMs, socket, [socket] { socket->abort(); });
        return;
    }
    connect(socket, &QTcpSocket::bytesWritten, socket, [socket] {
        if (socket->bytesToWrite() == 0)
            shutdownSending(socket);
    });
    socket->readAll();
    socket->write(response.serialize(headOnly));
    QTimer::singleShot(LingerMs, socket, [socket] { socket->abort(); });
}

bool HandshakeGate::evictOldestPending()
{
    // Linear, but only at the cap. Clients that send their head at once are
    // young; a head still unfinished after MinEvictAgeMs is a slow one. If
    // even the oldest is young, this is a reconnect storm, not slow loris:
    // the newcomer gets 503 and retries, the clients in progress stay.
    QObject *oldest = nullptr;
    qint64 oldestAt = 0;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (!oldest || it.value().acceptedAtMs < oldestAt) {
            oldest = it.key();
            oldestAt = it.value().acceptedAtMs;
        }
    }
    if (!oldest || QDateTime::currentMSecsSinceEpoch() - oldestAt < MinEvictAgeMs)
        return false;
    ++m_evictedHeads;
    if (m_evictedHeads == 1 || m_evictedHeads % 1000 == 0)
        qCWarning(lcGate).noquote() << QStringLiteral("%1 unfinished request heads (limits/max_pending_heads): "
                                                      "dropping the oldest (%2 dropped so far)")
                                           .arg(m_limits.maxPendingHeads).arg(m_evictedHeads);
    dropPending(oldest);
    return true;
}

void HandshakeGate::dropPending(QObject *key)
{
    if (auto *notifier = qobject_cast<QSocketNotifier *>(key)) {
        dropBare(notifier);
        return;
    }
    auto *socket = static_cast<QTcpSocket *>(key);
    release(socket);
    socket->abort();
    socket->deleteLater();
}

bool HandshakeGate::atAddressCap(const QString &address) const
{
    const int fromAddress
        = m_pendingFrom.value(address) + (m_connectionsFrom ? m_connectionsFrom(address) : 0);
    return fromAddress >= m_limits.maxConnectionsPerAddress;
}

void HandshakeGate::rememberPending(QObject *key, const Pending &pending)
{
    m_pending.insert(key, pending);
    ++m_pendingFrom[pending.address];
}

void HandshakeGate::forgetPending(QObject *key)
{
    const auto pending = m_pending.constFind(key);
    if (pending == m_pending.cend())
        return;
    const auto count = m_pendingFrom.find(pending.value().address);
    if (count != m_pendingFrom.end() && --count.value() <= 0)
        m_pendingFrom.erase(count);
    m_pending.erase(pending);
}

void HandshakeGate::release(QTcpSocket *socket)
{
    forgetPending(socket);
    disconnect(socket, nullptr, this, nullptr);
    socket->setReadBufferSize(0);
}

} // namespace KioskGate
