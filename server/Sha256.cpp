#include "Sha256.h"

#include <QtGlobal>
#include <openssl/evp.h>

namespace KioskGate {

namespace {

// Fetched once: a fetch per call (EVP_sha256()) costs more than hashing a token.
// Never freed: it lives as long as OpenSSL's default library context.
const EVP_MD *sha256Digest()
{
    static EVP_MD *const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

} // namespace

QByteArray sha256(const QByteArray &data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int length = 0;
    const EVP_MD *md = sha256Digest();
    if (!md
        || EVP_Digest(data.constData(), size_t(data.size()),
                      reinterpret_cast<unsigned char *>(out.data()), &length, md, nullptr)
            != 1
        || length != 32)
        qFatal("SHA-256 is not available from OpenSSL");
    return out;
}

} // namespace KioskGate
