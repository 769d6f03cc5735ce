#pragma once

#include "Authenticator.h"
#include "TokenRecord.h"

#include <QHash>
#include <QObject>

namespace KioskGate {

class TokenRegistry;

/// The network thread's view of the registry: answers "is this jti still
/// good?" from memory, reading through to SQLite the first time a jti is
/// seen, and writes last-used times back in batches so a reconnect storm
/// does not turn into thousands of single-row transactions.
class TokenStatusCache : public QObject, public TokenStatusLookup
{
    Q_OBJECT
public:
    TokenStatusCache(TokenRegistry *registry, QObject *parent = nullptr);

    Status tokenStatus(const QString &jti) override;
    void markRevoked(const QStringList &jtis);
    void recordUse(const QString &jti, const QString &address, qint64 atSecs);
    /// Writes pending uses now (also runs on a timer and on shutdown).
    void flush();

private:
    TokenRegistry *m_registry;
    QHash<QString, Status> m_status;
    QHash<QString, TokenUse> m_pendingUses;
};

} // namespace KioskGate
