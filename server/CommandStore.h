#pragma once

#include "CommandRecord.h"
#include "SqliteConnection.h"

#include <QList>
#include <QString>

namespace KioskGate {

/// Commands and their per-kiosk states in SQLite, in the registry's database
/// file (kioskgate.db) on a connection of its own. Like TokenRegistry: WAL,
/// synchronous=FULL, and every change committed before a call returns, so a
/// state the console reported survives a crash.
///
/// One object is one connection, used from the thread that opened it.
class CommandStore
{
public:
    CommandStore();
    ~CommandStore();
    CommandStore(const CommandStore &) = delete;
    CommandStore &operator=(const CommandStore &) = delete;

    /// Schema version this code writes; a newer database is refused.
    static constexpr int SchemaVersion = 2;
    /// The statement that writes a batch of target states (bound: a JSON
    /// array of [kiosk, state, changed_at, error], then the command id).
    /// Public so a test can hold SQLite's plan for it to a key lookup per
    /// target: without MATERIALIZED, SQLite scanned the JSON array once per
    /// target of the command (40 s for 5,000 acks of a 10,000-kiosk reset).
    static const char *const UpdateTargetsSql;

    /// Opens (creating the command tables if needed) the database at `path`.
    bool open(const QString &path, QString *error);
    /// See SqliteConnection::leaveCheckpointsToOthers().
    bool leaveCheckpointsToOthers(QString *error)
    {
        return m_connection.leaveCheckpointsToOthers(error);
    }

    /// Stores a new command with all its targets in one transaction. The
    /// targets go in as groups (one row per state, time and error, the
    /// names a JSON array): a command to 10,000 kiosks is recorded in under
    /// a millisecond, before its first frame. Every reader sees them.
    bool insert(const CommandRecord &record, QString *error);
    /// Turns a command's groups into a row per target, once its frames are
    /// out. Also done by updateTargets() for its command, and by open() for
    /// any command a crash left with groups.
    bool expandTargets(const QString &commandId, QString *error);
    /// Writes the given targets' states (one transaction) and the command's
    /// finished flag.
    bool updateTargets(const QString &commandId, const QList<CommandTarget> &targets, bool finished,
                       QString *error);

    /// Unfinished commands with all their targets, oldest first.
    bool loadUnfinished(QList<CommandRecord> *out, QString *error) const;
    /// One command with its targets; `found` false if there is none.
    bool find(const QString &id, CommandRecord *out, bool *found, QString *error) const;
    /// The newest `limit` commands, newest first, with counts but no targets.
    bool recent(int limit, QList<CommandRecord> *out, QString *error) const;

    /// Deletes finished commands issued before `olderThanMs`, and finished
    /// commands beyond the newest `keep`. Returns how many went in `removed`.
    bool prune(qint64 olderThanMs, int keep, int *removed, QString *error);

private:
    bool createSchema(QString *error);
    /// expandTargets() for one command, or for all when `commandId` is null.
    bool expand(const QString *commandId, QString *error);
    bool loadTargets(CommandRecord *record, QString *error) const;

    SqliteConnection m_connection;
    /// SQLite's JSON functions (built in since 3.38): without them targets
    /// are written as rows, never as groups.
    bool m_jsonFunctions = false;
};

} // namespace KioskGate
