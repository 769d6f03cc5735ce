#pragma once

#include <QByteArray>
#include <QString>

namespace KioskGate::RandomId {

/// `bytes` random bytes from OpenSSL's CSPRNG. Aborts if the generator
/// fails: continuing with predictable ids or keys would be worse.
QByteArray bytes(int count);
/// Lower-case hex of `count` random bytes.
QString hex(int count);
/// Unpadded base64url of `count` random bytes.
QString base64Url(int count);

} // namespace KioskGate::RandomId
