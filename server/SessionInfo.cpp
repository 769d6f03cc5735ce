#include "SessionInfo.h"

#include <QDateTime>

namespace KioskGate {

namespace {
QJsonValue isoTime(qint64 ms)
{
    return ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs))
                  : QJsonValue();
}
} // namespace

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
        {QStringLiteral("connectedAt"), isoTime(connectedAtMs)},
        {QStringLiteral("lastSeen"), isoTime(lastSeenMs)},
        {QStringLiteral("expiresAt"), expiresAt > 0 ? isoTime(expiresAt * 1000) : QJsonValue()},
        {QStringLiteral("rttMs"), rttMs >= 0 ? QJsonValue(rttMs) : QJsonValue()},
    };
}

} // namespace KioskGate
