#pragma once

#include "TlsCertificates.h"

#include <QString>

namespace KioskGate {

class Clock;
class SecretStore;

/// Keeps the console's TLS identity: the private key in the SecretStore (the
/// OS keychain) as `instance/<instanceId>/tls/key`, the certificate (chain)
/// as `tls/certificate.pem` in the data directory. Runs on the control
/// thread, where the keychain answers.
class TlsCertificateStore
{
public:
    TlsCertificateStore(SecretStore *secrets, QString dataDir, QString instanceId, const Clock *clock);

    QString certificatePath() const;
    QString secretName() const;

    /// Loads the identity, generating one on first run (no certificate file
    /// yet). A certificate whose key is missing from the keychain, or an
    /// expired one, is an error that names the command to run.
    bool load(TlsIdentity *identity, TlsFacts *facts, QString *error);

    /// Replaces the identity with a freshly generated one.
    bool regenerate(TlsIdentity *identity, TlsFacts *facts, QString *error);

    /// Checks `identity` (TlsCertificates::validate) and stores it.
    bool store(const TlsIdentity &identity, TlsFacts *facts, QString *error);

private:
    SecretStore *m_secrets;
    QString m_dataDir;
    QString m_instanceId;
    const Clock *m_clock;
};

} // namespace KioskGate
