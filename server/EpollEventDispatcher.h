#pragma once

#include <QAbstractEventDispatcher>
#include <QtGlobal>

#ifdef Q_OS_LINUX

#include <QAtomicInt>

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace KioskGate {

/// An event dispatcher for the network thread(s), built on Linux epoll.
///
/// Qt's default dispatcher on Linux is glib's: every socket notifier change
/// (each write toggles one) and every loop iteration walks a list of all
/// sockets, so with N kiosks a broadcast costs O(N^2) (QT-NOTES). Here a
/// notifier change costs at most one epoll_ctl() (changes are applied before
/// the next wait, so an enable undone in the same pass costs none), and an
/// iteration costs only what is
/// ready: registered sockets live in the kernel's epoll set, timers in an
/// ordered map, cross-thread wake-ups go through an eventfd.
///
/// Semantics follow QEventDispatcherUNIX (plus: events posted while a pass
/// waited are delivered in that pass): posted events first, then ready
/// sockets (read on input, hang-up or error; write on output or error;
/// exception on urgent data), then due timers, each due timer at most once
/// per pass and never re-entered from a nested loop inside its own handler.
/// Coarse timers of 20 ms or less run as precise ones, coarse timers of 20 s
/// or more as very coarse ones; very coarse timers have whole-second
/// resolution. Everything but wakeUp() and interrupt() must be called on the
/// dispatcher's thread.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    /// False if the kernel refused epoll or eventfd (then do not use it).
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    /// Registered socket descriptors and timers (tests, diagnostics).
    int socketCount() const;
    int timerCount() const { return int(m_timers.size()); }

private:
    struct Socket
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        uint32_t events = 0; // what the epoll set holds for this fd
        bool dirty = false;  // notifiers changed since the set was updated
    };
    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0; // very coarse: whole seconds
        Qt::TimerType type = Qt::PreciseTimer;
        QObject *object = nullptr;
        qint64 deadlineMs = 0; // on the monotonic clock
        quint64 serial = 0;
        bool inTimerEvent = false;
    };
    using TimerKey = std::pair<qint64, int>; // deadline, id

    void markDirty(int fd, Socket &socket);
    void applySocketChanges();
    void updateSocket(int fd, Socket &socket);
    void drainWakeUps();
    /// Milliseconds until the next timer is due: -1 none, 0 due now.
    int nextTimeoutMs(qint64 now) const;
    int activateTimers();
    void schedule(Timer &timer, qint64 now, bool first);
    static qint64 nowMs();

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakeUpPending;
    QAtomicInt m_interrupted;

    std::unordered_map<int, Socket> m_sockets;
    // Per pass in progress (nested loops stack up): notifiers found ready
    // and not yet activated; unregistering one clears its entries.
    std::vector<std::vector<QSocketNotifier *> *> m_activating;
    std::vector<int> m_dirty; // fds whose epoll interest is to be updated

    std::unordered_map<int, std::unique_ptr<Timer>> m_timers;
    std::map<TimerKey, Timer *> m_schedule;
    std::unordered_multimap<QObject *, int> m_timersByObject;
    quint64 m_nextSerial = 1;
};

} // namespace KioskGate

#endif // Q_OS_LINUX

namespace KioskGate {

/// The dispatcher for a network thread: an EpollEventDispatcher on Linux
/// (unless KIOSKGATE_EVENT_DISPATCHER=qt), otherwise nullptr, meaning Qt's
/// default. Give it to QThread::setEventDispatcher() before start().
QAbstractEventDispatcher *createNetworkEventDispatcher();

} // namespace KioskGate
