#pragma once

#include <QByteArray>
#include <QString>

namespace KioskGate {

/// Where the console keeps its secrets (token signing keys, later the TLS
/// key). The production implementation is the OS keychain; an in-memory one
/// serves unit tests, and a file-based one exists only behind an explicit
/// command-line flag for headless servers without a keychain.
///
/// Calls are synchronous and must be made from the thread that owns the
/// store (the console's main thread): keychain back-ends deliver their
/// answers through that thread's event loop.
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    /// Human-readable name of the back-end, for logs and error messages.
    virtual QString backendName() const = 0;

    /// Reads `key`. Returns false only on a failure to ask the store; a
    /// missing entry is success with `*found == false`.
    virtual bool read(const QString &key, QByteArray *value, bool *found, QString *error) = 0;

    /// Creates or replaces `key`.
    virtual bool write(const QString &key, const QByteArray &value, QString *error) = 0;

    /// Deletes `key`; deleting a missing entry succeeds.
    virtual bool remove(const QString &key, QString *error) = 0;
};

} // namespace KioskGate
