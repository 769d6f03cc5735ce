#pragma once

#include "SecretStore.h"

#include <memory>

namespace QKeychain {
class Job;
}

namespace KioskGate {

/// The production SecretStore: the operating system's keychain through
/// QtKeychain (Secret Service, i.e. gnome-keyring or KWallet, on Linux; the
/// macOS Keychain; the Windows Credential Manager).
///
/// Each call runs one QtKeychain job and waits for it in a local event loop,
/// so it needs a QCoreApplication and returns after at most the timeout.
/// While it waits, the calling thread keeps handling its other events (but
/// not user input).
///
/// Every key is stored as `<service>/<key>`: Windows ignores QtKeychain's
/// service name, and the prefix keeps two services apart there too.
class KeychainSecretStore final : public SecretStore
{
public:
    /// How long one keychain call may take before it fails.
    static constexpr int defaultTimeoutMs = 20'000;
    /// The Windows Credential Manager stores at most 2,560 bytes per secret
    /// (CRED_MAX_CREDENTIAL_BLOB_SIZE): keep keys there, not certificates.
    static constexpr int windowsMaxSecretBytes = 2'560;

    /// `service` names the application in the keychain, e.g. "KioskGate".
    explicit KeychainSecretStore(const QString &service, int timeoutMs = defaultTimeoutMs);

    QString backendName() const override;
    bool read(const QString &key, QByteArray *value, bool *found, QString *error) override;
    bool write(const QString &key, const QByteArray &value, QString *error) override;
    bool remove(const QString &key, QString *error) override;

    /// Checks that the keychain works: writes, reads back and deletes a random
    /// test entry. On failure `*error` says what to do, including how to
    /// start without a keychain. QtKeychain 0.13 has no availability check,
    /// so this is the only reliable test. Takes milliseconds when a keychain
    /// answers or is plainly missing; a silent one costs one to three
    /// timeouts.
    bool probe(QString *error);

    QString service() const { return m_service; }

private:
    QString storedKey(const QString &key) const;
    bool readEntry(const QString &key, QByteArray *value, bool *found, QString *reason);
    bool writeEntry(const QString &key, const QByteArray &value, QString *reason);
    bool removeEntry(const QString &key, QString *reason);
    bool runJob(std::unique_ptr<QKeychain::Job> &job, QString *reason);

    QString m_service;
    int m_timeoutMs;
};

} // namespace KioskGate
