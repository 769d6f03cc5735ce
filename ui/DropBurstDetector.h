#pragma once

#include <QtGlobal>
#include <deque>

namespace KioskGate {

/// Tells when "many kiosks dropped at once": at least `minDrops` unexpected
/// drops, and at least `minShare` of the kiosks that were online, within
/// `windowMs`. Reports a burst once, then stays quiet for `quietMs`.
class DropBurstDetector
{
public:
    struct Config
    {
        int minDrops = 10;
        double minShare = 0.2;
        qint64 windowMs = 10000;
        qint64 quietMs = 60000;
    };

    DropBurstDetector() = default;
    explicit DropBurstDetector(Config config) : m_config(config) {}

    /// Records `drops` drops at `nowMs` while `onlineBefore` kiosks were
    /// online; returns the number dropped in the window if that is a burst
    /// worth telling the operator about, else 0.
    int record(int drops, int onlineBefore, qint64 nowMs);

    /// Close codes that are expected (operator, shutdown, token lifetime)
    /// rather than a kiosk or network failing.
    static bool isUnexpected(int closeCode);

private:
    Config m_config;
    std::deque<std::pair<qint64, int>> m_drops; // time, count
    int m_peakOnline = 0;
    qint64 m_lastReportMs = -1;
};

} // namespace KioskGate
