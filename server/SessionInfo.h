#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace KioskGate {

/// What the console knows about one live kiosk connection.
struct SessionInfo
{
    QString id;
    QString kiosk;
    QString jti;
    QString address;
    QString origin;    ///< empty for native clients
    QString transport; ///< "header", "subprotocol", "ticket" or "query"
    QString clientVersion;
    QString pageUrl;
    qint64 connectedAtMs = 0;
    qint64 lastSeenMs = 0;
    qint64 expiresAt = 0; ///< token exp in seconds; 0 = never
    int rttMs = -1;       ///< -1 until the first pong

    QJsonObject toJson() const;
};

} // namespace KioskGate

Q_DECLARE_METATYPE(KioskGate::SessionInfo)
