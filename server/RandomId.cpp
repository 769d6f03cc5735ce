#include "RandomId.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace KioskGate::RandomId {

namespace {
void fill(unsigned char *out, int count)
{
    if (RAND_bytes(out, count) != 1) {
        std::fputs("kioskgate: the system random generator failed; refusing to continue\n", stderr);
        std::abort();
    }
}
} // namespace

QByteArray bytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    fill(reinterpret_cast<unsigned char *>(out.data()), count);
    return out;
}

QString hex(int count)
{
    // Ids (a session per handshake, a command) come from a small per-thread
    // pool refilled by RAND_bytes: one call per id was 13% of a handshake's CPU.
    // Still CSPRNG output, used once each. Keys, tickets and anything secret
    // take bytes() directly.
    constexpr int PoolBytes = 512;
    thread_local unsigned char pool[PoolBytes];
    thread_local int used = PoolBytes;
    if (count > PoolBytes / 4)
        return QString::fromLatin1(bytes(count).toHex());
    if (used + count > PoolBytes) {
        fill(pool, PoolBytes);
        used = 0;
    }
    const QByteArray id(reinterpret_cast<const char *>(pool + used), count);
    used += count;
    return QString::fromLatin1(id.toHex());
}

QString base64Url(int count)
{
    return QString::fromLatin1(
        bytes(count).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace KioskGate::RandomId
