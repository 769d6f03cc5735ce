#include "MemorySecretStore.h"

namespace KioskGate {

QString MemorySecretStore::backendName() const
{
    return QStringLiteral("memory (tests only)");
}

bool MemorySecretStore::read(const QString &key, QByteArray *value, bool *found, QString *error)
{
    Q_UNUSED(error)
    const auto it = m_entries.constFind(key);
    *found = it != m_entries.constEnd();
    *value = *found ? it.value() : QByteArray();
    return true;
}

bool MemorySecretStore::write(const QString &key, const QByteArray &value, QString *error)
{
    Q_UNUSED(error)
    m_entries.insert(key, value);
    return true;
}

bool MemorySecretStore::remove(const QString &key, QString *error)
{
    Q_UNUSED(error)
    m_entries.remove(key);
    return true;
}

} // namespace KioskGate
