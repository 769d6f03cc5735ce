#pragma once

#include <QHash>
#include <QSslServer>

class QSocketNotifier;

namespace KioskGate {

/// QSslServer that first looks at a new connection's first byte without
/// reading it. A TLS ClientHello (0x16) goes on to QSslServer's handshake
/// (with its handshake timeout). Anything else is most likely plain HTTP
/// sent to the TLS port ("http://" typed for "https://"): it gets a clear
/// 400 in plain text rather than a silent close. A connection that sends
/// nothing within the handshake timeout is closed.
class TlsListener : public QSslServer
{
    Q_OBJECT
public:
    explicit TlsListener(QObject *parent = nullptr);
    ~TlsListener() override;

    /// A connection the gate accepted itself: handled as if QTcpServer had
    /// accepted it (first-byte check, then the TLS handshake).
    void takeConnection(qintptr descriptor) { incomingConnection(descriptor); }

    /// Connections whose first byte has not arrived yet.
    int waitingCount() const { return int(m_waiting.size()); }

Q_SIGNALS:
    /// accept() gave a connection (before any TLS): the gate ends an
    /// out-of-descriptors episode on it.
    void accepted();
    /// A connection spoke something other than TLS and was answered 400.
    void plainRequestRefused(const QString &address);
    /// A connection sent nothing within the handshake timeout.
    void silentConnectionClosed();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Waiting
    {
        QSocketNotifier *notifier = nullptr;
        qint64 acceptedAtMs = 0;
    };
    void classify(qintptr descriptor);
    void forget(qintptr descriptor);
    void answerPlainRequest(qintptr descriptor);
    void closeLate();

    QHash<qintptr, Waiting> m_waiting;
};

} // namespace KioskGate
