#pragma once

#include "Protocol.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace KioskGate {

/// A complete HTTP/1.1 response, serialised in one piece. Every response the
/// gate writes closes the connection: there is no keep-alive to reason about.
class HttpResponse
{
public:
    explicit HttpResponse(int status);

    /// A JSON refusal: {"error":"<code>"} plus optional details. Callers pass
    /// reason codes only, never anything the client sent.
    static HttpResponse refusal(Protocol::Refusal refusal, const QJsonObject &details = {});

    HttpResponse &setHeader(const QByteArray &name, const QByteArray &value);
    bool hasHeader(const QByteArray &name) const;
    QByteArray header(const QByteArray &name) const;
    HttpResponse &setJsonBody(const QJsonObject &body);
    HttpResponse &setBody(const QByteArray &contentType, const QByteArray &body);

    int status() const { return m_status; }
    /// The response as bytes; `headOnly` (for HEAD) keeps the GET headers,
    /// Content-Length included, and leaves out the body.
    QByteArray serialize(bool headOnly = false) const;

    static QByteArray reasonPhrase(int status);

private:
    int m_status;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
};

} // namespace KioskGate
