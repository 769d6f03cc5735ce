#pragma once

#include <QDateTime>
#include <QJsonValue>
#include <QString>

namespace KioskGate {

/// Times in kiosk frames and JSON answers: ISO-8601 UTC with milliseconds.
inline QString isoTimeMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

/// The same as a JSON value, null for 0 ("never", "not yet").
inline QJsonValue isoTimeMsOrNull(qint64 ms)
{
    return ms > 0 ? QJsonValue(isoTimeMs(ms)) : QJsonValue();
}

} // namespace KioskGate
