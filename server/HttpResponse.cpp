#include "HttpResponse.h"

#include <QJsonDocument>

namespace KioskGate {

HttpResponse::HttpResponse(int status) : m_status(status) {}

HttpResponse HttpResponse::refusal(Protocol::Refusal refusal, const QJsonObject &details)
{
    HttpResponse response(Protocol::httpStatus(refusal));
    QJsonObject body = details;
    body.insert(QStringLiteral("error"), Protocol::refusalCode(refusal));
    response.setJsonBody(body);
    return response;
}

HttpResponse &HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &header : m_headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = value;
            return *this;
        }
    }
    m_headers.append({name, value});
    return *this;
}

bool HttpResponse::hasHeader(const QByteArray &name) const
{
    for (const auto &header : m_headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &header : m_headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

HttpResponse &HttpResponse::setJsonBody(const QJsonObject &body)
{
    return setBody("application/json", QJsonDocument(body).toJson(QJsonDocument::Compact));
}

HttpResponse &HttpResponse::setBody(const QByteArray &contentType, const QByteArray &body)
{
    setHeader("Content-Type", contentType);
    m_body = body;
    return *this;
}

QByteArray HttpResponse::serialize(bool headOnly) const
{
    QByteArray out;
    out.reserve(256 + m_body.size());
    out += "HTTP/1.1 " + QByteArray::number(m_status) + ' ' + reasonPhrase(m_status) + "\r\n";
    for (const auto &header : m_headers)
        out += header.first + ": " + header.second + "\r\n";
    // RFC 9110 8.6: no Content-Length on 204, and none on 304 (it would
    // have to repeat the 200's length).
    if (m_status != 204 && m_status != 304)
        out += "Content-Length: " + QByteArray::number(m_body.size()) + "\r\n";
    // Answers are about this request only unless a route says otherwise
    // (the client script is revalidated, not refetched): never sniff.
    if (!hasHeader("Cache-Control"))
        out += "Cache-Control: no-store\r\n";
    out += "X-Content-Type-Options: nosniff\r\n"
           "Connection: close\r\n\r\n";
    if (!headOnly)
        out += m_body;
    return out;
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

} // namespace KioskGate
