#include "SessionInfo.h"

#include "JsonTime.h"

#include <QDateTime>

namespace KioskGate {

QJsonObject SessionInfo::toJson() const
{
    return QJsonObject{
        {QStringLiteral("session"), id},
        {QStringLiteral("kiosk"), kiosk},
        {QStringLiteral("jti"), jti},
        {QStringLiteral("address"), address},
        {QStringLiteral("origin"), origin.isEmpty() ? QJsonValue() : QJsonValue(origin)},
        {QStringLiteral("transport"), transport},
        {QStringLiteral("clientVersion"), clientVersion.isEmpty() ? QJsonValue() : QJsonValue(clientVersion)},
        {QStringLiteral("pageUrl"), pageUrl.isEmpty() ? QJsonValue() : QJsonValue(pageUrl)},
        {QStringLiteral("connectedAt"), isoTimeMsOrNull(connectedAtMs)},
        {QStringLiteral("lastSeen"), isoTimeMsOrNull(lastSeenMs)},
        {QStringLiteral("expiresAt"), expiresAt > 0 ? isoTimeMsOrNull(expiresAt * 1000) : QJsonValue()},
        {QStringLiteral("rttMs"), rttMs >= 0 ? QJsonValue(rttMs) : QJsonValue()},
    };
}

} // namespace KioskGate
