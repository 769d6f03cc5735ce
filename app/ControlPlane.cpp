#include "ControlPlane.h"

#include "FileSecretStore.h"
#include "KeychainSecretStore.h"
#include "Logging.h"

namespace KioskGate {

ControlPlane::ControlPlane(Options options)
    : m_options(std::move(options)), m_dataDir(m_options.dataDir)
{
}

ControlPlane::~ControlPlane() = default;

QString ControlPlane::issuer() const
{
    return QStringLiteral("urn:kioskgate:") + m_registry.instanceId();
}

bool ControlPlane::openSecretStore(QString *error)
{
    if (m_options.insecureFileSecrets) {
        const QString path = m_dataDir.filePath(QStringLiteral("secrets.json"));
        m_secrets = std::make_unique<FileSecretStore>(path);
        qCWarning(lcSecrets).noquote()
            << "secrets are kept in the plain file" << path
            << "(--insecure-file-secrets): anyone who can read it can sign kiosk tokens";
        return true;
    }
    auto keychain = std::make_unique<KeychainSecretStore>(QStringLiteral("KioskGate"));
    if (!keychain->probe(error))
        return false;
    m_secrets = std::move(keychain);
    return true;
}

bool ControlPlane::open(QString *error, bool forRotation)
{
    if (!m_dataDir.prepare(error)) {
        m_failure = Failure::DataDirectory;
        return false;
    }
    if (!m_registry.open(m_dataDir.databasePath(), error)) {
        m_failure = Failure::Database;
        return false;
    }
    if (!openSecretStore(error)) {
        m_failure = Failure::Keychain;
        return false;
    }
    m_keys = std::make_unique<SigningKeyStore>(m_secrets.get(), &m_registry, &m_ring, &m_clock);
    m_tokens = std::make_unique<TokenService>(&m_ring, &m_clock, issuer(), audience());
    m_admin = std::make_unique<AdminService>(&m_registry, m_tokens.get(), m_keys.get(), &m_clock);
    m_tls = std::make_unique<TlsCertificateStore>(m_secrets.get(), m_dataDir.path(), m_registry.instanceId(),
                                                  &m_clock);
    QString keyError;
    if (!m_keys->load(&keyError)) {
        if (!forRotation) {
            m_failure = Failure::SigningKey;
            if (error)
                *error = keyError;
            return false;
        }
        qCWarning(lcSecrets).noquote() << keyError;
    }
    return true;
}

} // namespace KioskGate
