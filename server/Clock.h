#pragma once

#include <QDateTime>
#include <QtGlobal>

#include <atomic>

namespace KioskGate {

/// Wall-clock time in milliseconds since the Unix epoch. Everything that
/// decides by time (token lifetimes, failure budgets, tickets) asks a Clock,
/// so tests can move time without sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
    qint64 nowSecs() const { return nowMs() / 1000; }
};

class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

/// A clock that only moves when told to; for tests.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'800'000'000'000) : m_nowMs(startMs) {}
    qint64 nowMs() const override { return m_nowMs.load(std::memory_order_relaxed); }
    void setNowMs(qint64 ms) { m_nowMs.store(ms, std::memory_order_relaxed); }
    void advanceMs(qint64 ms) { m_nowMs.fetch_add(ms, std::memory_order_relaxed); }

private:
    // Read by the network and upgrade threads while a test moves it.
    std::atomic<qint64> m_nowMs;
};

} // namespace KioskGate
