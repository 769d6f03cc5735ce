#include "SessionOrder.h"

namespace KioskGate {

void SessionOrder::append(SessionLinks *session, const QString &kiosk)
{
    session->sequence = ++m_nextSequence;
    session->older = m_newest;
    session->newer = nullptr;
    (m_newest ? m_newest->newer : m_oldest) = session;
    m_newest = session;
    ++m_size;

    Kiosk &sessions = m_byKiosk[kiosk];
    session->olderOfKiosk = sessions.newest;
    session->newerOfKiosk = nullptr;
    (sessions.newest ? sessions.newest->newerOfKiosk : sessions.oldest) = session;
    sessions.newest = session;
    ++sessions.count;
}

void SessionOrder::remove(SessionLinks *session, const QString &kiosk)
{
    (session->older ? session->older->newer : m_oldest) = session->newer;
    (session->newer ? session->newer->older : m_newest) = session->older;
    session->older = session->newer = nullptr;
    --m_size;

    const auto sessions = m_byKiosk.find(kiosk);
    Q_ASSERT(sessions != m_byKiosk.end());
    if (sessions == m_byKiosk.end())
        return;
    (session->olderOfKiosk ? session->olderOfKiosk->newerOfKiosk : sessions->oldest)
        = session->newerOfKiosk;
    (session->newerOfKiosk ? session->newerOfKiosk->olderOfKiosk : sessions->newest)
        = session->olderOfKiosk;
    session->olderOfKiosk = session->newerOfKiosk = nullptr;
    if (--sessions->count == 0)
        m_byKiosk.erase(sessions);
}

const SessionOrder::Kiosk *SessionOrder::kiosk(const QString &name) const
{
    const auto sessions = m_byKiosk.constFind(name);
    return sessions == m_byKiosk.cend() ? nullptr : &*sessions;
}

} // namespace KioskGate
