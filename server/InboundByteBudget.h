#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

class QTcpSocket;

namespace KioskGate {

class Clock;

/// Counts every byte a kiosk sends on its connection, whatever it carries,
/// against a token bucket (limits/inbound_bytes_per_second, bucket
/// limits/inbound_byte_burst), and reports once when the bucket runs dry.
///
/// Why bytes: QWebSocket answers pings (and swallows pongs) itself, so
/// control frames never reach the frame rate limit; a ping flood would
/// otherwise cost parsing and pong writes without end.
///
/// How: QWebSocket reads its socket in a slot connected with
/// Qt::QueuedConnection to readyRead (Qt 6.4, QWebSocketPrivate::
/// makeConnections). A direct slot therefore sees bytesAvailable() before
/// QWebSocket has read anything: new bytes = available now - what was left
/// unread last time. A queued slot connected after QWebSocket's runs right
/// after it and notes what it left unread (a partial frame).
class InboundByteBudget : public QObject
{
    Q_OBJECT
public:
    /// Watches `socket` (becomes its child, so it goes with it). Connect
    /// before the socket is handed to QWebSocketServer.
    InboundByteBudget(QTcpSocket *socket, const Clock *clock, qint64 bytesPerSecond, qint64 burst,
                      std::function<void()> exceeded);

    /// Call once the QWebSocket on the socket exists (its reader is connected).
    void followReader();
    /// Runs whenever bytes arrive, before the budget is charged: lets the
    /// session note it without a readyRead connection of its own. An empty
    /// function unhooks it.
    void setOnBytes(std::function<void()> onBytes) { m_onBytes = std::move(onBytes); }
    qint64 received() const { return m_received; }

private:
    void onReadyRead();
    void afterReader();

    QPointer<QTcpSocket> m_socket;
    const Clock *m_clock;
    qint64 m_bytesPerSecond;
    qint64 m_burst;
    std::function<void()> m_exceeded;
    std::function<void()> m_onBytes;
    double m_budget;
    qint64 m_budgetAtMs;
    qint64 m_unread = 0;   // bytes already counted that nobody has read yet
    qint64 m_received = 0; // all bytes counted
    bool m_reported = false;
};

} // namespace KioskGate
