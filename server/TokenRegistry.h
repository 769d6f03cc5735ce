#pragma once

#include "SqliteConnection.h"
#include "TokenRecord.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <utility>

namespace KioskGate {

/// The SQLite registry in the data directory: issued tokens (by jti, never
/// the token), signing key ids, and the instance identity.
///
/// One object is one connection, used from the thread that opened it. The
/// control thread and the network thread each open their own; SQLite's WAL
/// mode lets them work side by side, and every change is committed before a
/// call returns, so a crash loses nothing that was acknowledged.
class TokenRegistry
{
public:
    TokenRegistry();
    ~TokenRegistry();
    TokenRegistry(const TokenRegistry &) = delete;
    TokenRegistry &operator=(const TokenRegistry &) = delete;

    static QString fileName() { return QStringLiteral("kioskgate.db"); }
    /// Schema version of the registry's tables this code writes; a newer
    /// file is refused untouched.
    static constexpr int SchemaVersion = 1;

    /// Opens (creating if needed) the database at `path`.
    bool open(const QString &path, QString *error);
    /// See SqliteConnection::leaveCheckpointsToOthers().
    bool leaveCheckpointsToOthers(QString *error)
    {
        return m_connection.leaveCheckpointsToOthers(error);
    }
    bool isOpen() const;

    /// A random id made when the database was created; it names this
    /// instance's entries in the OS keychain and its token issuer.
    QString instanceId() const { return m_instanceId; }

    bool insertToken(const TokenRecord &record, QString *error);
    bool listTokens(QList<TokenRecord> *out, QString *error) const;
    /// The names of kiosks with at least one token neither revoked nor
    /// expired at `nowSecs`, each once, sorted. (A command to every kiosk asks; the
    /// database answers it without loading 10,000 records.)
    ///
    /// The answer is kept and given again while nothing can have changed
    /// it: no token inserted, revoked or changed by any connection (a
    /// generation SQLite triggers count), and no counted token expired
    /// since. Asking took a quarter of the time before a reset-all's first
    /// frame (7 ms at 10,000 kiosks).
    bool activeKiosks(qint64 nowSecs, QStringList *out, QString *error) const;
    bool findToken(const QString &jti, TokenRecord *out, bool *found, QString *error) const;

    /// Revokes the token `nameOrJti` names: its jti, or every unrevoked token
    /// of the kiosk with that name. Fails if nothing matches.
    bool revoke(const QString &nameOrJti, qint64 nowSecs, const QString &reason,
                QStringList *revokedJtis, QString *error);
    /// Revokes every unrevoked token signed by one of `keyIds`.
    bool revokeByKeyIds(const QStringList &keyIds, qint64 nowSecs, const QString &reason,
                        QStringList *revokedJtis, QString *error);
    /// Stores last-used times and addresses in one transaction.
    bool recordUses(const QHash<QString, TokenUse> &uses, QString *error);
    /// Every token's jti and whether it is revoked.
    bool tokenRevocations(QList<std::pair<QString, bool>> *revokedByJti, QString *error) const;

    /// Signing keys that are not retired, oldest first, and the current one.
    bool activeKeyIds(QStringList *keyIds, QString *current, QString *error) const;
    /// Adds a key id and makes it the current one.
    bool addKeyId(const QString &keyId, qint64 nowSecs, QString *error);
    bool retireKeyIds(const QStringList &keyIds, qint64 nowSecs, QString *error);

private:
    bool createSchema(QString *error);
    bool loadInstanceId(QString *error);
    bool revokeWhere(const QString &where, const QVariantList &binds, qint64 nowSecs,
                     const QString &reason, QStringList *revokedJtis, QString *error);

    /// The tokens' generation (see createSchema()), or -1.
    qint64 tokensGeneration() const;
    /// Keeps activeKiosks()'s answer for the next call (see there).
    void keepActiveKiosks(qint64 generation, qint64 nowSecs, const QStringList &kiosks) const;

    SqliteConnection m_connection;
    QString m_instanceId;
    struct ActiveKiosks
    {
        qint64 generation = -1; // -1: nothing kept
        qint64 askedAtSecs = 0; // a clock set back asks again
        qint64 validBeforeSecs = 0; // the first expiry among the tokens counted
        QStringList kiosks;
    };
    mutable ActiveKiosks m_activeKiosks;
};

} // namespace KioskGate
