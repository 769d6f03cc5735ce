#include "InboundByteBudget.h"

#include "Clock.h"

#include <QTcpSocket>

namespace KioskGate {

InboundByteBudget::InboundByteBudget(QTcpSocket *socket, const Clock *clock, qint64 bytesPerSecond,
                                     qint64 burst, std::function<void()> exceeded)
    : QObject(socket), m_socket(socket), m_clock(clock), m_bytesPerSecond(bytesPerSecond), m_burst(burst),
      m_exceeded(std::move(exceeded)), m_budget(double(burst)), m_budgetAtMs(clock->nowMs())
{
    // The gate only peeked: the request head is still unread.
    m_unread = socket->bytesAvailable();
    m_received = m_unread;
    connect(socket, &QTcpSocket::readyRead, this, &InboundByteBudget::onReadyRead);
}

void InboundByteBudget::followReader()
{
    if (!m_socket)
        return;
    // Whatever the upgrade and the QWebSocket constructor left unread stays
    // counted; the queued slot runs after QWebSocket's queued reader.
    m_unread = m_socket->bytesAvailable();
    connect(m_socket, &QTcpSocket::readyRead, this, &InboundByteBudget::afterReader, Qt::QueuedConnection);
}

void InboundByteBudget::onReadyRead()
{
    if (m_onBytes)
        m_onBytes();
    if (m_reported || !m_socket)
        return;
    const qint64 available = m_socket->bytesAvailable();
    const qint64 fresh = qMax<qint64>(0, available - m_unread);
    m_unread = available;
    m_received += fresh;
    const qint64 now = m_clock->nowMs();
    const double refill = double(qMax<qint64>(0, now - m_budgetAtMs)) * double(m_bytesPerSecond) / 1000.0;
    m_budget = qMin(double(m_burst), m_budget + refill) - double(fresh);
    m_budgetAtMs = now;
    if (m_budget < 0) {
        m_reported = true;
        m_exceeded();
    }
}

void InboundByteBudget::afterReader()
{
    if (m_socket)
        m_unread = qMin(m_unread, m_socket->bytesAvailable());
}

} // namespace KioskGate
