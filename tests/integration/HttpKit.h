#pragma once

// Plain HTTP requests to the gate and reading their answers, shared by the
// route and ticket tests.

#include "ServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>

inline QJsonObject jsonOf(const RawResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

inline QByteArray field(const RawResponse &response, const char *name)
{
    return jsonOf(response).value(QLatin1String(name)).toString().toLatin1();
}

inline QByteArray origin(const char *value)
{
    return QByteArray("Origin: ") + value + "\r\n";
}

inline QByteArray postTicket(const QByteArray &token, const QByteArray &extra = {})
{
    return "POST /v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Length: 0\r\n" + extra + "\r\n";
}

inline bool hasCorsHeader(const RawResponse &response)
{
    for (const auto &header : response.headers) {
        if (header.first.toLower().startsWith("access-control-"))
            return true;
    }
    return false;
}
