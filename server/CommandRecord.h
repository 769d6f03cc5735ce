#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace KioskGate {

/// Per-kiosk states of a command (docs/protocol.md, "Commands"). A target
/// moves pending -> sent -> delivered -> done, or ends failed or timed_out.
namespace CommandState {
inline const QString Pending = QStringLiteral("pending");     ///< kiosk offline; sent when it connects
inline const QString Sent = QStringLiteral("sent");           ///< frame written, no ack yet
inline const QString Delivered = QStringLiteral("delivered"); ///< ack ok:true
inline const QString Done = QStringLiteral("done");           ///< kiosk reported the id after reconnecting
inline const QString Failed = QStringLiteral("failed");       ///< ack ok:false
inline const QString TimedOut = QStringLiteral("timed_out");  ///< not done within the freshness window
/// Every state, in the order tables and JSON list them.
QStringList all();
/// True for done, failed and timed_out: nothing will change any more.
bool isFinal(const QString &state);
} // namespace CommandState

/// Error text of a target that timed out while its kiosk never connected.
inline const QString OfflineTimeoutError = QStringLiteral("offline");

/// What one kiosk did with one command.
struct CommandTarget
{
    QString kiosk;
    QString state;
    qint64 changedAtMs = 0;
    QString error; ///< ack's error for failed; "offline" for a timeout while never connected
};

/// One operator command (reset or reload) and its per-kiosk outcome.
struct CommandRecord
{
    QString id;
    QString name; ///< "reset" or "reload"
    QString issuer;
    qint64 issuedAtMs = 0;
    qint64 expiresAtMs = 0; ///< end of the freshness window
    bool allKiosks = false;
    /// May be empty in listings, which carry only `counts`.
    QList<CommandTarget> targets;
    /// Targets per state (every state present, zero if none).
    QMap<QString, int> counts;

    bool isValid() const { return !id.isEmpty(); }
    int targetCount() const;
    /// True when no target can change any more.
    bool isFinished() const;
    /// Recomputes `counts` from `targets`.
    void recount();
    /// {id, name, issuer, issuedAt, expiresAt, allKiosks, total, finished,
    ///  counts{state: n}, targets[{kiosk, state, changedAt, error}]}; times
    /// as ISO-8601 UTC. `withTargets` false leaves out the target list.
    QJsonObject toJson(bool withTargets = true) const;
    /// The record toJson() wrote (times to the millisecond, as written).
    static CommandRecord fromJson(const QJsonObject &json);
};

/// The names the protocol knows: "reset" and "reload".
bool isCommandName(const QString &name);

} // namespace KioskGate

Q_DECLARE_METATYPE(KioskGate::CommandRecord)
