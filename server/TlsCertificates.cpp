#include "TlsCertificates.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonArray>
#include <QNetworkInterface>
#include <QRegularExpression>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <vector>

namespace KioskGate {

namespace {

// Owning pointers for the OpenSSL objects used here.
struct Free
{
    void operator()(BIO *p) const { BIO_free(p); }
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(BIGNUM *p) const { BN_free(p); }
    void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); }
    void operator()(PKCS12 *p) const { PKCS12_free(p); }
    void operator()(GENERAL_NAMES *p) const { GENERAL_NAMES_free(p); }
    void operator()(STACK_OF(X509) *p) const { sk_X509_pop_free(p, X509_free); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

// Windows' credential store caps a secret at 2,560 bytes (QT-NOTES): a key
// that does not fit there is refused everywhere, so a data directory never
// depends on the platform it was made on.
constexpr int MaxKeyPemBytes = 2560;

QString opensslReason()
{
    const unsigned long code = ERR_peek_last_error();
    QString reason = code ? QString::fromLatin1(ERR_reason_error_string(code)) : QString();
    ERR_clear_error();
    return reason.isEmpty() ? QStringLiteral("unknown OpenSSL error") : reason;
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    ERR_clear_error();
    return false;
}

Owned<BIO> memoryOf(const QByteArray &data)
{
    return Owned<BIO>(BIO_new_mem_buf(data.constData(), int(data.size())));
}

QByteArray contentsOf(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(size));
}

// Never prompt on a terminal for a pass phrase: the one given, or none.
int passwordCallback(char *buffer, int size, int, void *userData)
{
    const auto *password = static_cast<const QByteArray *>(userData);
    if (!password || password->isEmpty() || password->size() > size)
        return -1;
    memcpy(buffer, password->constData(), size_t(password->size()));
    return int(password->size());
}

QByteArray certificatePem(X509 *certificate)
{
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), certificate);
    return contentsOf(bio.get());
}

QByteArray privateKeyPem(EVP_PKEY *key)
{
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return contentsOf(bio.get());
}

std::vector<Owned<X509>> readCertificates(const QByteArray &pem)
{
    std::vector<Owned<X509>> chain;
    Owned<BIO> bio = memoryOf(pem);
    while (X509 *certificate = PEM_read_bio_X509(bio.get(), nullptr, passwordCallback, nullptr))
        chain.emplace_back(certificate);
    ERR_clear_error(); // the loop ends with a "no start line" error
    return chain;
}

Owned<EVP_PKEY> readPrivateKey(const QByteArray &pem, const QByteArray *password)
{
    Owned<BIO> bio = memoryOf(pem);
    return Owned<EVP_PKEY>(PEM_read_bio_PrivateKey(bio.get(), nullptr, passwordCallback,
                                                   const_cast<QByteArray *>(password)));
}

bool addExtension(X509 *certificate, int nid, const QByteArray &value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    Owned<X509_EXTENSION> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData()));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

qint64 secondsOf(const ASN1_TIME *time)
{
    struct tm parts = {};
    if (!time || ASN1_TIME_to_tm(time, &parts) != 1)
        return 0;
    const QDate date(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday);
    const QTime clock(parts.tm_hour, parts.tm_min, parts.tm_sec);
    return QDateTime(date, clock, Qt::UTC).toSecsSinceEpoch();
}

QString isoOf(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
}

QString nameOf(const X509_NAME *name)
{
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return QString::fromUtf8(contentsOf(bio.get()));
}

QStringList subjectAltNamesOf(X509 *certificate)
{
    QStringList names;
    Owned<GENERAL_NAMES> general(static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; general && i < sk_GENERAL_NAME_num(general.get()); ++i) {
        const GENERAL_NAME *entry = sk_GENERAL_NAME_value(general.get(), i);
        if (entry->type == GEN_DNS) {
            const ASN1_STRING *text = entry->d.dNSName;
            names.append(QStringLiteral("DNS:")
                         + QString::fromLatin1(reinterpret_cast<const char *>(ASN1_STRING_get0_data(text)),
                                               ASN1_STRING_length(text)));
        } else if (entry->type == GEN_IPADD) {
            const ASN1_STRING *raw = entry->d.iPAddress;
            const unsigned char *bytes = ASN1_STRING_get0_data(raw);
            QHostAddress address;
            if (ASN1_STRING_length(raw) == 4)
                address.setAddress(quint32(bytes[0]) << 24 | quint32(bytes[1]) << 16 | quint32(bytes[2]) << 8 | bytes[3]);
            else if (ASN1_STRING_length(raw) == 16)
                address.setAddress(bytes);
            if (!address.isNull())
                names.append(QStringLiteral("IP:") + address.toString());
        }
    }
    return names;
}

QString keyTypeOf(EVP_PKEY *key)
{
    const int bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
        char group[64] = {};
        size_t length = 0;
        EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &length);
        return QStringLiteral("EC ") + QString::fromLatin1(group, int(length));
    }
    case EVP_PKEY_RSA:
        return QStringLiteral("RSA %1").arg(bits);
    default:
        return QString();
    }
}

// The host name as a DNS SAN: letters, digits, '-', '.', '_' only (the
// extension value is a comma-separated list, so nothing else may pass).
bool isPlainHostName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?$"));
    return pattern.match(name).hasMatch();
}

} // namespace

QJsonObject TlsFacts::toJson(const QString &kioskUrl, const QString &serverUrl) const
{
    const QString page = kioskUrl.isEmpty() ? QStringLiteral("https://kiosk.example/") : kioskUrl;
    const QString server = serverUrl.isEmpty() ? QStringLiteral("wss://console.example:8765/v1/kiosk") : serverUrl;
    return {
        {QStringLiteral("sha256Fingerprint"), sha256Fingerprint},
        {QStringLiteral("spkiSha256"), spkiSha256},
        {QStringLiteral("subject"), subject},
        {QStringLiteral("issuer"), issuer},
        {QStringLiteral("selfSigned"), selfSigned},
        {QStringLiteral("subjectAltNames"), QJsonArray::fromStringList(subjectAltNames)},
        {QStringLiteral("notBefore"), isoOf(notBeforeSecs)},
        {QStringLiteral("notAfter"), isoOf(notAfterSecs)},
        {QStringLiteral("keyType"), keyType},
        {QStringLiteral("chromiumCommandLine"), TlsCertificates::chromiumCommandLine(spkiSha256, page)},
        {QStringLiteral("nodeWsExample"),
         QStringLiteral("new WebSocket('%1', { ca: fs.readFileSync('kioskgate-cert.pem'), "
                        "headers: { Authorization: 'Bearer ' + token } })")
             .arg(server)},
    };
}

namespace TlsCertificates {

GenerateRequest defaultRequest()
{
    GenerateRequest request;
    const QString host = QHostInfo::localHostName();
    if (isPlainHostName(host))
        request.hostNames.append(host);
    const QString domain = QHostInfo::localDomainName();
    if (!domain.isEmpty() && isPlainHostName(host + QLatin1Char('.') + domain))
        request.hostNames.append(host + QLatin1Char('.') + domain);
    if (!request.hostNames.contains(QStringLiteral("localhost")))
        request.hostNames.append(QStringLiteral("localhost"));
    request.addresses = {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)};
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        // Link-local IPv6 addresses need a scope id no certificate can name.
        if (address.isLoopback() || address.isLinkLocal() || !address.scopeId().isEmpty()
            || request.addresses.contains(address))
            continue;
        request.addresses.append(address);
    }
    return request;
}

bool generate(const GenerateRequest &request, TlsIdentity *identity, QString *error)
{
    Owned<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    Owned<X509> certificate(X509_new());
    if (!key || !certificate)
        return fail(error, QStringLiteral("cannot create a key: ") + opensslReason());

    // A random 127-bit positive serial: no two certificates of this console
    // (or any other) share one, so browsers never confuse a regenerated one.
    unsigned char serialBytes[16];
    if (RAND_bytes(serialBytes, sizeof serialBytes) != 1)
        return fail(error, QStringLiteral("no randomness for the serial number: ") + opensslReason());
    serialBytes[0] = (serialBytes[0] & 0x7f) | 0x40;
    Owned<BIGNUM> serial(BN_bin2bn(serialBytes, sizeof serialBytes, nullptr));

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const qint64 notBefore = request.notBeforeSecs ? request.notBeforeSecs : now - 3600;
    const qint64 notAfter = request.notAfterSecs ? request.notAfterSecs
                                                 : now + qint64(request.lifetimeDays) * 86400;
    const QString commonName = request.hostNames.value(0, QStringLiteral("localhost"));
    X509_NAME *name = X509_get_subject_name(certificate.get());

    QStringList alternatives;
    for (const QString &host : request.hostNames) {
        if (isPlainHostName(host))
            alternatives.append(QStringLiteral("DNS:") + host);
    }
    for (const QHostAddress &address : request.addresses)
        alternatives.append(QStringLiteral("IP:") + address.toString());

    const bool built =
        X509_set_version(certificate.get(), X509_VERSION_3) == 1 && serial
        && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))
        && ASN1_TIME_set(X509_getm_notBefore(certificate.get()), time_t(notBefore))
        && ASN1_TIME_set(X509_getm_notAfter(certificate.get()), time_t(notAfter))
        && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>("KioskGate console"), -1, -1, 0)
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(commonName.toUtf8().constData()),
                                      -1, -1, 0)
        && X509_set_issuer_name(certificate.get(), name) == 1
        && X509_set_pubkey(certificate.get(), key.get()) == 1
        && addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE")
        && addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature")
        && addExtension(certificate.get(), NID_ext_key_usage, request.serverAuth ? "serverAuth" : "clientAuth")
        && addExtension(certificate.get(), NID_subject_key_identifier, "hash")
        && (alternatives.isEmpty()
            || addExtension(certificate.get(), NID_subject_alt_name, alternatives.join(QLatin1Char(',')).toLatin1()))
        && X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0;
    if (!built)
        return fail(error, QStringLiteral("cannot build the certificate: ") + opensslReason());

    identity->certificatePem = certificatePem(certificate.get());
    identity->privateKeyPem = privateKeyPem(key.get());
    return true;
}

bool fromPem(const QByteArray &certificatePemText, const QByteArray &keyPem, TlsIdentity *identity,
             QString *error)
{
    const std::vector<Owned<X509>> chain = readCertificates(certificatePemText);
    if (chain.empty())
        return fail(error, QStringLiteral("no PEM certificate found (expected \"-----BEGIN CERTIFICATE-----\")"));
    const QByteArray keySource = keyPem.isEmpty() ? certificatePemText : keyPem;
    Owned<EVP_PKEY> key = readPrivateKey(keySource, nullptr);
    if (!key) {
        return fail(error, keySource.contains("ENCRYPTED")
                               ? QStringLiteral("the private key is encrypted; decrypt it first "
                                                "(openssl pkey -in KEY -out PLAIN) or import a PKCS#12 file")
                               : QStringLiteral("no PEM private key found (expected \"-----BEGIN PRIVATE KEY-----\")"));
    }
    identity->certificatePem.clear();
    for (const Owned<X509> &certificate : chain)
        identity->certificatePem += certificatePem(certificate.get());
    identity->privateKeyPem = privateKeyPem(key.get());
    return true;
}

bool fromPkcs12(const QByteArray &der, const QByteArray &password, TlsIdentity *identity, QString *error)
{
    Owned<BIO> bio = memoryOf(der);
    Owned<PKCS12> bundle(d2i_PKCS12_bio(bio.get(), nullptr));
    if (!bundle)
        return fail(error, QStringLiteral("the file is not a PKCS#12 (.p12/.pfx) file"));
    EVP_PKEY *rawKey = nullptr;
    X509 *rawCertificate = nullptr;
    STACK_OF(X509) *rawChain = nullptr;
    if (PKCS12_parse(bundle.get(), password.constData(), &rawKey, &rawCertificate, &rawChain) != 1) {
        const QString reason = opensslReason();
        return fail(error, reason.contains(QLatin1String("mac verify failure"))
                               ? QStringLiteral("the PKCS#12 password is wrong")
                               : QStringLiteral("cannot open the PKCS#12 file: ") + reason);
    }
    Owned<EVP_PKEY> key(rawKey);
    Owned<X509> certificate(rawCertificate);
    Owned<STACK_OF(X509)> chain(rawChain);
    if (!key || !certificate)
        return fail(error, QStringLiteral("the PKCS#12 file holds no certificate with its private key"));
    identity->certificatePem = certificatePem(certificate.get());
    for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i)
        identity->certificatePem += certificatePem(sk_X509_value(chain.get(), i));
    identity->privateKeyPem = privateKeyPem(key.get());
    return true;
}

bool validate(const TlsIdentity &identity, qint64 nowSecs, TlsFacts *facts, QString *error)
{
    const std::vector<Owned<X509>> chain = readCertificates(identity.certificatePem);
    if (chain.empty())
        return fail(error, QStringLiteral("the certificate cannot be read"));
    X509 *leaf = chain.front().get();
    Owned<EVP_PKEY> key = readPrivateKey(identity.privateKeyPem, nullptr);
    if (!key)
        return fail(error, QStringLiteral("the private key cannot be read"));
    if (X509_check_private_key(leaf, key.get()) != 1)
        return fail(error, QStringLiteral("the private key does not belong to the certificate"));

    TlsFacts result;
    result.keyType = keyTypeOf(key.get());
    if (result.keyType.isEmpty())
        return fail(error, QStringLiteral("unsupported key type: use an EC (P-256, P-384) or RSA key"));
    if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA && EVP_PKEY_get_bits(key.get()) < 2048)
        return fail(error, QStringLiteral("the RSA key is too short (%1 bits; at least 2048)")
                               .arg(EVP_PKEY_get_bits(key.get())));
    if (identity.privateKeyPem.size() > MaxKeyPemBytes)
        return fail(error, QStringLiteral("the private key is too large for the OS keychain (%1 bytes, "
                                          "at most %2 on Windows): use an EC key or RSA up to 3072 bits")
                               .arg(identity.privateKeyPem.size()).arg(MaxKeyPemBytes));

    result.notBeforeSecs = secondsOf(X509_get0_notBefore(leaf));
    result.notAfterSecs = secondsOf(X509_get0_notAfter(leaf));
    if (nowSecs < result.notBeforeSecs)
        return fail(error, QStringLiteral("the certificate is not valid yet (not before %1)")
                               .arg(isoOf(result.notBeforeSecs)));
    if (nowSecs > result.notAfterSecs)
        return fail(error, QStringLiteral("the certificate expired on %1").arg(isoOf(result.notAfterSecs)));

    // X509_check_purpose also caches the extensions read below.
    if (X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1) {
        const bool hasExtendedUsage = (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0;
        if (hasExtendedUsage && !(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER))
            return fail(error, QStringLiteral("the certificate is not for TLS servers: its extended key "
                                              "usage does not include serverAuth"));
        return fail(error, QStringLiteral("the certificate is not for TLS servers: its key usage does not "
                                          "allow it"));
    }

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    X509_digest(leaf, EVP_sha256(), digest, &digestLength);
    result.sha256Fingerprint = QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), int(digestLength)).toHex(':').toUpper());
    unsigned char *spki = nullptr;
    const int spkiLength = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &spki);
    if (spkiLength <= 0)
        return fail(error, QStringLiteral("cannot encode the public key: ") + opensslReason());
    result.spkiSha256 = QString::fromLatin1(
        QCryptographicHash::hash(QByteArray(reinterpret_cast<const char *>(spki), spkiLength),
                                 QCryptographicHash::Sha256)
            .toBase64());
    OPENSSL_free(spki);
    result.subject = nameOf(X509_get_subject_name(leaf));
    result.issuer = nameOf(X509_get_issuer_name(leaf));
    result.selfSigned = (X509_get_extension_flags(leaf) & EXFLAG_SS) != 0;
    result.subjectAltNames = subjectAltNamesOf(leaf);
    if (facts)
        *facts = result;
    ERR_clear_error();
    return true;
}

QString chromiumCommandLine(const QString &spki, const QString &kioskUrl)
{
    // Chromium honours the SPKI list only together with --user-data-dir, so
    // the line names a profile folder of its own.
    return QStringLiteral("chromium --kiosk --user-data-dir=/var/lib/kioskgate-kiosk "
                          "--ignore-certificate-errors-spki-list=%1 %2")
        .arg(spki, kioskUrl);
}

} // namespace TlsCertificates

} // namespace KioskGate
