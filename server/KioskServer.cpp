#include "KioskServer.h"

#include "Clock.h"
#include "EpollEventDispatcher.h"
#include "OpenFileLimit.h"
#include "TsanHandover.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QMetaMethod>
#include <QPointer>
#include <QThread>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace KioskGate {

namespace {
constexpr int ShutdownGraceMs = 2000;

// Runs `work` on `context`'s thread and waits for it (a blocking queued call).
// The tsan preset builds the same hand-over from primitives TSan sees (see
// TsanHandover.h): the handover mutex held while the call is posted and a
// condition variable for the answer. Other builds use Qt's own blocking call.
#ifdef KIOSKGATE_TSAN
template<typename Work>
void runBlocking(QObject *context, Work work)
{
    std::mutex mutex;
    std::condition_variable condition;
    bool done = false;
    TsanHandover::Scope handover;
    QMetaObject::invokeMethod(
        context,
        [&] {
            TsanHandover::arrive();
            work();
            const std::lock_guard<std::mutex> lock(mutex);
            done = true;
            condition.notify_one();
        },
        Qt::QueuedConnection);
    handover.release();
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
    : QObject(parent), m_activity(new ActivityLog(ActivityLog::DefaultCapacity, this)),
      m_thread(new QThread(this)), m_tls(config.settings.tls), m_settings(config.settings)
{
    if (m_tls)
        TlsCertificates::validate(config.tls, clock->nowSecs(), &m_tlsFacts, nullptr);
    m_core = new ServerCore(std::move(config), keys, clock);
    m_thread->setObjectName(QStringLiteral("kioskgate-network"));
    // epoll on Linux: Qt's glib dispatcher costs O(sockets) per notifier
    // change, which makes a broadcast to N kiosks O(N^2) (QT-NOTES).
    if (QAbstractEventDispatcher *dispatcher = createNetworkEventDispatcher())
        m_thread->setEventDispatcher(dispatcher);
    m_core->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_core, &QObject::deleteLater);
    connect(m_core, &ServerCore::commandUpdated, this, &KioskServer::commandUpdated);
    connect(m_core, &ServerCore::sessionsChanged, this, &KioskServer::recordActivity);
    connect(m_core, &ServerCore::sessionsChanged, this, &KioskServer::sessionsChanged);
}

void KioskServer::connectNotify(const QMetaMethod &signal)
{
    // The per-event signals cross threads once per event: forward them only
    // if someone listens, so a window fed by sessionsChanged() is not also
    // sent one queued event per kiosk.
    if (m_perEventSignalsForwarded || !m_core)
        return;
    if (signal == QMetaMethod::fromSignal(&KioskServer::sessionOpened)
        || signal == QMetaMethod::fromSignal(&KioskServer::sessionClosed)
        || signal == QMetaMethod::fromSignal(&KioskServer::handshakeRefused)) {
        m_perEventSignalsForwarded = true;
        connect(m_core, &ServerCore::sessionOpened, this, &KioskServer::sessionOpened);
        connect(m_core, &ServerCore::sessionClosed, this, &KioskServer::sessionClosed);
        connect(m_core, &ServerCore::handshakeRefused, this, &KioskServer::handshakeRefused);
    }
}

void KioskServer::recordActivity(const SessionBatch &batch)
{
    using Kind = ActivityEvent::Kind;
    QList<ActivityEvent> events;
    events.reserve(batch.refusals.size() + batch.opened.size() + batch.closed.size() + 1);
    for (const HandshakeRefusal &r : batch.refusals) {
        QString detail = QStringLiteral("%1 %2").arg(r.status).arg(r.code);
        if (!r.detail.isEmpty())
            detail += QStringLiteral(": ") + r.detail;
        events.append({r.atMs, Kind::HandshakeRefused, {}, r.address, r.origin, r.transport, detail});
    }
    if (batch.refusalsDropped > 0) {
        events.append({QDateTime::currentMSecsSinceEpoch(), Kind::Notice, {}, {}, {}, {},
                       QStringLiteral("%1 more refused handshakes not listed (flood)")
                           .arg(batch.refusalsDropped)});
    }
    for (const SessionInfo &s : batch.opened) {
        events.append({s.connectedAtMs, Kind::KioskConnected, s.kiosk, s.address, s.origin, s.transport,
                       QStringLiteral("session %1").arg(s.id)});
    }
    for (const SessionClosure &c : batch.closed) {
        QString detail = QStringLiteral("close code %1").arg(c.closeCode);
        if (!c.reason.isEmpty())
            detail += QStringLiteral(" (%1)").arg(c.reason);
        events.append({c.atMs, Kind::KioskDisconnected, c.session.kiosk, c.session.address,
                       c.session.origin, c.session.transport, detail});
    }
    m_activity->append(events);
}

KioskServer::~KioskServer()
{
    stop();
    if (!m_thread->isRunning())
        delete m_core; // the thread never ran, so deleteLater never will
}

bool KioskServer::start(QString *error)
{
    // One descriptor per kiosk: the common soft limit (1024) is far below
    // the connection cap.
    static const long openFiles = raiseOpenFileLimit();
    Q_UNUSED(openFiles);
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

QString KioskServer::kioskUrl() const
{
    QString host = m_address.toString();
    if (m_address.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("%1://%2:%3%4")
        .arg(m_tls ? QStringLiteral("wss") : QStringLiteral("ws"), host)
        .arg(m_port)
        .arg(QLatin1String(Protocol::KioskPath));
}

bool KioskServer::reloadTls(const TlsIdentity &identity, QString *error)
{
    TlsFacts facts;
    if (!TlsCertificates::validate(identity, QDateTime::currentSecsSinceEpoch(), &facts, error))
        return false;
    if (!m_running) {
        if (error)
            *error = QStringLiteral("the server is not running");
        return false;
    }
    // Waited for in an event loop of this thread rather than blocked on: a
    // network thread busy with a broadcast to 10,000 kiosks takes 100 ms
    // or more to get to it, and the window keeps painting and following
    // the fleet meanwhile (user input waits, as during the keychain write
    // that comes before it).
    using TlsAnswer = std::pair<bool, QString>;
    std::optional<TlsAnswer> answer;
    QEventLoop loop;
    ask<TlsAnswer>(
        [identity](ServerCore *core) {
            QString reason;
            const bool ok = core->setTlsIdentity(identity, &reason);
            return TlsAnswer(ok, reason);
        },
        TlsAnswer(false, QStringLiteral("the server is not running")), &loop,
        [&answer, &loop](const TlsAnswer &result) {
            answer = result;
            loop.quit();
        });
    if (!answer)
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (!answer) {
        // The application is quitting (quit() ends every event loop); the
        // network thread may still serve the certificate before it stops.
        if (error)
            *error = QStringLiteral("the server is stopping");
        return false;
    }
    if (!answer->first) {
        if (error)
            *error = answer->second;
        return false;
    }
    m_tlsFacts = facts;
    return true;
}

CommandRecord KioskServer::issueCommand(const QString &name, const QStringList &kiosks, const QString &issuer,
                                        QString *error)
{
    CommandRecord record;
    QString reason = QStringLiteral("the server is not running");
    if (m_running) {
        runBlocking(m_core, [&] { record = m_core->issueCommand(name, kiosks, issuer, &reason); });
    }
    if (!record.isValid() && error)
        *error = reason;
    return record;
}

void KioskServer::askErased(std::function<std::any(ServerCore *)> work, std::any whenStopped,
                            QObject *context, std::function<void(const std::any &)> deliver)
{
    const quint64 ticket = ++m_nextReplyTicket;
    m_pendingReplies.insert(ticket, { context, std::move(deliver) });
    if (!m_running) {
        TsanHandover::post(this,
               [this, ticket, result = std::move(whenStopped)] { finishReply(ticket, result); });
        return;
    }
    // `this` outlives the network thread (the destructor stops it), so the
    // answer can always be posted back to it; it then finds the caller's
    // context by ticket, on this thread only.
    TsanHandover::post(m_core, [this, core = m_core, ticket, work = std::move(work)] {
        std::any result = work(core);
        TsanHandover::post(this, [this, ticket, result = std::move(result)] { finishReply(ticket, result); });
    });
}

void KioskServer::finishReply(quint64 ticket, const std::any &result)
{
    const PendingReply pending = m_pendingReplies.take(ticket);
    if (pending.context && pending.deliver)
        pending.deliver(result);
}

namespace {
// A command's record, or an invalid one and the reason.
using CommandAnswer = std::pair<CommandRecord, QString>;

const CommandAnswer &notRunningAnswer()
{
    static const CommandAnswer answer { CommandRecord(),
                                        QStringLiteral("the server is not running") };
    return answer;
}
} // namespace

void KioskServer::issueCommandAsync(const QString &name, const QStringList &kiosks,
                                    const QString &issuer, QObject *context, IssueDone done)
{
    ask<CommandAnswer>(
        [name, kiosks, issuer](ServerCore *core) {
            QString reason;
            const CommandRecord record = core->issueCommand(name, kiosks, issuer, &reason);
            return CommandAnswer { record, record.isValid() ? QString() : reason };
        },
        notRunningAnswer(), context,
        [done = std::move(done)](const CommandAnswer &answer) {
            done(answer.first, answer.second);
        });
}

void KioskServer::commandAsync(const QString &id, QObject *context, IssueDone done)
{
    ask<CommandAnswer>(
        [id](ServerCore *core) {
            const std::optional<CommandRecord> record = core->command(id);
            return record
                ? CommandAnswer { *record, QString() }
                : CommandAnswer { CommandRecord(),
                                  QStringLiteral("command %1 is no longer kept").arg(id) };
        },
        notRunningAnswer(), context,
        [done = std::move(done)](const CommandAnswer &answer) {
            done(answer.first, answer.second);
        });
}

void KioskServer::sessionsAsync(QObject *context,
                                std::function<void(const QList<SessionInfo> &)> done)
{
    ask<QList<SessionInfo>>([](ServerCore *core) { return core->sessionsAfterFeed(); }, {}, context,
                            std::move(done));
}

void KioskServer::commandHistoryAsync(int limit, QObject *context, HistoryDone done)
{
    using History = std::pair<QList<CommandRecord>, QList<CommandRecord>>;
    ask<History>(
        [limit](ServerCore *core) {
            History history { core->recentCommands(limit), {} };
            for (const CommandRecord &record : std::as_const(history.first)) {
                if (record.isFinished())
                    continue;
                if (const std::optional<CommandRecord> full = core->command(record.id))
                    history.second.append(*full);
            }
            return history;
        },
        {}, context,
        [done = std::move(done)](const History &history) { done(history.first, history.second); });
}

void KioskServer::revokeTokensAsync(const QStringList &jtis, const QString &reason,
                                    QObject *context, std::function<void(int)> done)
{
    ask<int>([jtis, reason](ServerCore *core) { return core->revokeTokens(jtis, reason); }, 0,
             context, std::move(done));
}

void KioskServer::disconnectSessionsAsync(const QStringList &sessionIds, QObject *context,
                                          std::function<void(int)> done)
{
    ask<int>(
        [sessionIds](ServerCore *core) {
            return core->disconnectSessions(sessionIds, QStringLiteral("disconnected by operator"));
        },
        0, context, std::move(done));
}

std::optional<CommandRecord> KioskServer::command(const QString &id) const
{
    std::optional<CommandRecord> record;
    if (m_running)
        runBlocking(m_core, [&] { record = m_core->command(id); });
    return record;
}

QList<CommandRecord> KioskServer::recentCommands(int limit) const
{
    QList<CommandRecord> records;
    if (m_running) {
        runBlocking(m_core, [&] { records = m_core->recentCommands(limit); });
    }
    return records;
}

QString KioskServer::listenUrl() const
{
    return m_running ? kioskUrl() : QString();
}

void KioskServer::setFeedIntervalMs(int ms)
{
    if (m_core)
        QMetaObject::invokeMethod(m_core, [this, ms] { m_core->setFeedIntervalMs(ms); });
}

struct KioskServer::SettingsAnswer
{
    bool ran = false; // false: the server was not running
    bool ok = false;
    bool listenerRestarted = false;
    QString reason;
    ServerSettings inForce;
    quint16 port = 0;
    QHostAddress address;

    static SettingsAnswer applyOn(ServerCore *core, const ServerSettings &settings)
    {
        SettingsAnswer answer;
        answer.ran = true;
        answer.ok = core->applySettings(settings, &answer.listenerRestarted, &answer.reason);
        answer.inForce = core->settings();
        answer.port = core->port();
        answer.address = core->address();
        return answer;
    }
};

bool KioskServer::applySettings(const ServerSettings &settings, QString *error)
{
    SettingsAnswer answer;
    if (m_running)
        runBlocking(m_core, [&] { answer = SettingsAnswer::applyOn(m_core, settings); });
    return takeSettingsAnswer(answer, error);
}

void KioskServer::applySettingsAsync(const ServerSettings &settings, QObject *context, ApplyDone done)
{
    // Answered to this object, which outlives the network thread, so the
    // settings in force are taken in even if the caller is gone.
    const QPointer<QObject> caller(context);
    const bool callerGiven = context != nullptr;
    ask<SettingsAnswer>(
        [settings](ServerCore *core) { return SettingsAnswer::applyOn(core, settings); },
        SettingsAnswer(), this,
        [this, caller, callerGiven, done = std::move(done)](const SettingsAnswer &answer) {
            QString error;
            const bool ok = takeSettingsAnswer(answer, &error);
            if (done && (!callerGiven || caller))
                done(ok, error);
        });
}

bool KioskServer::takeSettingsAnswer(const SettingsAnswer &answer, QString *error)
{
    if (!answer.ran) {
        if (error)
            *error = QStringLiteral("the server is not running");
        return false;
    }
    m_settings = answer.inForce;
    m_port = answer.port;
    m_address = answer.address;
    if (!answer.ok) {
        if (error)
            *error = answer.reason;
        return false;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_activity->append({now, ActivityEvent::Kind::SettingsChanged, {}, {}, {}, {},
                        QStringLiteral("settings applied")});
    if (answer.listenerRestarted) {
        m_activity->append({now, ActivityEvent::Kind::ListenerRestarted, {}, {}, {}, {},
                            QStringLiteral("now listening on %1").arg(listenUrl())});
        Q_EMIT listenerChanged();
    }
    return true;
}

} // namespace KioskGate
