#include "TlsServerConfiguration.h"

#include <QSslCipher>
#include <QSslKey>
#include <QSslSocket>

namespace KioskGate {

namespace {

bool isStrongCipher(const QSslCipher &cipher)
{
    if (cipher.protocol() == QSsl::TlsV1_3)
        return true;
    const QString name = cipher.name();
    return name.startsWith(QLatin1String("ECDHE-"))
           && (name.contains(QLatin1String("-GCM-")) || name.contains(QLatin1String("CHACHA20")));
}

} // namespace

bool makeTlsServerConfiguration(const TlsIdentity &identity, QSslConfiguration *configuration, QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        if (error)
            *error = QStringLiteral("TLS is not available: Qt found no OpenSSL 3 library (%1)")
                         .arg(QSslSocket::sslLibraryBuildVersionString());
        return false;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(identity.certificatePem, QSsl::Pem);
    QSslKey key(identity.privateKeyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(identity.privateKeyPem, QSsl::Rsa, QSsl::Pem);
    if (chain.isEmpty() || key.isNull()) {
        if (error)
            *error = QStringLiteral("Qt cannot use the TLS certificate or key");
        return false;
    }
    QSslConfiguration result = QSslConfiguration::defaultConfiguration();
    result.setProtocol(QSsl::TlsV1_2OrLater);
    result.setLocalCertificateChain(chain);
    result.setPrivateKey(key);
    result.setPeerVerifyMode(QSslSocket::VerifyNone);
    result.setSslOption(QSsl::SslOptionDisableSessionTickets, true);
    result.setSslOption(QSsl::SslOptionDisableSessionPersistence, true);
    QList<QSslCipher> ciphers;
    for (const QSslCipher &cipher : QSslConfiguration::supportedCiphers()) {
        if (isStrongCipher(cipher))
            ciphers.append(cipher);
    }
    if (!ciphers.isEmpty())
        result.setCiphers(ciphers);
    *configuration = result;
    return true;
}

} // namespace KioskGate
