#include "TokenRegistry.h"

#include "Protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>
#include <limits>

namespace KioskGate {

namespace {

bool exec(QSqlQuery &query, QString *error, const QString &what)
{
    if (!query.exec())
        return sqlFailure(error, what, query.lastError());
    return true;
}

TokenRecord recordFrom(const QSqlQuery &q)
{
    TokenRecord r;
    r.jti = q.value(0).toString();
    r.kiosk = q.value(1).toString();
    r.keyId = q.value(2).toString();
    const QString origins = q.value(3).toString();
    r.origins = origins.isEmpty() ? QStringList() : origins.split(QLatin1Char(' '));
    r.created = q.value(4).toLongLong();
    r.expires = q.value(5).toLongLong();
    r.revoked = q.value(6).toLongLong();
    r.revokeReason = q.value(7).toString();
    r.lastUsed = q.value(8).toLongLong();
    r.lastAddress = q.value(9).toString();
    return r;
}

const char RecordColumns[] = "jti, kiosk, kid, origins, created, expires, revoked, revoke_reason, "
                             "last_used, last_address";

} // namespace

QString TokenRecord::state(qint64 nowSecs) const
{
    if (isRevoked())
        return QStringLiteral("revoked");
    if (isExpired(nowSecs))
        return QStringLiteral("expired");
    return QStringLiteral("active");
}

TokenRegistry::TokenRegistry() : m_connection(QStringLiteral("kioskgate-registry")) {}

TokenRegistry::~TokenRegistry() = default;

bool TokenRegistry::open(const QString &path, QString *error)
{
    if (!m_connection.open(path, QStringLiteral("the registry"), error))
        return false;
    QSqlQuery pragma(m_connection.database());
    // A file that is not a database fails here, not later.
    if (!pragma.exec(QStringLiteral("PRAGMA quick_check")) || !pragma.next()
        || pragma.value(0).toString() != QLatin1String("ok"))
        return sqlFailure(error, QStringLiteral("the registry %1 is damaged").arg(path), pragma.lastError());
    return createSchema(error) && loadInstanceId(error);
}

bool TokenRegistry::isOpen() const
{
    return m_connection.database().isOpen();
}

// The body of the three triggers that count the tokens' generation.
#define KIOSKGATE_BUMP_TOKENS_GENERATION                                                           \
    " BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'tokens_generation'; "  \
    "END"

bool TokenRegistry::createSchema(QString *error)
{
    QSqlDatabase db = m_connection.database();
    QSqlQuery q(db);
    // A newer program's registry is refused before anything is created in it.
    if (isNewerSchema(db, QStringLiteral("schema_version"), SchemaVersion,
                      QStringLiteral("the registry is"), error))
        return false;
    const char *statements[] = {
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS signing_keys (kid TEXT PRIMARY KEY, created INTEGER NOT NULL,"
        " retired INTEGER)",
        "CREATE TABLE IF NOT EXISTS tokens (jti TEXT PRIMARY KEY, kiosk TEXT NOT NULL,"
        " kid TEXT NOT NULL, origins TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL,"
        " expires INTEGER, revoked INTEGER, revoke_reason TEXT, last_used INTEGER,"
        " last_address TEXT)",
        "CREATE INDEX IF NOT EXISTS tokens_by_kiosk ON tokens (kiosk)",
        "CREATE INDEX IF NOT EXISTS tokens_by_kid ON tokens (kid)",
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1')",
        // A generation of the tokens that decide which kiosks are active,
        // counted by SQLite for every connection and process alike (last
        // uses do not count): activeKiosks() keeps its answer while it
        // stands. Added without a schema version: a program that does not
        // know it leaves it alone, and its triggers still count.
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('tokens_generation', '0')",
        "CREATE TRIGGER IF NOT EXISTS tokens_generation_insert AFTER INSERT ON "
        "tokens" KIOSKGATE_BUMP_TOKENS_GENERATION,
        "CREATE TRIGGER IF NOT EXISTS tokens_generation_update"
        " AFTER UPDATE OF kiosk, expires, revoked ON tokens" KIOSKGATE_BUMP_TOKENS_GENERATION,
        "CREATE TRIGGER IF NOT EXISTS tokens_generation_delete AFTER DELETE ON "
        "tokens" KIOSKGATE_BUMP_TOKENS_GENERATION,
    };
    for (const char *statement : statements) {
        if (!q.exec(QString::fromLatin1(statement)))
            return sqlFailure(error, QStringLiteral("cannot create the registry schema"), q.lastError());
    }
    return true;
}
#undef KIOSKGATE_BUMP_TOKENS_GENERATION

bool TokenRegistry::loadInstanceId(QString *error)
{
    QSqlDatabase db = m_connection.database();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?)"));
    q.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!exec(q, error, QStringLiteral("cannot record the instance id")))
        return false;
    if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'instance_id'")) || !q.next())
        return sqlFailure(error, QStringLiteral("cannot read the instance id"), q.lastError());
    m_instanceId = q.value(0).toString();
    return true;
}

bool TokenRegistry::insertToken(const TokenRecord &r, QString *error)
{
    QSqlQuery q(m_connection.database());
    q.prepare(QStringLiteral("INSERT INTO tokens (jti, kiosk, kid, origins, created, expires)"
                             " VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(r.jti);
    q.addBindValue(r.kiosk);
    q.addBindValue(r.keyId);
    q.addBindValue(r.origins.isEmpty() ? QStringLiteral("") : r.origins.join(QLatin1Char(' ')));
    q.addBindValue(r.created);
    q.addBindValue(r.expires == 0 ? QVariant() : QVariant(r.expires));
    return exec(q, error, QStringLiteral("cannot record the token"));
}

bool TokenRegistry::listTokens(QList<TokenRecord> *out, QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM tokens ORDER BY created, kiosk")
                    .arg(QLatin1String(RecordColumns))))
        return sqlFailure(error, QStringLiteral("cannot list tokens"), q.lastError());
    out->clear();
    while (q.next())
        out->append(recordFrom(q));
    return true;
}

qint64 TokenRegistry::tokensGeneration() const
{
    QSqlQuery q(m_connection.database());
    if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'tokens_generation'"))
        || !q.next())
        return -1;
    bool ok = false;
    const qint64 generation = q.value(0).toLongLong(&ok);
    return ok ? generation : -1;
}

bool TokenRegistry::activeKiosks(qint64 nowSecs, QStringList *out, QString *error) const
{
    // Read before the query: a change in between makes the next call ask again.
    const qint64 generation = tokensGeneration();
    ActiveKiosks &kept = m_activeKiosks;
    if (generation >= 0 && generation == kept.generation && nowSecs >= kept.askedAtSecs
        && nowSecs < kept.validBeforeSecs) {
        *out = kept.kiosks;
        return true;
    }
    kept.generation = -1; // nothing kept until this answer is
    // As TokenRecord::isRevoked() and isExpired(): 0 or NULL is "never".
    QSqlQuery q(m_connection.database());
    q.setForwardOnly(true);
    const QLatin1String active("SELECT DISTINCT kiosk FROM tokens WHERE COALESCE(revoked, 0) = 0"
                               " AND (COALESCE(expires, 0) = 0 OR expires > ?) ORDER BY kiosk");
    // One row holding a JSON array: a fleet's 10,000 names come back in
    // about half the time of 10,000 rows through QSqlQuery.
    if (q.prepare(QStringLiteral("SELECT json_group_array(kiosk) FROM (%1)").arg(active))) {
        q.addBindValue(nowSecs);
        if (!exec(q, error, QStringLiteral("cannot list the kiosks with active tokens")))
            return false;
        QJsonParseError parseError;
        const QJsonDocument names = QJsonDocument::fromJson(
            q.next() ? q.value(0).toByteArray() : QByteArray(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !names.isArray()) {
            if (error)
                *error = QStringLiteral("cannot list the kiosks with active tokens: %1")
                             .arg(parseError.errorString());
            return false;
        }
        const QJsonArray array = names.array();
        out->clear();
        out->reserve(array.size());
        for (const QJsonValue &name : array)
            out->append(name.toString());
        keepActiveKiosks(generation, nowSecs, *out);
        return true;
    }
    // An SQLite without its JSON functions (built in since 3.38): row by row.
    q.prepare(QString(active));
    q.addBindValue(nowSecs);
    if (!exec(q, error, QStringLiteral("cannot list the kiosks with active tokens")))
        return false;
    out->clear();
    while (q.next())
        out->append(q.value(0).toString());
    keepActiveKiosks(generation, nowSecs, *out);
    return true;
}

void TokenRegistry::keepActiveKiosks(qint64 generation, qint64 nowSecs,
                                     const QStringList &kiosks) const
{
    if (generation < 0)
        return;
    // Kept until the first of the counted tokens expires.
    QSqlQuery q(m_connection.database());
    q.prepare(QStringLiteral("SELECT MIN(expires) FROM tokens WHERE COALESCE(revoked, 0) = 0"
                             " AND expires > ?"));
    q.addBindValue(nowSecs);
    if (!q.exec() || !q.next())
        return;
    ActiveKiosks &kept = m_activeKiosks;
    kept.validBeforeSecs
        = q.value(0).isNull() ? std::numeric_limits<qint64>::max() : q.value(0).toLongLong();
    kept.askedAtSecs = nowSecs;
    kept.kiosks = kiosks;
    kept.generation = generation;
}

bool TokenRegistry::findToken(const QString &jti, TokenRecord *out, bool *found, QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.prepare(QStringLiteral("SELECT %1 FROM tokens WHERE jti = ?").arg(QLatin1String(RecordColumns)));
    q.addBindValue(jti);
    if (!exec(q, error, QStringLiteral("cannot look up a token")))
        return false;
    *found = q.next();
    if (*found && out)
        *out = recordFrom(q);
    return true;
}

bool TokenRegistry::revoke(const QString &nameOrJti, qint64 nowSecs, const QString &reason,
                           QStringList *revokedJtis, QString *error)
{
    QStringList jtis;
    if (!revokeWhere(QStringLiteral("jti = ? OR kiosk = ?"), {nameOrJti, nameOrJti}, nowSecs,
                     reason, &jtis, error))
        return false;
    if (jtis.isEmpty()) {
        TokenRecord existing;
        bool found = false;
        if (!findToken(nameOrJti, &existing, &found, error))
            return false;
        if (error) {
            *error = found ? QStringLiteral("token %1 is already revoked").arg(nameOrJti)
                           : QStringLiteral("no active token has the id or kiosk name \"%1\"")
                                 .arg(nameOrJti);
        }
        return false;
    }
    if (revokedJtis)
        *revokedJtis = jtis;
    return true;
}

bool TokenRegistry::revokeByKeyIds(const QStringList &keyIds, qint64 nowSecs, const QString &reason,
                                   QStringList *revokedJtis, QString *error)
{
    QStringList all;
    for (const QString &kid : keyIds) {
        QStringList jtis;
        if (!revokeWhere(QStringLiteral("kid = ?"), {kid}, nowSecs, reason, &jtis, error))
            return false;
        all += jtis;
    }
    if (revokedJtis)
        *revokedJtis = all;
    return true;
}

bool TokenRegistry::revokeWhere(const QString &where, const QVariantList &binds, qint64 nowSecs,
                                const QString &reason, QStringList *revokedJtis, QString *error)
{
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT jti FROM tokens WHERE revoked IS NULL AND (%1)").arg(where));
    for (const QVariant &bind : binds)
        q.addBindValue(bind);
    if (!exec(q, error, QStringLiteral("cannot find tokens to revoke"))) {
        db.rollback();
        return false;
    }
    QStringList jtis;
    while (q.next())
        jtis.append(q.value(0).toString());
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE tokens SET revoked = ?, revoke_reason = ? WHERE jti = ?"));
    for (const QString &jti : jtis) {
        update.addBindValue(nowSecs);
        update.addBindValue(reason);
        update.addBindValue(jti);
        if (!exec(update, error, QStringLiteral("cannot revoke a token"))) {
            db.rollback();
            return false;
        }
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot commit the revocation"), db.lastError());
    *revokedJtis = jtis;
    return true;
}

bool TokenRegistry::recordUses(const QHash<QString, TokenUse> &uses, QString *error)
{
    if (uses.isEmpty())
        return true;
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery q(db);
    // One statement: SQLite walks the JSON array itself. An UPDATE per token
    // was 10,000 statements on the network thread after a fleet reconnected.
    // The array is written as text: QJsonArray and toJson() had been about a
    // third of this flush's samples in a profile of a fleet reconnecting.
    QString rows;
    rows.reserve(uses.size() * 64);
    for (auto it = uses.cbegin(); it != uses.cend(); ++it) {
        rows += rows.isEmpty() ? QLatin1Char('[') : QLatin1Char(',');
        rows += QLatin1Char('[');
        Protocol::appendJsonQuoted(rows, it.key());
        rows += QLatin1Char(',') + QString::number(it->at) + QLatin1Char(',');
        Protocol::appendJsonQuoted(rows, it->address);
        rows += QLatin1Char(']');
    }
    rows += QLatin1Char(']');
    const bool batched = q.prepare(
        QStringLiteral("UPDATE tokens SET last_used = u.at, last_address = u.address"
                       " FROM (SELECT json_extract(value, '$[0]') AS jti,"
                       " json_extract(value, '$[1]') AS at, json_extract(value, '$[2]') AS address"
                       " FROM json_each(?)) AS u WHERE tokens.jti = u.jti"));
    if (batched) {
        q.addBindValue(rows);
        if (!exec(q, error, QStringLiteral("cannot record token use"))) {
            db.rollback();
            return false;
        }
    } else {
        // An SQLite without JSON functions or UPDATE ... FROM (3.33): a row at a time.
        q.prepare(
            QStringLiteral("UPDATE tokens SET last_used = ?, last_address = ? WHERE jti = ?"));
        for (auto it = uses.cbegin(); it != uses.cend(); ++it) {
            q.addBindValue(it->at);
            q.addBindValue(it->address);
            q.addBindValue(it.key());
            if (!exec(q, error, QStringLiteral("cannot record token use"))) {
                db.rollback();
                return false;
            }
        }
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot commit token use"), db.lastError());
    return true;
}

bool TokenRegistry::tokenRevocations(QList<std::pair<QString, bool>> *revokedByJti,
                                     QString *error) const
{
    QSqlQuery q(m_connection.database());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT jti, COALESCE(revoked, 0) != 0 FROM tokens")))
        return sqlFailure(error, QStringLiteral("cannot read the tokens' states"), q.lastError());
    revokedByJti->clear();
    while (q.next())
        revokedByJti->append({ q.value(0).toString(), q.value(1).toBool() });
    return true;
}

bool TokenRegistry::activeKeyIds(QStringList *keyIds, QString *current, QString *error) const
{
    QSqlQuery q(m_connection.database());
    if (!q.exec(QStringLiteral("SELECT kid FROM signing_keys WHERE retired IS NULL ORDER BY created, rowid")))
        return sqlFailure(error, QStringLiteral("cannot list signing keys"), q.lastError());
    keyIds->clear();
    while (q.next())
        keyIds->append(q.value(0).toString());
    if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'current_kid'")))
        return sqlFailure(error, QStringLiteral("cannot read the current signing key"), q.lastError());
    *current = q.next() ? q.value(0).toString() : QString();
    return true;
}

bool TokenRegistry::addKeyId(const QString &keyId, qint64 nowSecs, QString *error)
{
    QSqlDatabase db = m_connection.database();
    if (!beginWrite(db, error))
        return false;
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO signing_keys (kid, created) VALUES (?, ?)"));
    q.addBindValue(keyId);
    q.addBindValue(nowSecs);
    QSqlQuery current(db);
    current.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('current_kid', ?)"));
    current.addBindValue(keyId);
    if (!exec(q, error, QStringLiteral("cannot record the signing key"))
        || !exec(current, error, QStringLiteral("cannot make the signing key current"))) {
        db.rollback();
        return false;
    }
    if (!db.commit())
        return sqlFailure(error, QStringLiteral("cannot commit the signing key"), db.lastError());
    return true;
}

bool TokenRegistry::retireKeyIds(const QStringList &keyIds, qint64 nowSecs, QString *error)
{
    QSqlQuery q(m_connection.database());
    q.prepare(QStringLiteral("UPDATE signing_keys SET retired = ? WHERE kid = ? AND retired IS NULL"));
    for (const QString &kid : keyIds) {
        q.addBindValue(nowSecs);
        q.addBindValue(kid);
        if (!exec(q, error, QStringLiteral("cannot retire a signing key")))
            return false;
    }
    return true;
}

} // namespace KioskGate
