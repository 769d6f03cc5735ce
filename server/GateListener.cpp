#include "GateListener.h"

#include "DirectWriteSocket.h"
#include "Logging.h"
#include "PeerAddress.h"
#include "TlsListener.h"

#include <QDateTime>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

#ifndef Q_OS_WIN
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace KioskGate {

namespace {

// Retry interval of accept() after it failed (out of file descriptors).
constexpr int AcceptRetryMs = 1000;
// Accepts working this long (no failure) end an out-of-descriptors episode.
constexpr int AcceptCalmMs = 3000;
// Bounded per wake-up, so a flood of connections cannot starve the sockets
// already accepted.
constexpr int MaxAcceptsPerWakeUp = 512;

} // namespace

GateListener::GateListener(QObject *parent)
    : QObject(parent), m_listener(new QTcpServer(this)), m_calmCheck(new QTimer(this))
{
    attachListener();
    m_calmCheck->setInterval(250);
    connect(m_calmCheck, &QTimer::timeout, this, &GateListener::noteAcceptWorks);
}

GateListener::~GateListener()
{
    delete m_acceptNotifier;
#ifndef Q_OS_WIN
    if (m_acceptFd >= 0)
        ::close(m_acceptFd);
#endif
}

void GateListener::attachListener()
{
    connect(m_listener, &QTcpServer::pendingConnectionAvailable, this, &GateListener::acceptPending);
    // Where QTcpServer accepts (Windows): it stops for good after a hard
    // accept() error (out of descriptors); resume on a timer.
    connect(m_listener, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        acceptFailed(m_listener->errorString());
    });
}

void GateListener::noteAcceptWorks()
{
    // An episode ends once accepts have worked for a while: a server at
    // its limit that frees one descriptor now and then flaps between
    // success and failure, and that is still one episode (one warning).
    if (m_acceptFailingSinceMs == 0)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastAcceptFailureMs < AcceptCalmMs)
        return;
    qCWarning(lcGate).noquote() << QStringLiteral("accepting again after %1 ms (%2 failed attempts)")
                                       .arg(m_lastAcceptFailureMs - m_acceptFailingSinceMs)
                                       .arg(m_acceptRetries);
    m_acceptFailingSinceMs = 0;
    m_calmCheck->stop();
}

void GateListener::useTls(const QSslConfiguration &configuration, int handshakeTimeoutMs)
{
    Q_ASSERT(!m_listener->isListening());
    auto *listener = new TlsListener(this);
    listener->setSslConfiguration(configuration);
    listener->setHandshakeTimeout(handshakeTimeoutMs);
    connect(listener, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError error) {
        // Scanners and clients that do not trust the certificate end here;
        // debug only, or a port scan floods the log.
        qCDebug(lcGate).noquote() << "TLS handshake with" << peerAddressText(socket->peerAddress())
                                  << "failed:" << error << socket->errorString();
    });
    connect(listener, &TlsListener::accepted, this, &GateListener::noteAcceptWorks);
    connect(listener, &TlsListener::plainRequestRefused, this, &GateListener::plainRequestRefused);
    delete m_listener;
    m_listener = listener;
    m_tls = true;
    attachListener();
}

void GateListener::setTlsConfiguration(const QSslConfiguration &configuration)
{
    if (auto *listener = qobject_cast<QSslServer *>(m_listener))
        listener->setSslConfiguration(configuration);
}

bool GateListener::listen(const QHostAddress &address, quint16 port, int backlog,
                          int deferAcceptSecs, QString *error)
{
    m_listener->setListenBacklogSize(backlog);
    m_listener->setMaxPendingConnections(backlog);
    if (!m_listener->listen(address, port)) {
        if (error) {
            *error = QStringLiteral("cannot listen on %1 port %2: %3")
                         .arg(address.toString()).arg(port).arg(m_listener->errorString());
        }
        return false;
    }
#ifdef Q_OS_LINUX
    // Most connections used to be accepted before their head had arrived
    // and then waited for it under a notifier of their own: a QObject, two
    // epoll changes and one more wake-up per kiosk (docs/performance.md).
    if (deferAcceptSecs > 0
        && ::setsockopt(int(m_listener->socketDescriptor()), IPPROTO_TCP, TCP_DEFER_ACCEPT,
                        &deferAcceptSecs, sizeof deferAcceptSecs)
            != 0) {
        qCWarning(lcServer).noquote() << "cannot defer accepts until data arrives:"
                                      << QString::fromLocal8Bit(std::strerror(errno));
    }
#else
    Q_UNUSED(deferAcceptSecs);
#endif
#ifndef Q_OS_WIN
    // QTcpServer keeps listening (address, port, close); we accept, on a
    // duplicate of its descriptor: QTcpServer turns its own notifier back
    // on in nextPendingConnection() (the TLS path), and two notifiers of
    // one type on one descriptor are not supported.
    m_listener->pauseAccepting();
    m_acceptFd = ::fcntl(int(m_listener->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (m_acceptFd < 0) {
        m_listener->resumeAccepting(); // QTcpServer accepts, as on Windows
        return true;
    }
    m_acceptNotifier = new QSocketNotifier(m_acceptFd, QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &GateListener::acceptReady);
#endif
    return true;
}

void GateListener::acceptReady()
{
#ifndef Q_OS_WIN
    const int listener = m_acceptFd;
    // The peer's address comes with the accept: a bare descriptor needs no
    // getpeername() of its own.
    const bool plainFront = !m_tls && m_plainFront;
    sockaddr_storage peer;
    for (int i = 0; i < MaxAcceptsPerWakeUp; ++i) {
        socklen_t peerLength = sizeof(peer);
        sockaddr *peerOut = plainFront ? reinterpret_cast<sockaddr *>(&peer) : nullptr;
        socklen_t *peerLengthOut = plainFront ? &peerLength : nullptr;
#ifdef Q_OS_LINUX
        const int descriptor
            = ::accept4(listener, peerOut, peerLengthOut, SOCK_CLOEXEC | SOCK_NONBLOCK);
#else
        const int descriptor = ::accept(listener, peerOut, peerLengthOut);
        if (descriptor >= 0) {
            ::fcntl(descriptor, F_SETFD, FD_CLOEXEC);
            ::fcntl(descriptor, F_SETFL, ::fcntl(descriptor, F_GETFL) | O_NONBLOCK);
        }
#endif
        if (descriptor >= 0) {
            noteAcceptWorks();
            if (plainFront
                && m_plainFront(descriptor,
                                peerAddressText(QHostAddress(reinterpret_cast<sockaddr *>(&peer)))))
                continue;
            adoptDescriptor(descriptor);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        // EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays in the
        // backlog and the listener stays readable.
        acceptFailed(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
#endif
}

void GateListener::adoptDescriptor(qintptr descriptor)
{
    if (auto *tls = qobject_cast<TlsListener *>(m_listener)) {
        tls->takeConnection(descriptor);
        return;
    }
    if (auto *socket = DirectWriteSocket::adopt(descriptor, this))
        Q_EMIT accepted(socket);
}

void GateListener::acceptFailed(const QString &reason)
{
    // Pause, retry on a timer, and log once per episode (not per retry).
    if (m_acceptFailingSinceMs == 0) {
        m_acceptFailingSinceMs = QDateTime::currentMSecsSinceEpoch();
        m_acceptRetries = 0;
        m_calmCheck->start();
        qCWarning(lcGate).noquote()
            << QStringLiteral("accept failed: %1 - out of file descriptors? pausing accepts, retrying every %2 ms")
                   .arg(reason).arg(AcceptRetryMs);
    }
    ++m_acceptRetries;
    m_lastAcceptFailureMs = QDateTime::currentMSecsSinceEpoch();
    if (m_acceptNotifier) {
        m_acceptNotifier->setEnabled(false);
        QTimer::singleShot(AcceptRetryMs, m_acceptNotifier, [notifier = m_acceptNotifier] {
            notifier->setEnabled(true);
        });
        return;
    }
    m_listener->pauseAccepting();
    QTimer::singleShot(AcceptRetryMs, this, [this] {
        if (m_listener->isListening())
            m_listener->resumeAccepting();
    });
}

void GateListener::close()
{
    delete m_acceptNotifier; // before its descriptor closes
    m_acceptNotifier = nullptr;
#ifndef Q_OS_WIN
    if (m_acceptFd >= 0)
        ::close(m_acceptFd);
#endif
    m_acceptFd = -1;
    m_listener->close();
}

bool GateListener::isListening() const
{
    return m_listener->isListening();
}

QHostAddress GateListener::serverAddress() const
{
    return m_listener->serverAddress();
}

quint16 GateListener::serverPort() const
{
    return m_listener->serverPort();
}

void GateListener::acceptPending()
{
    while (QTcpSocket *socket = m_listener->nextPendingConnection())
        Q_EMIT accepted(socket);
    // nextPendingConnection() turns QTcpServer's own accepting back on;
    // where we accept ourselves it must stay off.
    if (m_acceptNotifier)
        m_listener->pauseAccepting();
}

} // namespace KioskGate
