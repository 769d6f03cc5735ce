#pragma once

#include "CommandRecord.h"
#include "SessionInfo.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <functional>
#include <optional>

class QTimer;

namespace KioskGate {

class Clock;
class CommandStore;

/// Operator commands (reset, reload) on the network thread: records them,
/// sends them to the kiosks that are online, holds them for the ones that
/// are not (while fresh), and follows each kiosk's ack and done.
///
/// Every state change is written to the CommandStore before it is visible:
/// changes are batched (a few per 20 ms) into one transaction, frames that
/// depend on a change go out after its commit, and reads flush first.
/// `commandUpdated` is coalesced to at most one per command per 100 ms.
class CommandCenter : public QObject
{
    Q_OBJECT
public:
    /// How the center reaches the kiosks; SessionManager and the registry in
    /// the server, fakes in unit tests.
    struct Fleet
    {
        /// Kiosk names with an active (unrevoked, unexpired) token.
        std::function<QStringList()> knownKiosks;
        /// Kiosk names with at least one live session, in any order.
        std::function<QStringList()> onlineKiosks;
        /// Whether this kiosk has a live session, and how many kiosks do.
        std::function<bool(const QString &kiosk)> isOnline;
        std::function<int()> onlineCount;
        /// Sends a frame to every live session of these kiosks; returns how many.
        std::function<int(const QStringList &kiosks, const QString &text)> sendToKiosks;
        /// Sends a frame to every live session; returns how many.
        std::function<int(const QString &text)> sendToAll;
        /// Sends a frame to one session; false if it is gone.
        std::function<bool(const QString &kiosk, const QString &sessionId, const QString &text)> sendToSession;
    };

    static constexpr qint64 DefaultFreshnessMs = 300'000;
    static constexpr int FlushDelayMs = 20;
    static constexpr int ReportIntervalMs = 100;
    static constexpr int SweepIntervalMs = 1000;
    /// Finished commands are kept this long, and at most this many.
    static constexpr qint64 KeepFinishedMs = 30LL * 24 * 3600 * 1000;
    static constexpr int KeepFinishedCount = 1000;

    CommandCenter(CommandStore *store, const Clock *clock, Fleet fleet, QObject *parent = nullptr);
    ~CommandCenter() override;

    void setFreshnessMs(qint64 ms) { m_freshnessMs = ms; }
    qint64 freshnessMs() const { return m_freshnessMs; }

    /// Loads unfinished commands from the store (at start) and times out
    /// those whose window has passed.
    bool load(QString *error);

    /// Issues `name` ("reset" or "reload") to `kiosks` (empty: every known
    /// or online kiosk). An invalid record and `error` on failure, e.g.
    /// naming unknown kiosks.
    CommandRecord issue(const QString &name, const QStringList &kiosks, const QString &issuer,
                        QString *error);
    std::optional<CommandRecord> command(const QString &id);
    QList<CommandRecord> recent(int limit);

    /// Writes pending state changes and sends the frames waiting on them.
    void flush();
    /// Times out targets of commands whose window has ended (runs every second).
    void sweep();

    void onSessionOpened(const KioskGate::SessionInfo &session);
    void onSessionClosed(const KioskGate::SessionInfo &session);
    void onMessage(const QString &sessionId, const QJsonObject &message);

    /// The frame a kiosk receives for `record`.
    static QString frameFor(const CommandRecord &record);

Q_SIGNALS:
    void commandUpdated(const KioskGate::CommandRecord &record);

private:
    struct Active
    {
        CommandRecord record;
        QString frame;
        QHash<QString, int> indexOf; // kiosk -> index in record.targets
        QSet<int> dirty;             // targets changed since the last flush
    };
    void setState(Active &active, int index, const QString &state, const QString &error = QString());
    void prune();
    void scheduleFlush();
    void scheduleReport(const QString &id);
    void report();

    CommandStore *m_store;
    const Clock *m_clock;
    Fleet m_fleet;
    qint64 m_freshnessMs = DefaultFreshnessMs;
    QHash<QString, Active> m_active;   // unfinished commands by id
    QStringList m_order;               // their ids, oldest first
    QSet<QString> m_dirtyCommands;
    QList<std::function<void()>> m_afterFlush;
    QSet<QString> m_toReport;
    QHash<QString, QString> m_sessionKiosk; // session id -> kiosk
    QTimer *m_flushTimer;
    QTimer *m_reportTimer;
    QTimer *m_sweepTimer;
};

} // namespace KioskGate
