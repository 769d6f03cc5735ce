#pragma once

class QByteArray;
class QIODevice;

namespace KioskGate {

/// Lets a socket give back its read buffer whenever it has read everything.
///
/// Why: QIODevice keeps the first chunk of its read buffer (16 KiB) for the
/// device's whole life once anything was read, to save an allocation on the
/// next read. A kiosk session reads a few small frames a minute, so for a
/// fleet that chunk was the largest single part of the memory per kiosk:
/// about 5.4 KiB of resident memory per connection at 10,000 kiosks
/// (docs/performance.md). Freed when empty, a read costs one allocation.
///
/// Qt has no public switch for this; it is the chunk size of the device's
/// QRingBuffer, reached through Qt's private QIODevice header. That needs
/// those headers at build time (KIOSKGATE_QT_PRIVATE) and the very Qt
/// version the program was built against at run time, since private
/// layouts may change between versions. Otherwise this does nothing and the
/// buffer behaves as Qt's default.
namespace IdleReadBuffer {

/// True when this build can and this run may use it.
bool available();
/// From now on `device` frees its read buffer whenever it is emptied.
/// Put bytes back with prepend(), not ungetChar(): freed when empty, each
/// ungetChar() into an empty buffer would allocate a chunk of its own.
/// Returns false (and changes nothing) where available() is false.
bool freeWhenEmpty(QIODevice *device);

/// Puts `bytes` in front of what `device` has buffered to read, as if they
/// had arrived first: one copy into room the buffer has in front, or into
/// one new chunk of their size. (QIODevice::ungetChar() is a call with its
/// checks per byte, and its first call into an empty buffer allocates a
/// whole 16 KiB chunk.) Returns false (and changes nothing) where
/// available() is false or `device` is not open for reading.
bool prepend(QIODevice *device, const QByteArray &bytes);

} // namespace IdleReadBuffer

} // namespace KioskGate
