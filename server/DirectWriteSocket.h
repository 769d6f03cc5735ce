#pragma once

#include <QTcpSocket>

namespace KioskGate {

/// A QTcpSocket that, once switched on, hands writes straight to the kernel
/// while nothing of its own is still queued.
///
/// Why: QAbstractSocket copies every write into its write buffer and flushes
/// it later; the buffer's first 32 KiB chunk is then kept for the socket's
/// whole life. For a fleet of mostly idle kiosks that chunk was the largest
/// single part of the memory per connection, and the copy plus the deferred
/// flush is work a broadcast to every kiosk repeats N times.
///
/// Order is kept: a direct send happens only when Qt's buffer is empty, and
/// whatever the kernel does not take at once (or any error) goes through
/// QTcpSocket's own path, which queues it and reports errors as usual.
///
/// Linux only (elsewhere it behaves as a plain QTcpSocket): that is where
/// the network thread runs on epoll and the fleet-scale figures are taken.
///
/// bytesWritten() is emitted only for bytes that went through Qt's buffer.
/// Turn direct writes on only where nothing relies on it: after the hand-over
/// to QWebSocketServer, whose QWebSocket merely forwards the signal.
class DirectWriteSocket : public QTcpSocket
{
    Q_OBJECT
public:
    using QTcpSocket::QTcpSocket;

    /// A socket for an accepted, connected descriptor, as the gate and the
    /// upgrade threads make them. Null if Qt refuses the descriptor, which
    /// is then closed.
    static DirectWriteSocket *adopt(qintptr descriptor, QObject *parent = nullptr);

    void setDirectWrites(bool on) { m_direct = on; }
    /// Keeps writes back until releaseWrites(), then sends them at once:
    /// the 101 answer and the welcome frame leave in one send() (one segment,
    /// one wake-up of the kiosk) as they did in Qt's buffer, not in two.
    /// What is held is in no socket buffer yet: release it before anything
    /// (like close()) that ought to wait for it.
    void holdWrites() { m_holding = true; }
    void releaseWrites();
    bool directWrites() const { return m_direct; }
    /// Bytes the kernel took straight from writeData(), for tests.
    qint64 directBytes() const { return m_directBytes; }
    /// Bytes written but not yet taken by the peer: Qt's buffer plus what
    /// the kernel still holds unsent or unacknowledged. With direct writes
    /// the kernel's send buffer (autotuned up to megabytes) is where a peer
    /// that stops reading piles up, so a write cap must count it. Asks the
    /// kernel only if something was written since it last said "nothing":
    /// the slow-consumer sweep over an idle fleet makes no system calls.
    qint64 unsentBytes();
    /// Never less than unsentBytes() would say, and asks nothing of the
    /// kernel: what unsentBytes() last found plus every byte written since.
    /// A cap the bound is under cannot be exceeded, so a sweep for slow
    /// consumers skips the system call for the many kiosks that read.
    qint64 unsentUpperBound() const { return m_unsentBound; }

protected:
    qint64 writeData(const char *data, qint64 size) override;

private:
    bool m_direct = false;
    bool m_holding = false;
    bool m_kernelMayHoldBytes = false;
    QByteArray m_held;
    qint64 m_directBytes = 0;
    qint64 m_unsentBound = 0;
};

} // namespace KioskGate
