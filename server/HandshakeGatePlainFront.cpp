// HandshakeGate's plain front: connections that come as bare descriptors
// (plain TCP, not Windows; GateListener::setPlainFront). A whole upgrade
// head is peeked in the kernel's queue and decided before any QTcpSocket
// exists; everything else becomes a socket for the gate's socket path
// (HandshakeGate.cpp) with its head still unread.

#include "DirectWriteSocket.h"
#include "HandshakeGate.h"
#include "SocketDescriptor.h"
#include "UpgradeRequest.h"

#include <QDateTime>
#include <QSocketNotifier>
#include <QTcpSocket>

#ifndef Q_OS_WIN
#include <cerrno>
#include <sys/socket.h>
#endif

namespace KioskGate {

using Protocol::Refusal;

namespace {

#ifndef Q_OS_WIN
// recv() without blocking, again if a signal interrupted it.
ssize_t recvNow(qintptr descriptor, char *buffer, int size, int flags)
{
    ssize_t got = 0;
    do {
        got = ::recv(int(descriptor), buffer, size_t(size), flags | MSG_DONTWAIT);
    } while (got < 0 && errno == EINTR);
    return got;
}
#endif

// A notifier that is done with; deleted later, since this may run inside
// its own activated() signal.
void retire(QSocketNotifier *notifier)
{
    notifier->setEnabled(false);
    notifier->deleteLater();
}

} // namespace

bool HandshakeGate::takeDescriptor(qintptr descriptor, const QString &address)
{
    // At a cap the socket path answers (watch()).
    if (atAddressCap(address) || m_pending.size() >= m_limits.maxPendingHeads)
        return false;
    HttpRequestHead head;
    int headLength = 0;
    switch (peekBareHead(descriptor, &head, &headLength)) {
    case BareHead::Other:
        return false;
    case BareHead::Gone:
        closeSocketDescriptor(descriptor);
        return true;
    case BareHead::Upgrade:
        decideBareUpgrade(descriptor, head, headLength, address);
        return true;
    case BareHead::NotYet:
        break;
    }
    // A server that keeps up accepts before the client has sent its head:
    // wait for it with a notifier, not a whole socket.
    auto *notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this,
            [this, notifier] { bareReadable(notifier); });
    rememberPending(notifier, { QDateTime::currentMSecsSinceEpoch(), address, descriptor });
    return true;
}

void HandshakeGate::bareReadable(QSocketNotifier *notifier)
{
    const auto pending = m_pending.constFind(notifier);
    if (pending == m_pending.cend())
        return;
    const qintptr descriptor = pending->bareDescriptor;
    const QString address = pending->address;
    HttpRequestHead head;
    int headLength = 0;
    switch (peekBareHead(descriptor, &head, &headLength)) {
    case BareHead::NotYet:
        return;
    case BareHead::Gone:
        dropBare(notifier);
        return;
    case BareHead::Other:
        // Part of a head, another path, or one to refuse: all still unread,
        // for the socket path, within the same time limit.
        wrapPending(notifier);
        return;
    case BareHead::Upgrade:
        forgetPending(notifier);
        retire(notifier);
        decideBareUpgrade(descriptor, head, headLength, address);
        return;
    }
}

HandshakeGate::BareHead HandshakeGate::peekBareHead(qintptr descriptor, HttpRequestHead *head,
                                                    int *headLength)
{
#ifdef Q_OS_WIN
    Q_UNUSED(descriptor);
    Q_UNUSED(head);
    Q_UNUSED(headLength);
    return BareHead::Other;
#else
    // One byte over the cap tells a head that is too large from one that
    // just fits.
    const int capacity = m_limits.maxHeadBytes + 1;
    if (m_peekBuffer.size() < capacity)
        m_peekBuffer.resize(capacity);
    const ssize_t got = recvNow(descriptor, m_peekBuffer.data(), capacity, MSG_PEEK);
    if (got < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? BareHead::NotYet : BareHead::Gone;
    if (got == 0)
        return BareHead::Gone;
    // A copy of what arrived: the parsed fields share its data, and the
    // buffer is used again.
    const QByteArray data(m_peekBuffer.constData(), qsizetype(got));
    if (head->parse(data, m_limits.maxHeadBytes, headLength)
            != HttpRequestHead::ParseResult::Complete
        || head->path() != Protocol::KioskPath || upgradeProblem(*head))
        return BareHead::Other;
    return BareHead::Upgrade;
#endif
}

void HandshakeGate::decideBareUpgrade(qintptr descriptor, const HttpRequestHead &head,
                                      int headLength, const QString &address)
{
    const AuthDecision decision = authorizeUpgrade(head, address);
    if (!decision.accepted) {
        if (QTcpSocket *socket = DirectWriteSocket::adopt(descriptor, this))
            refuse(socket, decision.refusal, decision.detail, &decision);
        return;
    }
#ifndef Q_OS_WIN
    // The head was only peeked. Read now, so that the upgrade reads what
    // follows it, after the head it is given instead. It is all there: only
    // this thread reads the descriptor.
    if (recvNow(descriptor, m_peekBuffer.data(), headLength, 0) != headLength) {
        closeSocketDescriptor(descriptor);
        return;
    }
#endif
    Q_EMIT descriptorAccepted(descriptor, UpgradeRequest::minimalHead(head), decision, address);
}

QTcpSocket *HandshakeGate::wrapPending(QSocketNotifier *notifier)
{
    Pending pending = m_pending.value(notifier);
    forgetPending(notifier);
    retire(notifier);
    QTcpSocket *socket = DirectWriteSocket::adopt(pending.bareDescriptor, this);
    if (!socket)
        return nullptr;
    pending.bareDescriptor = -1;
    track(socket, pending);
    return socket;
}

void HandshakeGate::dropBare(QSocketNotifier *notifier)
{
    const qintptr descriptor = m_pending.value(notifier).bareDescriptor;
    forgetPending(notifier);
    retire(notifier);
    closeSocketDescriptor(descriptor);
}

} // namespace KioskGate
