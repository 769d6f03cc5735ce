#include "EpollEventDispatcher.h"

#include <QByteArray>

#ifdef Q_OS_LINUX

#include "Logging.h"
#include "TsanHandover.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <ctime>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace KioskGate {

namespace {

constexpr int MaxEventsPerPass = 512;
constexpr qint64 NsPerMs = 1'000'000;
constexpr qint64 NsPerSec = 1'000'000'000;

int clampToInt(qint64 value)
{
    return int(std::clamp<qint64>(value, 0, std::numeric_limits<int>::max()));
}

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * NsPerSec + ts.tv_nsec;
}

} // namespace

qint64 EpollEventDispatcher::nowMs()
{
    return monotonicNs() / NsPerMs;
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll < 0 || m_wakeFd < 0) {
        qCWarning(lcServer) << "epoll dispatcher unavailable:" << qt_error_string(errno);
        return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
        qCWarning(lcServer) << "epoll dispatcher unavailable:" << qt_error_string(errno);
        ::close(m_wakeFd);
        m_wakeFd = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

// ---- socket notifiers -------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    // A socket moved here from another thread starts its events here.
    TsanHandover::arrive();
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    Socket &socket = m_sockets[fd];
    QSocketNotifier **slot = nullptr;
    switch (notifier->type()) {
    case QSocketNotifier::Read: slot = &socket.read; break;
    case QSocketNotifier::Write: slot = &socket.write; break;
    case QSocketNotifier::Exception: slot = &socket.exception; break;
    }
    if (*slot && *slot != notifier)
        qCWarning(lcServer) << "several socket notifiers of one type for socket" << fd;
    *slot = notifier;
    markDirty(fd, socket);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    // It may be among the ready ones of a pass in progress: it must not be
    // activated after this.
    for (std::vector<QSocketNotifier *> *list : m_activating) {
        for (QSocketNotifier *&pending : *list) {
            if (pending == notifier)
                pending = nullptr;
        }
    }
    const auto it = m_sockets.find(fd);
    if (it == m_sockets.end())
        return;
    Socket &socket = it->second;
    if (socket.read == notifier)
        socket.read = nullptr;
    if (socket.write == notifier)
        socket.write = nullptr;
    if (socket.exception == notifier)
        socket.exception = nullptr;
    if (!socket.read && !socket.write && !socket.exception) {
        // At once: the descriptor may be closed (and its number reused)
        // before the next wait, and the set must not look up to date then.
        updateSocket(fd, socket);
        return;
    }
    markDirty(fd, socket);
}

void EpollEventDispatcher::markDirty(int fd, Socket &socket)
{
    // Applied just before the next wait: QAbstractSocket enables its write
    // notifier on every write and disables it once flushed, so a write
    // flushed at once (a broadcast) costs no epoll_ctl() at all.
    if (!socket.dirty) {
        socket.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::applySocketChanges()
{
    std::vector<int> dirty;
    dirty.swap(m_dirty);
    for (int fd : dirty) {
        const auto it = m_sockets.find(fd);
        if (it == m_sockets.end())
            continue;
        it->second.dirty = false;
        updateSocket(fd, it->second);
    }
}

int EpollEventDispatcher::socketCount() const
{
    int count = 0;
    for (const auto &entry : m_sockets)
        count += (entry.second.read || entry.second.write || entry.second.exception) ? 1 : 0;
    return count;
}

void EpollEventDispatcher::updateSocket(int fd, Socket &socket)
{
    const uint32_t wanted = (socket.read ? uint32_t(EPOLLIN) : 0u)
                            | (socket.write ? uint32_t(EPOLLOUT) : 0u)
                            | (socket.exception ? uint32_t(EPOLLPRI) : 0u);
    if (wanted == socket.events) {
        if (wanted == 0)
            m_sockets.erase(fd);
        return;
    }
    epoll_event event{};
    event.events = wanted;
    event.data.fd = fd;
    if (wanted == 0) {
        // Fails harmlessly when the descriptor was closed first (the kernel
        // then removed it from the set already).
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        m_sockets.erase(fd);
        return;
    }
    int result = 0;
    if (socket.events == 0) {
        result = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
        if (result != 0 && errno == EEXIST) // a closed fd's duplicate is still in the set
            result = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
    } else {
        result = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
        if (result != 0 && errno == ENOENT) // closed and reopened under the same number
            result = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    }
    if (result != 0) {
        qCWarning(lcServer) << "epoll_ctl failed for socket" << fd << qt_error_string(errno);
        return;
    }
    socket.events = wanted;
}

// ---- timers -----------------------------------------------------------------

void EpollEventDispatcher::schedule(Timer &timer, qint64 now, bool first)
{
    if (timer.type == Qt::VeryCoarseTimer) {
        // Whole seconds, as Qt's own dispatcher does: due at a second's
        // boundary, rounded to the nearest one.
        if (!first) {
            timer.deadlineMs += timer.intervalMs * 1000;
            if (timer.deadlineMs >= now)
                return;
        }
        qint64 second = now / 1000 + timer.intervalMs;
        if (now % 1000 > 500)
            ++second;
        timer.deadlineMs = second * 1000;
        return;
    }
    if (!first) {
        timer.deadlineMs += timer.intervalMs;
        if (timer.deadlineMs >= now)
            return;
    }
    timer.deadlineMs = now + timer.intervalMs;
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object)
        return;
    auto timer = std::make_unique<Timer>();
    timer->id = timerId;
    timer->object = object;
    timer->serial = m_nextSerial++;
    timer->type = timerType;
    timer->intervalMs = interval;
    if (timerType == Qt::CoarseTimer) {
        if (interval >= 20000)
            timer->type = Qt::VeryCoarseTimer;
        else if (interval <= 20)
            timer->type = Qt::PreciseTimer;
    }
    if (timer->type == Qt::VeryCoarseTimer)
        timer->intervalMs = ((interval / 500) + 1) >> 1; // seconds, rounded
    // Deadlines are whole milliseconds: a precise timer may run up to 1 ms
    // late, never early (the clock is read rounded down, the wait rounded up).
    schedule(*timer, nowMs() + (timer->type == Qt::PreciseTimer ? 1 : 0), true);
    unregisterTimer(timerId); // a stale id (should not happen) must not leave a ghost
    m_schedule.emplace(TimerKey{timer->deadlineMs, timerId}, timer.get());
    m_timersByObject.emplace(object, timerId);
    m_timers.emplace(timerId, std::move(timer));
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    Timer *timer = it->second.get();
    m_schedule.erase(TimerKey{timer->deadlineMs, timerId});
    auto range = m_timersByObject.equal_range(timer->object);
    for (auto o = range.first; o != range.second; ++o) {
        if (o->second == timerId) {
            m_timersByObject.erase(o);
            break;
        }
    }
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    std::vector<int> ids;
    auto range = m_timersByObject.equal_range(object);
    for (auto o = range.first; o != range.second; ++o)
        ids.push_back(o->second);
    for (int id : ids)
        unregisterTimer(id);
    return !ids.empty();
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    auto range = m_timersByObject.equal_range(object);
    for (auto o = range.first; o != range.second; ++o) {
        const Timer &timer = *m_timers.at(o->second);
        const qint64 ms = timer.type == Qt::VeryCoarseTimer ? timer.intervalMs * 1000 : timer.intervalMs;
        list.append(TimerInfo(timer.id, clampToInt(ms), timer.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    return clampToInt(it->second->deadlineMs - nowMs());
}

int EpollEventDispatcher::nextTimeoutMs(qint64 now) const
{
    // A timer whose handler runs a nested loop is skipped there, so it must
    // not make that loop spin either.
    for (const auto &entry : m_schedule) {
        if (entry.second->inTimerEvent)
            continue;
        return clampToInt(entry.first.first - now);
    }
    return -1;
}

int EpollEventDispatcher::activateTimers()
{
    const qint64 now = nowMs();
    // Each due timer fires once per pass (zero timers included), in
    // deadline order; handlers may add or remove timers meanwhile.
    std::vector<std::pair<int, quint64>> due;
    for (const auto &entry : m_schedule) {
        if (entry.first.first > now)
            break;
        due.emplace_back(entry.second->id, entry.second->serial);
    }
    int fired = 0;
    for (const auto &[id, serial] : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second->serial != serial)
            continue;
        Timer *timer = it->second.get();
        if (timer->inTimerEvent || timer->deadlineMs > now)
            continue;
        m_schedule.erase(TimerKey{timer->deadlineMs, id});
        schedule(*timer, now, false);
        m_schedule.emplace(TimerKey{timer->deadlineMs, id}, timer);
        timer->inTimerEvent = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(timer->object, &event);
        ++fired;
        it = m_timers.find(id);
        if (it != m_timers.end() && it->second->serial == serial)
            it->second->inTimerEvent = false;
    }
    return fired;
}

// ---- the loop ---------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    // One write until the loop drains it: posting many events costs one
    // system call, not one each.
    if (m_wakeUpPending.testAndSetAcquire(0, 1)) {
        const uint64_t one = 1;
        ssize_t written;
        do {
            written = ::write(m_wakeFd, &one, sizeof one);
        } while (written < 0 && errno == EINTR);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    uint64_t value = 0;
    while (::read(m_wakeFd, &value, sizeof value) < 0 && errno == EINTR) {
    }
    m_wakeUpPending.storeRelease(0);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelease(0);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeSockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.loadAcquire();

    int timeoutMs = 0;
    if (mayWait) {
        timeoutMs = includeTimers ? nextTimeoutMs(nowMs()) : -1;
        // Events posted while the posted ones were sent have written to the
        // eventfd, so waiting cannot sleep through them.
        if (timeoutMs != 0)
            Q_EMIT aboutToBlock();
    }
    if (m_interrupted.loadAcquire())
        return false;

    int activity = 0;
    bool woken = false;
    if (includeSockets) {
        applySocketChanges();
        epoll_event events[MaxEventsPerPass];
        int ready = epoll_wait(m_epoll, events, MaxEventsPerPass, timeoutMs);
        if (ready < 0) {
            if (errno != EINTR)
                qCWarning(lcServer) << "epoll_wait failed:" << qt_error_string(errno);
            ready = 0;
        }
        std::vector<QSocketNotifier *> readyNotifiers;
        // At most three per descriptor: one allocation per pass.
        readyNotifiers.reserve(size_t(ready) * 3);
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            const uint32_t got = events[i].events;
            if (fd == m_wakeFd) {
                drainWakeUps();
                woken = true;
                ++activity;
                continue;
            }
            const auto it = m_sockets.find(fd);
            if (it == m_sockets.end())
                continue;
            const Socket &socket = it->second;
            if (socket.read && (got & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                readyNotifiers.push_back(socket.read);
            if (socket.write && (got & (EPOLLOUT | EPOLLERR)))
                readyNotifiers.push_back(socket.write);
            if (socket.exception && (got & EPOLLPRI))
                readyNotifiers.push_back(socket.exception);
        }
        // Activate by index: handlers may unregister (null) later entries,
        // and a nested pass works on a list of its own.
        m_activating.push_back(&readyNotifiers);
        for (size_t i = 0; i < readyNotifiers.size(); ++i) {
            QSocketNotifier *notifier = readyNotifiers[i];
            if (!notifier)
                continue;
            readyNotifiers[i] = nullptr;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++activity;
        }
        m_activating.pop_back();
    } else {
        pollfd wake{m_wakeFd, POLLIN, 0};
        if (::poll(&wake, 1, timeoutMs) > 0) {
            drainWakeUps();
            woken = true;
            ++activity;
        }
    }
    // Woken for events posted while we waited: deliver them in this pass
    // (as glib's dispatcher does), so a blocking processEvents() returns
    // having handled them instead of waiting again.
    if (woken && !m_interrupted.loadAcquire())
        QCoreApplication::sendPostedEvents();

    if (includeTimers)
        activity += activateTimers();
    return activity > 0;
}

} // namespace KioskGate

#endif // Q_OS_LINUX

namespace KioskGate {

QAbstractEventDispatcher *createNetworkEventDispatcher()
{
#ifdef Q_OS_LINUX
    if (qgetenv("KIOSKGATE_EVENT_DISPATCHER") == "qt")
        return nullptr;
    auto *dispatcher = new EpollEventDispatcher;
    if (dispatcher->isValid())
        return dispatcher;
    delete dispatcher;
#endif
    return nullptr;
}

} // namespace KioskGate
