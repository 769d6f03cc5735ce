#pragma once

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <functional>

class QSocketNotifier;
class QTcpServer;
class QTcpSocket;
class QTimer;

namespace KioskGate {

/// The gate's listening socket and accept loop: hands every accepted
/// connection to its owner as a QTcpSocket (a DirectWriteSocket, or with
/// TLS an encrypted QSslSocket once its handshake is done).
///
/// Why its own loop (Unix): QTcpServer hides EMFILE behind an earlier
/// EAGAIN (Qt 6.4 keeps a socket engine's first error) and then spins on
/// the readable listener. Here accept() runs on a duplicate of QTcpServer's
/// descriptor, at most 512 per wake-up, and a failure (out of descriptors)
/// pauses accepting, retries every second and logs once per episode.
class GateListener : public QObject
{
    Q_OBJECT
public:
    explicit GateListener(QObject *parent = nullptr);
    ~GateListener() override;

    /// Listens with TLS (a TlsListener) instead of plain TCP: call before
    /// listen().
    void useTls(const QSslConfiguration &configuration, int handshakeTimeoutMs);
    /// Replaces the certificate for connections accepted from now on.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    bool isTls() const { return m_tls; }
    /// Where the accept loop runs (Unix) and without TLS: offers each
    /// connection as a bare descriptor first, with the peer's address as
    /// text (peerAddressText()). Returning true takes the descriptor;
    /// false lets it become a socket and go out through accepted().
    using PlainFront = std::function<bool(qintptr descriptor, const QString &address)>;
    void setPlainFront(PlainFront front) { m_plainFront = std::move(front); }

    /// `deferAcceptSecs` > 0 (Linux): a connection is accepted only once
    /// its client has sent something, or after about that many seconds
    /// (TCP_DEFER_ACCEPT). Kiosks send their head at once, so the plain
    /// front finds it at the accept and needs no wait of its own; a client
    /// that stays silent waits in the kernel, not in the gate.
    bool listen(const QHostAddress &address, quint16 port, int backlog, int deferAcceptSecs,
                QString *error);
    void close();
    bool isListening() const;
    QHostAddress serverAddress() const;
    quint16 serverPort() const;

Q_SIGNALS:
    /// A new connection, this object's child until the receiver takes it.
    void accepted(QTcpSocket *socket);
    /// Plain HTTP arrived on the TLS port (answered with 400 already).
    void plainRequestRefused(const QString &address);

private:
    void attachListener();
    void acceptPending();
    void acceptReady();
    void acceptFailed(const QString &reason);
    /// A connection accepted here: TLS goes through the TlsListener, plain
    /// becomes a DirectWriteSocket.
    void adoptDescriptor(qintptr descriptor);
    /// Ends an accept-failure episode once accepts have worked for a while
    /// (logs how long it lasted).
    void noteAcceptWorks();

    QTcpServer *m_listener;
    bool m_tls = false;
    PlainFront m_plainFront;
    QSocketNotifier *m_acceptNotifier = nullptr; // our accept loop (Unix)
    int m_acceptFd = -1;                         // its duplicate of the listener
    QTimer *m_calmCheck;                         // runs during an episode only
    qint64 m_acceptFailingSinceMs = 0;           // 0: accept() works
    qint64 m_lastAcceptFailureMs = 0;
    int m_acceptRetries = 0;
};

} // namespace KioskGate
