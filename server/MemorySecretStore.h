#pragma once

#include "SecretStore.h"

#include <QHash>

namespace KioskGate {

/// A SecretStore that keeps entries in memory only; for unit tests of code
/// that needs a store, and never for a running console.
class MemorySecretStore final : public SecretStore
{
public:
    QString backendName() const override;
    bool read(const QString &key, QByteArray *value, bool *found, QString *error) override;
    bool write(const QString &key, const QByteArray &value, QString *error) override;
    bool remove(const QString &key, QString *error) override;

    /// Number of entries held; lets tests check that nothing was left behind.
    int count() const { return static_cast<int>(m_entries.size()); }

private:
    QHash<QString, QByteArray> m_entries;
};

} // namespace KioskGate
