#include "KioskServer.h"

#include <QElapsedTimer>
#include <QThread>
#include <condition_variable>
#include <mutex>

namespace KioskGate {

namespace {
constexpr int ShutdownGraceMs = 2000;

#if defined(__SANITIZE_THREAD__)
#define KIOSKGATE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KIOSKGATE_TSAN 1
#endif
#endif

// Runs `work` on `context`'s thread and waits for it (a blocking queued call).
// Debian's Qt is not built with ThreadSanitizer, so the QSemaphore behind
// Qt::BlockingQueuedConnection and the mutex behind event posting are
// invisible to it, and every value handed over either way would be reported
// as a race. The tsan preset therefore builds the same hand-over from
// primitives TSan sees: a mutex held while the call is posted (the work takes
// it before touching anything the caller wrote) and a condition variable for
// the answer. Other builds use Qt's own blocking call.
#ifdef KIOSKGATE_TSAN
std::mutex s_posting;

template<typename Work>
void runBlocking(QObject *context, Work work)
{
    std::mutex mutex;
    std::condition_variable condition;
    bool done = false;
    std::unique_lock<std::mutex> posting(s_posting);
    QMetaObject::invokeMethod(
        context,
        [&] {
            { const std::lock_guard<std::mutex> posted(s_posting); }
            work();
            const std::lock_guard<std::mutex> lock(mutex);
            done = true;
            condition.notify_one();
        },
        Qt::QueuedConnection);
    posting.unlock();
    std::unique_lock<std::mutex> lock(mutex);
    condition.wait(lock, [&done] { return done; });
}
#else
template<typename Work>
void runBlocking(QObject *context, Work work)
{
    QMetaObject::invokeMethod(context, work, Qt::BlockingQueuedConnection);
}
#endif
} // namespace

KioskServer::KioskServer(ServerCore::Config config, const SigningKeyRing *keys, const Clock *clock,
                         QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_core(new ServerCore(std::move(config), keys, clock))
{
    m_thread->setObjectName(QStringLiteral("kioskgate-network"));
    m_core->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_core, &QObject::deleteLater);
    connect(m_core, &ServerCore::sessionOpened, this, &KioskServer::sessionOpened);
    connect(m_core, &ServerCore::sessionClosed, this, &KioskServer::sessionClosed);
    connect(m_core, &ServerCore::handshakeRefused, this, &KioskServer::handshakeRefused);
}

KioskServer::~KioskServer()
{
    stop();
    if (!m_thread->isRunning())
        delete m_core; // the thread never ran, so deleteLater never will
}

bool KioskServer::start(QString *error)
{
    m_thread->start();
    bool ok = false;
    QString reason;
    runBlocking(m_core, [this, &ok, &reason] {
        ok = m_core->start(&reason);
        m_port = m_core->port();
        m_address = m_core->address();
    });
    if (!ok) {
        m_thread->quit();
        m_thread->wait();
        m_core = nullptr; // deleted by the thread's finished signal
        if (error)
            *error = reason;
        return false;
    }
    m_running = true;
    return true;
}

void KioskServer::stop()
{
    if (!m_running)
        return;
    m_running = false;
    runBlocking(m_core, [this] { m_core->stop(); });
    // Give kiosks a moment to answer the close frames, so they see 1001
    // rather than a dropped connection.
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ShutdownGraceMs) {
        int remaining = 0;
        runBlocking(m_core, [this, &remaining] { remaining = m_core->sessionCount(); });
        if (remaining == 0)
            break;
        QThread::msleep(20);
    }
    m_thread->quit();
    m_thread->wait();
    m_core = nullptr;
}

QList<SessionInfo> KioskServer::sessions() const
{
    QList<SessionInfo> result;
    if (m_running) {
        runBlocking(m_core, [this, &result] { result = m_core->sessions(); });
    }
    return result;
}

int KioskServer::revokeTokens(const QStringList &jtis, const QString &reason)
{
    int closed = 0;
    if (m_running) {
        runBlocking(m_core, [this, &closed, &jtis, &reason] {
            closed = m_core->revokeTokens(jtis, reason);
        });
    }
    return closed;
}

} // namespace KioskGate
