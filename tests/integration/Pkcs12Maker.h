#pragma once

// Makes PKCS#12 files with OpenSSL itself (AES-256 and PBKDF2, OpenSSL 3's
// defaults, as `openssl pkcs12 -export` writes them), for import tests.

#include "TlsCertificates.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

inline QByteArray pkcs12Of(const KioskGate::TlsIdentity &identity, const QByteArray &password)
{
    BIO *certBio = BIO_new_mem_buf(identity.certificatePem.constData(), int(identity.certificatePem.size()));
    BIO *keyBio = BIO_new_mem_buf(identity.privateKeyPem.constData(), int(identity.privateKeyPem.size()));
    X509 *cert = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    PKCS12 *bundle = PKCS12_create(password.constData(), "kioskgate", key, cert, nullptr, 0, 0, 0, 0, 0);
    BIO *out = BIO_new(BIO_s_mem());
    i2d_PKCS12_bio(out, bundle);
    char *data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    const QByteArray result(data, int(size));
    BIO_free(out);
    PKCS12_free(bundle);
    EVP_PKEY_free(key);
    X509_free(cert);
    BIO_free(keyBio);
    BIO_free(certBio);
    return result;
}
