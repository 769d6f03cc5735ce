#include "IdleReadBuffer.h"

#include <QByteArray>
#include <QIODevice>
#include <QtGlobal>

#ifdef KIOSKGATE_HAVE_QT_PRIVATE
#include <QtCore/private/qiodevice_p.h>
#endif

#include <cstring>

namespace KioskGate::IdleReadBuffer {

bool available()
{
#ifdef KIOSKGATE_HAVE_QT_PRIVATE
    // The private layout compiled in is only known to match this exact version.
    static const bool sameQt = std::strcmp(qVersion(), QT_VERSION_STR) == 0;
    return sameQt;
#else
    return false;
#endif
}

bool freeWhenEmpty(QIODevice *device)
{
#ifdef KIOSKGATE_HAVE_QT_PRIVATE
    if (!device || !available())
        return false;
    auto *d = static_cast<QIODevicePrivate *>(QObjectPrivate::get(device));
    // A chunk size of 0: reserve() allocates exactly what a read needs, and
    // free() of the last byte releases the chunk instead of keeping it.
    for (QRingBuffer &buffer : d->readBuffers)
        buffer.setChunkSize(0);
    d->readBufferChunkSize = 0; // channels opened later
    return true;
#else
    Q_UNUSED(device);
    return false;
#endif
}

bool prepend(QIODevice *device, const QByteArray &bytes)
{
#ifdef KIOSKGATE_HAVE_QT_PRIVATE
    if (!device || !available() || !device->isReadable() || !device->isSequential())
        return false;
    if (bytes.isEmpty())
        return true;
    auto *d = static_cast<QIODevicePrivate *>(QObjectPrivate::get(device));
    // What QIODevice::ungetChar() does for a sequential device, byte by
    // byte (no position to move back); a transaction would be rolled back
    // over the bytes, as ungetChar() refuses.
    if (d->transactionStarted)
        return false;
    std::memcpy(d->buffer.reserveFront(bytes.size()), bytes.constData(), size_t(bytes.size()));
    return true;
#else
    Q_UNUSED(device);
    Q_UNUSED(bytes);
    return false;
#endif
}

} // namespace KioskGate::IdleReadBuffer
