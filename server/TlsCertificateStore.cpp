#include "TlsCertificateStore.h"

#include "Clock.h"
#include "Logging.h"
#include "SecretStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace KioskGate {

TlsCertificateStore::TlsCertificateStore(SecretStore *secrets, QString dataDir, QString instanceId,
                                         const Clock *clock)
    : m_secrets(secrets), m_dataDir(std::move(dataDir)), m_instanceId(std::move(instanceId)), m_clock(clock)
{
}

QString TlsCertificateStore::certificatePath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("tls/certificate.pem"));
}

QString TlsCertificateStore::secretName() const
{
    return QStringLiteral("instance/%1/tls/key").arg(m_instanceId);
}

bool TlsCertificateStore::load(TlsIdentity *identity, TlsFacts *facts, QString *error)
{
    QFile file(certificatePath());
    if (!file.exists())
        return regenerate(identity, facts, error);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    TlsIdentity loaded;
    loaded.certificatePem = file.readAll();
    bool found = false;
    if (!m_secrets->read(secretName(), &loaded.privateKeyPem, &found, error))
        return false;
    if (!found) {
        if (error)
            *error = QStringLiteral("the TLS private key for %1 is missing from %2. If the keychain was "
                                    "reset or this data directory was copied from another machine, run "
                                    "`kioskgate tls regenerate` (kiosks pinned to the old certificate "
                                    "need the new pin) or `kioskgate tls import`.")
                         .arg(file.fileName(), m_secrets->backendName());
        return false;
    }
    QString reason;
    if (!TlsCertificates::validate(loaded, m_clock->nowSecs(), facts, &reason)) {
        if (error)
            *error = QStringLiteral("the TLS certificate in %1 cannot be served: %2. Run `kioskgate tls "
                                    "regenerate` or `kioskgate tls import`.")
                         .arg(file.fileName(), reason);
        return false;
    }
    *identity = loaded;
    return true;
}

bool TlsCertificateStore::regenerate(TlsIdentity *identity, TlsFacts *facts, QString *error)
{
    TlsIdentity fresh;
    if (!TlsCertificates::generate(TlsCertificates::defaultRequest(), &fresh, error))
        return false;
    if (!store(fresh, facts, error))
        return false;
    *identity = fresh;
    return true;
}

bool TlsCertificateStore::store(const TlsIdentity &identity, TlsFacts *facts, QString *error)
{
    TlsFacts checked;
    if (!TlsCertificates::validate(identity, m_clock->nowSecs(), &checked, error))
        return false;
    if (!QDir().mkpath(QFileInfo(certificatePath()).path())) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(QFileInfo(certificatePath()).path());
        return false;
    }
    // Key first, certificate second: a crash in between leaves a pair that
    // load() reports as mismatched, never a certificate served with a key
    // that is not its own.
    if (!m_secrets->write(secretName(), identity.privateKeyPem, error))
        return false;
    QSaveFile file(certificatePath());
    if (!file.open(QIODevice::WriteOnly) || file.write(identity.certificatePem) != identity.certificatePem.size()
        || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(certificatePath(), file.errorString());
        return false;
    }
    qCInfo(lcSecrets).noquote() << "TLS certificate" << checked.sha256Fingerprint << "stored; key in"
                                << m_secrets->backendName();
    if (facts)
        *facts = checked;
    return true;
}

} // namespace KioskGate
