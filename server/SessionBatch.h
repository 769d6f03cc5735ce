#pragma once

#include "HandshakeGate.h"
#include "SessionInfo.h"

#include <QList>
#include <QMetaType>

namespace KioskGate {

/// A session that ended, with how it ended.
struct SessionClosure
{
    SessionInfo session;
    int closeCode = 0;
    QString reason;
    qint64 atMs = 0;
};

/// Everything that happened to sessions during one feed interval
/// (SessionFeed), delivered to the control thread as one queued signal.
/// Apply in this order: opened, updated, closed. A session may be both
/// opened and closed in one batch; `updated` only holds sessions that were
/// still open when the batch was cut, each once, with its latest state.
struct SessionBatch
{
    QList<SessionInfo> opened;
    QList<SessionInfo> updated;
    QList<SessionClosure> closed;
    /// Refused handshakes, oldest first, at most SessionFeed::MaxRefusalsPerBatch.
    QList<HandshakeRefusal> refusals;
    /// Refusals left out of `refusals` because of that cap (a flood).
    int refusalsDropped = 0;

    bool isEmpty() const
    {
        return opened.isEmpty() && updated.isEmpty() && closed.isEmpty() && refusals.isEmpty()
            && refusalsDropped == 0;
    }
};

} // namespace KioskGate

Q_DECLARE_METATYPE(KioskGate::SessionBatch)
