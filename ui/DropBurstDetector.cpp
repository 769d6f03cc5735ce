#include "DropBurstDetector.h"

namespace KioskGate {

bool DropBurstDetector::isUnexpected(int closeCode)
{
    return closeCode != 1000 && closeCode != 1001 && closeCode != 4401 && closeCode != 4403;
}

int DropBurstDetector::record(int drops, int onlineBefore, qint64 nowMs)
{
    while (!m_drops.empty() && nowMs - m_drops.front().first > m_config.windowMs)
        m_drops.pop_front();
    if (m_drops.empty())
        m_peakOnline = 0;
    m_peakOnline = qMax(m_peakOnline, onlineBefore);
    if (drops > 0)
        m_drops.emplace_back(nowMs, drops);
    int total = 0;
    for (const auto &entry : m_drops)
        total += entry.second;
    if (total < m_config.minDrops || total < m_config.minShare * m_peakOnline)
        return 0;
    if (m_lastReportMs >= 0 && nowMs - m_lastReportMs < m_config.quietMs)
        return 0;
    m_lastReportMs = nowMs;
    m_drops.clear();
    return total;
}

} // namespace KioskGate
