#include "DirectWriteSocket.h"

#include "SocketDescriptor.h"

#include <utility>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

namespace KioskGate {

DirectWriteSocket *DirectWriteSocket::adopt(qintptr descriptor, QObject *parent)
{
    auto *socket = new DirectWriteSocket(parent);
    if (socket->setSocketDescriptor(descriptor))
        return socket;
    delete socket;
    closeSocketDescriptor(descriptor);
    return nullptr;
}

qint64 DirectWriteSocket::writeData(const char *data, qint64 size)
{
    m_unsentBound += size;
    if (m_holding) {
        m_held.append(data, size);
        return size;
    }
#ifdef Q_OS_LINUX
    const qintptr descriptor = socketDescriptor();
    if (m_direct && size > 0 && descriptor >= 0 && bytesToWrite() == 0
        && state() == QAbstractSocket::ConnectedState) {
        m_kernelMayHoldBytes = true;
        ssize_t sent;
        do {
            // MSG_NOSIGNAL: a peer gone away is an error result, not SIGPIPE.
            sent = ::send(int(descriptor), data, size_t(size), MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (sent < 0 && errno == EINTR);
        if (sent == size) {
            m_directBytes += sent;
            return size;
        }
        if (sent > 0) {
            m_directBytes += sent;
            const qint64 rest = QTcpSocket::writeData(data + sent, size - qint64(sent));
            return rest < 0 ? qint64(sent) : qint64(sent) + rest;
        }
        // EAGAIN or a real error: Qt queues it, or reports the error its way.
    }
#endif
    return QTcpSocket::writeData(data, size);
}

void DirectWriteSocket::releaseWrites()
{
    m_holding = false;
    if (m_held.isEmpty())
        return;
    const QByteArray held = std::exchange(m_held, QByteArray()); // frees it after the send
    m_unsentBound -= held.size(); // counted when held; writeData() counts it again
    if (state() == QAbstractSocket::ConnectedState)
        writeData(held.constData(), held.size());
}

qint64 DirectWriteSocket::unsentBytes()
{
    qint64 unsent = bytesToWrite() + m_held.size();
#ifdef Q_OS_LINUX
    const qintptr descriptor = socketDescriptor();
    if (m_direct && (m_kernelMayHoldBytes || unsent > 0) && descriptor >= 0) {
        int inKernel = 0;
        if (::ioctl(int(descriptor), SIOCOUTQ, &inKernel) == 0) {
            unsent += inKernel;
            m_kernelMayHoldBytes = inKernel > 0;
        }
    }
#endif
    m_unsentBound = unsent;
    return unsent;
}

} // namespace KioskGate
