#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace KioskGate {

/// A server certificate with its private key, both PEM. `certificatePem`
/// holds the leaf first, then any intermediates (from an import).
struct TlsIdentity
{
    QByteArray certificatePem;
    QByteArray privateKeyPem;

    bool isNull() const { return certificatePem.isEmpty() || privateKeyPem.isEmpty(); }
};

/// What an operator (or a kiosk) needs to know about the served certificate.
/// Never holds key material.
struct TlsFacts
{
    QString sha256Fingerprint; ///< of the leaf's DER, upper-case hex with colons
    QString spkiSha256;        ///< base64 SHA-256 of the leaf's SubjectPublicKeyInfo (Chrome's pin)
    QString subject;
    QString issuer;
    bool selfSigned = false;
    QStringList subjectAltNames; ///< "DNS:host", "IP:127.0.0.1"
    qint64 notBeforeSecs = 0;
    qint64 notAfterSecs = 0;
    QString keyType; ///< e.g. "EC P-256", "RSA 2048"

    /// The facts plus the pinning instructions for a kiosk that opens
    /// `kioskUrl` (the kiosk's start page) and connects to `serverUrl`.
    QJsonObject toJson(const QString &kioskUrl = {}, const QString &serverUrl = {}) const;
};

/// Certificate work on OpenSSL 3: generation, import and the checks an
/// imported certificate must pass. Stateless; any thread.
namespace TlsCertificates {

struct GenerateRequest
{
    QStringList hostNames;
    QList<QHostAddress> addresses;
    qint64 notBeforeSecs = 0; ///< 0: an hour ago (clock skew between machines)
    qint64 notAfterSecs = 0;  ///< 0: `lifetimeDays` after now
    int lifetimeDays = 825;   ///< Apple's ceiling for locally trusted certificates
    bool serverAuth = true;   ///< false only for tests of the import checks
};

/// Host names and addresses a console certificate names: this machine's host
/// name, localhost, 127.0.0.1, ::1 and every non-link-local LAN address.
GenerateRequest defaultRequest();

/// A fresh self-signed ECDSA P-256 certificate with a random serial, SANs,
/// CA:FALSE and the serverAuth extended key usage.
bool generate(const GenerateRequest &request, TlsIdentity *identity, QString *error);

/// A PEM certificate (chain) and PEM private key, as files hold them.
/// `certificatePem` may also carry the key, with `keyPem` empty.
bool fromPem(const QByteArray &certificatePem, const QByteArray &keyPem, TlsIdentity *identity,
             QString *error);

/// A PKCS#12 (.p12/.pfx) file opened with `password`.
bool fromPkcs12(const QByteArray &der, const QByteArray &password, TlsIdentity *identity,
                QString *error);

/// Refuses what a server cannot serve: unreadable PEM, a key that does not
/// belong to the certificate, a certificate not yet valid or expired at
/// `nowSecs`, one not usable for TLS servers (extended key usage without
/// serverAuth, or a key usage that forbids it). Fills `facts` on success.
bool validate(const TlsIdentity &identity, qint64 nowSecs, TlsFacts *facts, QString *error);

/// The Chromium kiosk command line that trusts `spki` without a CA.
QString chromiumCommandLine(const QString &spki, const QString &kioskUrl);

} // namespace TlsCertificates

} // namespace KioskGate
