#pragma once

#include "AdminService.h"
#include "Clock.h"
#include "DataDirectory.h"
#include "SecretStore.h"
#include "SigningKeyRing.h"
#include "SigningKeyStore.h"
#include "TlsCertificateStore.h"
#include "TokenRegistry.h"
#include "TokenService.h"

#include <memory>

namespace KioskGate {

/// Builds the control-thread object graph for one data directory: secret
/// store, registry connection, signing keys, token service and the admin
/// commands. Used by the headless server and by command-line calls made
/// while no instance runs.
class ControlPlane
{
public:
    struct Options
    {
        QString dataDir;
        /// Keep secrets in a plain file in the data directory instead of
        /// the OS keychain (explicit opt-in for headless servers).
        bool insecureFileSecrets = false;
    };

    /// Which step of open() failed, so a window can say what to do.
    enum class Failure { None, DataDirectory, Database, Keychain, SigningKey };

    explicit ControlPlane(Options options);
    ~ControlPlane();

    /// Opens everything and loads (or on first run creates) the signing
    /// key. With `forRotation`, a key missing from the store is tolerated so
    /// that `keys rotate --retire-old` can recover from it.
    bool open(QString *error, bool forRotation = false);
    Failure failure() const { return m_failure; }

    DataDirectory &dataDirectory() { return m_dataDir; }
    TokenRegistry &registry() { return m_registry; }
    const SigningKeyRing &keyRing() const { return m_ring; }
    AdminService &admin() { return *m_admin; }
    /// The TLS certificate and its key in the keychain (valid after open()).
    TlsCertificateStore &tlsStore() { return *m_tls; }
    const Clock &clock() const { return m_clock; }
    QString issuer() const;
    static QString audience() { return QStringLiteral("kioskgate"); }

private:
    bool openSecretStore(QString *error);

    Options m_options;
    Failure m_failure = Failure::None;
    SystemClock m_clock;
    DataDirectory m_dataDir;
    std::unique_ptr<SecretStore> m_secrets;
    TokenRegistry m_registry;
    SigningKeyRing m_ring;
    std::unique_ptr<SigningKeyStore> m_keys;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<AdminService> m_admin;
    std::unique_ptr<TlsCertificateStore> m_tls;
};

} // namespace KioskGate
