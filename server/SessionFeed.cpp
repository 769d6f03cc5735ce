#include "SessionFeed.h"

#include <QTimer>

namespace KioskGate {

SessionFeed::SessionFeed(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    qRegisterMetaType<KioskGate::SessionBatch>();
    m_timer->setSingleShot(true);
    m_timer->setInterval(DefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &SessionFeed::flush);
}

void SessionFeed::setIntervalMs(int ms)
{
    m_timer->setInterval(qMax(1, ms));
}

int SessionFeed::intervalMs() const
{
    return m_timer->interval();
}

void SessionFeed::schedule()
{
    // Started by the first event of a batch and not restarted by the
    // following ones: a steady stream still flushes every interval.
    if (!m_timer->isActive())
        m_timer->start();
}

void SessionFeed::recordOpened(const SessionInfo &session)
{
    m_openedIndex.insert(session.id, int(m_pending.opened.size()));
    m_pending.opened.append(session);
    schedule();
}

void SessionFeed::recordUpdated(const SessionInfo &session)
{
    const auto opened = m_openedIndex.constFind(session.id);
    if (opened != m_openedIndex.cend())
        m_pending.opened[*opened] = session; // not seen yet: open it with its latest state
    else
        m_updated.insert(session.id, session);
    schedule();
}

void SessionFeed::recordClosed(const SessionInfo &session, int closeCode, const QString &reason, qint64 atMs)
{
    m_updated.remove(session.id);
    m_pending.closed.append({session, closeCode, reason, atMs});
    schedule();
}

void SessionFeed::recordRefused(const HandshakeRefusal &refusal)
{
    if (m_pending.refusals.size() < MaxRefusalsPerBatch)
        m_pending.refusals.append(refusal);
    else
        ++m_pending.refusalsDropped;
    schedule();
}

void SessionFeed::flush()
{
    m_timer->stop();
    m_pending.updated = m_updated.values();
    m_updated.clear();
    m_openedIndex.clear();
    if (m_pending.isEmpty())
        return;
    SessionBatch batch;
    std::swap(batch, m_pending);
    Q_EMIT batchReady(batch);
}

} // namespace KioskGate
