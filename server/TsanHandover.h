#pragma once

// Hand-overs between threads that ThreadSanitizer can see.
//
// Debian's Qt is not built with ThreadSanitizer, so the synchronisation
// inside libQt6Core (the mutex behind event posting, the QSemaphore behind
// Qt::BlockingQueuedConnection, moveToThread) is invisible to it: every value
// one thread writes and another reads after a queued call or a move of an
// object would be reported as a race. In the tsan build, KioskGate therefore
// orders each hand-over with one mutex TSan sees:
// - the thread handing over holds a Scope while it posts the call or moves
//   the object;
// - the receiving thread calls arrive() before it touches what was handed
//   over: at the start of a posted call, and (EpollEventDispatcher) when a
//   socket notifier is registered, which is how a moved socket's events
//   begin on its new thread.
// post() is a queued call that does both. In every other build they are
// empty and cost nothing, and post() is a plain queued call.

#if defined(__SANITIZE_THREAD__)
#define KIOSKGATE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KIOSKGATE_TSAN 1
#endif
#endif

#include <QMetaObject>
#include <QObject>

#ifdef KIOSKGATE_TSAN
#include <mutex>
#endif
#include <utility>

namespace KioskGate::TsanHandover {

#ifdef KIOSKGATE_TSAN
// Recursive: a thread holding a Scope may reach arrive() itself (a notifier
// registered while it moves or posts).
std::recursive_mutex &mutex();

class Scope
{
public:
    Scope() : m_lock(mutex()) { }
    /// Lets go early (a caller that then waits for the receiver).
    void release() { m_lock.unlock(); }

private:
    std::unique_lock<std::recursive_mutex> m_lock;
};

inline void arrive()
{
    const std::lock_guard<std::recursive_mutex> lock(mutex());
}
#else
class Scope
{
public:
    Scope() { }
    // User-provided, so a Scope held only for its extent is not an
    // "unused variable" where it does nothing.
    ~Scope() { } // NOLINT(modernize-use-equals-default)
    void release() { }
};

inline void arrive()
{ }
#endif

/// Runs `work` on `context`'s thread later (a queued call), handed over as
/// above.
template<typename Work>
void post(QObject *context, Work work)
{
#ifdef KIOSKGATE_TSAN
    const Scope handover;
    QMetaObject::invokeMethod(
        context,
        [work = std::move(work)]() mutable {
            arrive();
            work();
        },
        Qt::QueuedConnection);
#else
    QMetaObject::invokeMethod(context, std::move(work), Qt::QueuedConnection);
#endif
}

} // namespace KioskGate::TsanHandover
