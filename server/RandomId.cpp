#include "RandomId.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace KioskGate::RandomId {

QByteArray bytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count) != 1) {
        std::fputs("kioskgate: the system random generator failed; refusing to continue\n", stderr);
        std::abort();
    }
    return out;
}

QString hex(int count)
{
    return QString::fromLatin1(bytes(count).toHex());
}

QString base64Url(int count)
{
    return QString::fromLatin1(
        bytes(count).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace KioskGate::RandomId
