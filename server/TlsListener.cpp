#include "TlsListener.h"

#include "HttpResponse.h"
#include "Logging.h"
#include "PeerAddress.h"
#include "SocketDescriptor.h"

#include <QDateTime>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <cerrno>
#include <sys/socket.h>
#endif

namespace KioskGate {

namespace {

constexpr char TlsHandshakeRecord = 0x16;
// More connections than this waiting for their first byte are not taken on.
constexpr int MaxWaiting = 4096;
constexpr int PlainAnswerLingerMs = 2000;

// 1: byte peeked; 0: peer closed; -1: nothing yet; -2: error.
int peekFirstByte(qintptr descriptor, char *byte)
{
#ifdef Q_OS_WIN
    const int n = ::recv(SOCKET(descriptor), byte, 1, MSG_PEEK);
    if (n < 0)
        return WSAGetLastError() == WSAEWOULDBLOCK ? -1 : -2;
#else
    const ssize_t n = ::recv(int(descriptor), byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
#endif
    return n > 0 ? 1 : 0;
}

} // namespace

TlsListener::TlsListener(QObject *parent) : QSslServer(parent)
{
    auto *sweep = new QTimer(this);
    sweep->setInterval(250);
    connect(sweep, &QTimer::timeout, this, &TlsListener::closeLate);
    sweep->start();
}

TlsListener::~TlsListener()
{
    const auto descriptors = m_waiting.keys();
    for (qintptr descriptor : descriptors) {
        forget(descriptor);
        closeSocketDescriptor(descriptor);
    }
}

void TlsListener::incomingConnection(qintptr descriptor)
{
    Q_EMIT accepted();
    if (m_waiting.size() >= MaxWaiting) {
        closeSocketDescriptor(descriptor);
        return;
    }
    auto *notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    m_waiting.insert(descriptor, {notifier, QDateTime::currentMSecsSinceEpoch()});
    connect(notifier, &QSocketNotifier::activated, this, [this, descriptor] { classify(descriptor); });
}

void TlsListener::classify(qintptr descriptor)
{
    char byte = 0;
    const int peeked = peekFirstByte(descriptor, &byte);
    if (peeked == -1)
        return;
    forget(descriptor);
    if (peeked != 1) {
        closeSocketDescriptor(descriptor);
        return;
    }
    if (byte == TlsHandshakeRecord)
        QSslServer::incomingConnection(descriptor); // handshake, with its own timeout
    else
        answerPlainRequest(descriptor);
}

void TlsListener::forget(qintptr descriptor)
{
    const auto it = m_waiting.find(descriptor);
    if (it == m_waiting.end())
        return;
    it->notifier->setEnabled(false);
    it->notifier->deleteLater();
    m_waiting.erase(it);
}

void TlsListener::answerPlainRequest(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        closeSocketDescriptor(descriptor);
        return;
    }
    const QString address = peerAddressText(socket->peerAddress());
    qCInfo(lcGate).noquote() << "refused 400 tls_required (plain request on the TLS port) from" << address;
    Q_EMIT plainRequestRefused(address);

    HttpResponse response(400);
    response.setJsonBody({{QStringLiteral("error"), QStringLiteral("tls_required")},
                          {QStringLiteral("reason"),
                           QStringLiteral("this port speaks TLS only: use https:// or wss://")}});
    // Read what the client sent before closing, so the kernel does not reset
    // the connection (and lose the answer) over unread input.
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->waitForReadyRead(0); // pulls in what the kernel already holds
    socket->readAll();
    socket->write(response.serialize());
    socket->disconnectFromHost();
    QTimer::singleShot(PlainAnswerLingerMs, socket, [socket] { socket->abort(); });
}

void TlsListener::closeLate()
{
    if (m_waiting.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<qintptr> late;
    for (auto it = m_waiting.cbegin(); it != m_waiting.cend(); ++it) {
        if (now - it->acceptedAtMs >= handshakeTimeout())
            late.append(it.key());
    }
    for (qintptr descriptor : late) {
        forget(descriptor);
        qCDebug(lcGate) << "closed a connection that sent nothing within" << handshakeTimeout() << "ms";
        closeSocketDescriptor(descriptor);
        Q_EMIT silentConnectionClosed();
    }
}

} // namespace KioskGate
