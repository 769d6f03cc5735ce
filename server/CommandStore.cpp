#include "CommandStore.h"

#include "Protocol.h"

#include <QMap>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <algorithm>
#include <tuple>

namespace KioskGate {

namespace {

// SQLite's JSON functions end a string at an escaped NUL ("\u0000"): a
// batch with text holding one (an error a kiosk sent) is written with bound
// values, a row at a time, as before the JSON statements, so the store keeps
// what the console shows.
bool hasNul(const QString &text)
{
    return text.contains(QChar(u'\0'));
}

// Writes the targets of `record` with `t` (inside the caller's transaction):
// as groups when `asGroups`, else a row each.
bool insertTargets(QSqlQuery &t, const CommandRecord &record, bool asGroups)
{
    // Targets that share state, time and error (at issue: everyone online,
    // everyone offline) go in as one row of command_target_groups each, their
    // names a JSON array (written as text, not through QJsonArray). As rows,
    // even through one INSERT ... SELECT FROM json_each per group, 10,000
    // targets took 10-18 ms, all of it before the first kiosk heard of the
    // command; as groups, under a millisecond. expandGroups() makes the rows
    // once the frames are out. Only the names go through JSON.
    const bool namesSurviveJson
        = std::none_of(record.targets.cbegin(), record.targets.cend(),
                       [](const CommandTarget &target) { return hasNul(target.kiosk); });
    if (asGroups && namesSurviveJson
        && t.prepare(QStringLiteral(
            "INSERT INTO command_target_groups (command_id, state, changed_at, error, kiosks)"
            " VALUES (?, ?, ?, ?, ?)"))) {
        QMap<std::tuple<QString, qint64, QString>, QString> groups;
        for (const CommandTarget &target : record.targets) {
            QString &names = groups[{ target.state, target.changedAtMs, target.error }];
            names += names.isEmpty() ? QLatin1Char('[') : QLatin1Char(',');
            Protocol::appendJsonQuoted(names, target.kiosk);
        }
        for (auto group = groups.cbegin(); group != groups.cend(); ++group) {
            const auto &[state, changedAtMs, targetError] = group.key();
            t.addBindValue(record.id);
            t.addBindValue(state);
            t.addBindValue(changedAtMs);
            t.addBindValue(targetError.isEmpty() ? QVariant() : QVariant(targetError));
            t.addBindValue(group.value() + QLatin1Char(']'));
            if (!t.exec())
                return false;
        }
        return true;
    }
    // A NUL in a name, or an SQLite without its JSON functions (built in
    // since 3.38): a row at a time, no groups.
    if (!t.prepare(QStringLiteral(
            "INSERT INTO command_targets (command_id, kiosk, state, changed_at, error)"
            " VALUES (?, ?, ?, ?, ?)")))
        return false;
    for (const CommandTarget &target : record.targets) {
        t.addBindValue(record.id);
        t.addBindValue(target.kiosk);
        t.addBindValue(target.state);
        t.addBindValue(target.changedAtMs);
        t.addBindValue(target.error.isEmpty() ? QVariant() : QVariant(target.error));
        if (!t.exec())
            return false;
    }
    return true;
}

const char CommandColumns[] = "id, name, issuer, issued_at, expires_at, all_kiosks";

CommandRecord commandFrom(const QSqlQuery &q)
{
    CommandRecord r;
    r.id = q.value(0).toString();
    r.name = q.value(1).toString();
    r.issuer = q.value(2).toString();
    r.issuedAtMs = q.value(3).toLongLong();
    r.expiresAtMs = q.value(4).toLongLong();
    r.allKiosks = q.value(5).toBool();
    return r;
}

// A flush of acked states wrote an UPDATE per target: 10,000 statements
// (about 50 ms) on the network thread after a reset to 10,000 kiosks.
bool updateTargetRows(QSqlQuery &t, const QString &commandId, const QList<CommandTarget> &targets)
{
    const bool surviveJson
        = std::none_of(targets.cbegin(), targets.cend(), [](const CommandTarget &target) {
              return hasNul(target.kiosk) || hasNul(target.state) || hasNul(target.error);
          });
    if (surviveJson && t.prepare(QString::fromLatin1(CommandStore::UpdateTargetsSql))) {
        QString rows;
        rows.reserve(targets.size() * 48);
        for (const CommandTarget &target : targets) {
            rows += rows.isEmpty() ? QLatin1Char('[') : QLatin1Char(',');
            rows += QLatin1Char('[');
            Protocol::appendJsonQuoted(rows, target.kiosk);
            rows += QLatin1Char(',');
            Protocol::appendJsonQuoted(rows, target.state);
            rows += QLatin1Char(',') + QString::number(target.changedAtMs) + QLatin1Char(',');
            if (target.error.isEmpty())
                rows += QLatin1String("null");
            else
                Protocol::appendJsonQuoted(rows, target.error);
            rows += QLatin1Char(']');
        }
        rows += rows.isEmpty() ? QLatin1String("[]") : QLatin1String("]");
        t.addBindValue(rows);
        t.addBindValue(commandId);
        return t.exec();
    }
    // A NUL in the text, or an SQLite without JSON functions, UPDATE ...
    // FROM (3.33) or MATERIALIZED (3.35): a row at a time.
    if (!t.prepare(QStringLiteral("UPDATE command_targets SET state = ?, changed_at = ?, error = ?"
                                  " WHERE command_id = ? AND kiosk = ?")))
        return false;
    for (const CommandTarget &target : targets) {
        t.addBindValue(target.state);
        t.addBindValue(target.changedAtMs);
        t.addBindValue(target.error.isEmpty() ? QVariant() : QVariant(target.error));
        t.addBindValue(commandId);
        t.addBindValue(target.kiosk);
        if (!t.exec())
            return false;
    }
    return true;
}

// Turns groups of targets into rows (inside the caller's transaction): one
// command's, or every command's when `commandId` is null.
bool expandGroups(QSqlQuery &q, const QString *commandId)
{
    const QString where = commandId ? QStringLiteral(" WHERE g.command_id = ?") : QString();
    q.prepare(
        QStringLiteral("INSERT INTO command_targets (command_id, kiosk, state, changed_at, error)"
                       " SELECT g.command_id, n.value, g.state, g.changed_at, g.error"
                       " FROM command_target_groups g, json_each(g.kiosks) n")
        + where);
    if (commandId)
        q.addBindValue(*commandId);
    if (!q.exec())
        return false;
    q.prepare(QStringLiteral("DELETE FROM command_target_groups")
              + (commandId ? QStringLiteral(" WHERE command_id = ?") : QString()));
    if (commandId)
        q.addBindValue(*commandId);
    return q.exec();
}

} // namespace

CommandStore::CommandStore() : m_connection(QStringLiteral("kioskgate-commands")) {}

CommandStore::~CommandStore() = default;

bool CommandStore::open(const QString &path, QString *error)
{
    // The registry's connections share the file (SqliteConnection waits for
    // their write locks).
    if (!m_connection.open(path, QStringLiteral("the command store"), error))
        return false;
    return createSchema(error);
}

bool CommandStore::createSchema(QString *error)
{
    QSqlDatabase db = m_connection.database();
    QSqlQuery q(db);
    // The registry owns `meta`; the command tables keep their own version
    // key in it, so each part of the file can migrate on its own.
    const char *statements[] = {
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS commands (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " issuer TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
        " all_kiosks INTEGER NOT NULL, finished INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX IF NOT EXISTS commands_by_issued ON commands (issued_at)",
        "CREATE TABLE IF NOT EXISTS command_targets (command_id TEXT NOT NULL"
        " REFERENCES commands (id) ON DELETE CASCADE, kiosk TEXT NOT NULL, state TEXT NOT NULL,"
        " changed_at INTEGER NOT NULL, error TEXT, PRIMARY KEY (command_id, kiosk))",
        // Version 2: a command's targets as recorded at issue (insert()),
        // until they are rows (expandTargets()).
        "CREATE TABLE IF NOT EXISTS command_target_groups (command_id TEXT NOT NULL"
        " REFERENCES commands (id) ON DELETE CASCADE, state TEXT NOT NULL,"
        " changed_at INTEGER NOT NULL, error TEXT, kiosks TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS command_target_groups_by_command"
        " ON command_target_groups (command_id)",
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('commands_schema_version', '2')",
        "UPDATE meta SET value = '2' WHERE key = 'commands_schema_version' AND CAST(value AS "
        "INTEGER) < 2",
    };
    if (!beginWrite(db, error))
        return false;
    // Read first, in the same transaction: a newer program's tables are
    // refused untouched.
    if (isNewerSchema(db, QStringLiteral("commands_schema_version"), SchemaVersion,
                      QStringLiteral("the command tables are"), error)) {
        db.rollback();
        return false;
    }
    for (const char *statement : statements) {
        if (!q.exec(QString::fromLatin1(statement))) {
            const QSqlError sqlError = q.lastError();
            db.rollback();
            return sqlFailure(error, QStringLiteral("cannot create the command tables"), sqlError);
        }
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot create the command tables"),
                          db.lastError());
    m_jsonFunctions = q.exec(QStringLiteral("SELECT value FROM json_each('[]')"));
    // Groups left by a crash between a command's first frame and its rows.
    return expand(nullptr, error);
}

bool CommandStore::insert(const CommandRecord &record, QString *error)
{
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO commands (id, name, issuer, issued_at, expires_at, all_kiosks,"
                             " finished) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(record.id);
    q.addBindValue(record.name);
    q.addBindValue(record.issuer);
    q.addBindValue(record.issuedAtMs);
    q.addBindValue(record.expiresAtMs);
    q.addBindValue(record.allKiosks ? 1 : 0);
    q.addBindValue(record.isFinished() ? 1 : 0);
    bool ok = q.exec();
    QSqlQuery t(db);
    if (ok)
        ok = insertTargets(t, record, m_jsonFunctions);
    if (!ok) {
        const QSqlError sqlError = q.lastError().isValid() ? q.lastError() : t.lastError();
        db.rollback();
        return sqlFailure(error, QStringLiteral("cannot record the command"), sqlError);
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot commit the command"), db.lastError());
    return true;
}

const char *const CommandStore::UpdateTargetsSql
    = "WITH u AS MATERIALIZED (SELECT json_extract(value, '$[0]') AS kiosk,"
      " json_extract(value, '$[1]') AS state, json_extract(value, '$[2]') AS changed_at,"
      " json_extract(value, '$[3]') AS error FROM json_each(?))"
      " UPDATE command_targets SET state = u.state, changed_at = u.changed_at, error = u.error"
      " FROM u WHERE command_targets.command_id = ? AND command_targets.kiosk = u.kiosk";

bool CommandStore::expandTargets(const QString &commandId, QString *error)
{
    return expand(&commandId, error);
}

bool CommandStore::expand(const QString *commandId, QString *error)
{
    if (!m_jsonFunctions)
        return true; // targets were written as rows, never as groups
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery q(db);
    if (!expandGroups(q, commandId)) {
        const QSqlError sqlError = q.lastError();
        db.rollback();
        return sqlFailure(error, QStringLiteral("cannot expand command targets"), sqlError);
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot expand command targets"), db.lastError());
    return true;
}

bool CommandStore::updateTargets(const QString &commandId, const QList<CommandTarget> &targets,
                                 bool finished, QString *error)
{
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery t(db);
    // Rows first, should expandTargets() have failed after the issue.
    if ((m_jsonFunctions && !expandGroups(t, &commandId))
        || !updateTargetRows(t, commandId, targets)) {
        const QSqlError sqlError = t.lastError();
        db.rollback();
        return sqlFailure(error, QStringLiteral("cannot record a command state"), sqlError);
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE commands SET finished = ? WHERE id = ?"));
    q.addBindValue(finished ? 1 : 0);
    q.addBindValue(commandId);
    if (!q.exec()) {
        const QSqlError sqlError = q.lastError();
        db.rollback();
        return sqlFailure(error, QStringLiteral("cannot record a command state"), sqlError);
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot commit command states"), db.lastError());
    return true;
}

bool CommandStore::loadTargets(CommandRecord *record, QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.setForwardOnly(true);
    // Rows, and any groups not yet made rows.
    q.prepare(m_jsonFunctions
                  ? QStringLiteral("SELECT kiosk, state, changed_at, error FROM command_targets"
                                   " WHERE command_id = ? UNION ALL"
                                   " SELECT n.value, g.state, g.changed_at, g.error"
                                   " FROM command_target_groups g, json_each(g.kiosks) n"
                                   " WHERE g.command_id = ? ORDER BY 1")
                  : QStringLiteral("SELECT kiosk, state, changed_at, error FROM command_targets"
                                   " WHERE command_id = ? ORDER BY kiosk"));
    q.addBindValue(record->id);
    if (m_jsonFunctions)
        q.addBindValue(record->id);
    if (!q.exec())
        return sqlFailure(error, QStringLiteral("cannot read command targets"), q.lastError());
    record->targets.clear();
    while (q.next())
        record->targets.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
                                q.value(3).toString()});
    record->recount();
    return true;
}

bool CommandStore::loadUnfinished(QList<CommandRecord> *out, QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM commands WHERE finished = 0 ORDER BY issued_at, rowid")
                    .arg(QLatin1String(CommandColumns))))
        return sqlFailure(error, QStringLiteral("cannot read unfinished commands"), q.lastError());
    QList<CommandRecord> records;
    while (q.next())
        records.append(commandFrom(q));
    for (CommandRecord &record : records) {
        if (!loadTargets(&record, error))
            return false;
    }
    *out = records;
    return true;
}

bool CommandStore::find(const QString &id, CommandRecord *out, bool *found, QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.prepare(QStringLiteral("SELECT %1 FROM commands WHERE id = ?").arg(QLatin1String(CommandColumns)));
    q.addBindValue(id);
    if (!q.exec())
        return sqlFailure(error, QStringLiteral("cannot look up a command"), q.lastError());
    *found = q.next();
    if (!*found)
        return true;
    *out = commandFrom(q);
    return loadTargets(out, error);
}

bool CommandStore::recent(int limit, QList<CommandRecord> *out, QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM commands ORDER BY issued_at DESC, rowid DESC LIMIT ?")
                  .arg(QLatin1String(CommandColumns)));
    q.addBindValue(qMax(0, limit));
    if (!q.exec())
        return sqlFailure(error, QStringLiteral("cannot list commands"), q.lastError());
    QList<CommandRecord> records;
    while (q.next())
        records.append(commandFrom(q));
    QSqlQuery c(m_connection.database());
    c.prepare(
        m_jsonFunctions
            ? QStringLiteral("SELECT state, SUM(n) FROM (SELECT state, COUNT(*) AS n FROM"
                             " command_targets WHERE command_id = ? GROUP BY state UNION ALL"
                             " SELECT state, json_array_length(kiosks) FROM"
                             " command_target_groups WHERE command_id = ?) GROUP BY state")
            : QStringLiteral("SELECT state, COUNT(*) FROM command_targets WHERE command_id = ?"
                             " GROUP BY state"));
    for (CommandRecord &record : records) {
        record.recount(); // every state at zero
        c.addBindValue(record.id);
        if (m_jsonFunctions)
            c.addBindValue(record.id);
        if (!c.exec())
            return sqlFailure(error, QStringLiteral("cannot count command targets"), c.lastError());
        while (c.next())
            record.counts[c.value(0).toString()] = c.value(1).toInt();
    }
    *out = records;
    return true;
}

bool CommandStore::prune(qint64 olderThanMs, int keep, int *removed, QString *error)
{
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery q(db);
    q.prepare(QStringLiteral("DELETE FROM commands WHERE finished = 1 AND (issued_at < ? OR id NOT IN"
                             " (SELECT id FROM commands ORDER BY issued_at DESC, rowid DESC LIMIT ?))"));
    q.addBindValue(olderThanMs);
    q.addBindValue(qMax(0, keep));
    if (!q.exec()) {
        const QSqlError sqlError = q.lastError();
        db.rollback();
        return sqlFailure(error, QStringLiteral("cannot prune old commands"), sqlError);
    }
    const int count = q.numRowsAffected();
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot commit the pruning"), db.lastError());
    if (removed)
        *removed = count;
    return true;
}

} // namespace KioskGate
