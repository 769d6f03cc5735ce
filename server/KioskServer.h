#pragma once

#include "ActivityLog.h"
#include "HandshakeGate.h"
#include "ServerCore.h"
#include "SessionBatch.h"
#include "SessionInfo.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <any>
#include <functional>

class QThread;

namespace KioskGate {

class Clock;
class SigningKeyRing;

/// The server as the rest of the program sees it: owns the network thread
/// and the ServerCore living there. Its methods are called from the control
/// (GUI or main) thread; they never wait on anything but the network thread,
/// which itself never waits on the control thread. Events arrive as queued
/// signals.
class KioskServer : public QObject
{
    Q_OBJECT
public:
    KioskServer(ServerCore::Config config, const SigningKeyRing *keys, const Clock *clock,
                QObject *parent = nullptr);
    ~KioskServer() override;

    /// Starts the network thread and listens; false with a reason on failure.
    bool start(QString *error);
    /// Closes every session with 1001, waits briefly for the closing
    /// handshakes, and stops the thread.
    void stop();
    bool isRunning() const { return m_running; }

    quint16 port() const { return m_port; }
    QHostAddress address() const { return m_address; }

    /// True when serving wss:// and https://.
    bool isTls() const { return m_tls; }
    /// Plain ws:// on a non-loopback address: tokens cross the network
    /// unencrypted. The console shows a warning while this is true.
    bool isPlainOnNetwork() const { return m_running && !m_tls && !m_address.isLoopback(); }
    /// "ws" or "wss" plus host and port, and the kiosk path.
    QString kioskUrl() const;
    /// Facts about the served certificate (empty without TLS).
    TlsFacts tlsFacts() const { return m_tlsFacts; }
    /// Serves a new certificate to connections accepted from now on. Waits
    /// for the network thread in a local event loop that leaves out user
    /// input: timers, repaints and session batches go on meanwhile.
    bool reloadTls(const TlsIdentity &identity, QString *error);
    /// The thread that accepts and serves kiosks (tests stall it).
    QThread *networkThread() const { return m_thread; }

    QList<SessionInfo> sessions() const;
    /// Marks tokens revoked and closes their live sessions with 4403.
    int revokeTokens(const QStringList &jtis, const QString &reason);
    /// ws://address:port/v1/kiosk of the listener ("" when stopped).
    QString listenUrl() const;
    /// The settings in force: a copy kept on this thread, so asking (the
    /// confirmation before a reset, the settings dialog) never waits for a
    /// busy network thread.
    ServerSettings settings() const { return m_settings; }
    /// Applies settings to the running server without a restart where that
    /// is possible; a new address or port reopens the listener (kiosks stay
    /// connected). On failure nothing changes and `error` says why.
    /// Records "settings changed" in the activity log.
    bool applySettings(const ServerSettings &settings, QString *error);
    using ApplyDone = std::function<void(bool ok, const QString &error)>;
    /// applySettings() without waiting: the network thread applies them
    /// when it gets to it, and `done` runs on this object's thread with
    /// the outcome, unless `context` is gone by then (what the server
    /// itself keeps, settings() and the activity log, follows either way).
    /// The console's Save never waits out a broadcast's write loop.
    void applySettingsAsync(const ServerSettings &settings, QObject *context, ApplyDone done);
    /// Coalescing interval of sessionsChanged() (tests shorten it).
    void setFeedIntervalMs(int ms);

    /// Refused handshakes, kiosk connects and drops, and the operator's
    /// actions (AdminService records its own).
    ActivityLog *activity() const { return m_activity; }

    /// Issues a command ("reset" or "reload") to `kiosks`, or to every kiosk
    /// with an active token or a live session when the list is empty. Kiosks
    /// online now receive it at once, the others when they connect while it
    /// is fresh. An invalid record (empty id) and `error` on failure.
    CommandRecord issueCommand(const QString &name, const QStringList &kiosks, const QString &issuer,
                               QString *error);
    /// Receives the outcome of issueCommandAsync(): the record, or an
    /// invalid one and the reason.
    using IssueDone = std::function<void(const CommandRecord &record, const QString &error)>;
    /// issueCommand() without waiting: returns at once, the network thread
    /// records the command and writes the frames, then `done` runs on this
    /// object's thread (a queued call), unless `context` was destroyed by
    /// then. A window uses this so that a fan-out to thousands of sessions
    /// never stalls its event loop.
    void issueCommandAsync(const QString &name, const QStringList &kiosks, const QString &issuer,
                           QObject *context, IssueDone done);
    /// One command with its per-kiosk states, if it exists (or was not pruned).
    std::optional<CommandRecord> command(const QString &id) const;
    /// command() without waiting, for a window: `done` runs on this object's
    /// thread with the record, or an invalid one and the reason, unless
    /// `context` was destroyed by then. Opening a command's progress then
    /// never waits for a network thread busy writing a broadcast.
    void commandAsync(const QString &id, QObject *context, IssueDone done);
    /// The newest `limit` commands, newest first, with counts but no targets.
    QList<CommandRecord> recentCommands(int limit) const;

    /// sessions() without waiting: `done` runs on this object's thread with
    /// the live sessions (none when stopped), unless `context` was destroyed
    /// by then. Session events still waiting in the feed are sent first, so
    /// every sessionsChanged() batch emitted before the snapshot arrives
    /// before it and every later one is newer.
    void sessionsAsync(QObject *context,
                       std::function<void(const QList<SessionInfo> &sessions)> done);
    /// recentCommands() without waiting, plus the full record (with targets)
    /// of each unfinished one among them: what a window shows on opening.
    using HistoryDone = std::function<void(const QList<CommandRecord> &recent,
                                           const QList<CommandRecord> &unfinished)>;
    void commandHistoryAsync(int limit, QObject *context, HistoryDone done);
    /// revokeTokens() without waiting; `done` gets how many sessions closed.
    void revokeTokensAsync(const QStringList &jtis, const QString &reason, QObject *context,
                           std::function<void(int closed)> done);
    /// Closes these sessions with 1000 "disconnected by operator" (the kiosks
    /// may reconnect), without waiting; `done` gets how many were open.
    void disconnectSessionsAsync(const QStringList &sessionIds, QObject *context,
                                 std::function<void(int closed)> done);

Q_SIGNALS:
    /// A command's states changed; coalesced to at most ~10 per second per
    /// command, whatever the number of kiosks.
    void commandUpdated(const KioskGate::CommandRecord &record);
    /// Session changes in batches, every ~150 ms at most: the way a window
    /// follows thousands of kiosks. Prefer it to the per-event signals below.
    void sessionsChanged(const KioskGate::SessionBatch &batch);
    /// The listener moved (applySettings).
    void listenerChanged();
    void sessionOpened(const KioskGate::SessionInfo &session);
    void sessionClosed(const KioskGate::SessionInfo &session, int closeCode, const QString &reason);
    void handshakeRefused(const KioskGate::HandshakeRefusal &refusal);

protected:
    void connectNotify(const QMetaMethod &signal) override;

private:
    void recordActivity(const SessionBatch &batch);
    /// Runs `work` on the network thread without waiting and hands its
    /// result to `done` on this thread, unless `context` is gone by then;
    /// with the server stopped, `done` gets `whenStopped` (queued). `done`
    /// never leaves this thread; `work` runs once, on the network thread.
    template<typename Result>
    void ask(std::function<Result(ServerCore *core)> work, Result whenStopped, QObject *context,
             std::function<void(const Result &)> done)
    {
        askErased([work = std::move(work)](ServerCore *core) { return std::any(work(core)); },
                  std::any(std::move(whenStopped)), context,
                  [done = std::move(done)](const std::any &result) {
                      done(std::any_cast<const Result &>(result));
                  });
    }
    struct SettingsAnswer;
    /// Takes in what the network thread reported after applying settings
    /// (settings in force, listener, activity); false with the reason.
    bool takeSettingsAnswer(const SettingsAnswer &answer, QString *error);
    void askErased(std::function<std::any(ServerCore *)> work, std::any whenStopped,
                   QObject *context, std::function<void(const std::any &)> deliver);
    /// Hands an asynchronous answer to the caller waiting under `ticket`.
    void finishReply(quint64 ticket, const std::any &result);

    struct PendingReply
    {
        QPointer<QObject> context;
        std::function<void(const std::any &)> deliver;
    };

    ActivityLog *m_activity;
    bool m_perEventSignalsForwarded = false;
    QThread *m_thread;
    ServerCore *m_core = nullptr;
    bool m_running = false;
    quint16 m_port = 0;
    QHostAddress m_address;
    bool m_tls = false;
    TlsFacts m_tlsFacts;
    ServerSettings m_settings; // as ServerCore has them: set at start and by applySettings only
    // Asynchronous calls awaiting the network thread's answer; touched on
    // this object's thread only (the network thread hands back a ticket).
    QHash<quint64, PendingReply> m_pendingReplies;
    quint64 m_nextReplyTicket = 0;
};

} // namespace KioskGate
