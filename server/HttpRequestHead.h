#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace KioskGate {

/// A parsed HTTP/1.x request head (request line and header fields).
///
/// The parser is strict on purpose: it sits in front of everything and only
/// has to understand what browsers and WebSocket libraries send. Anything
/// unusual (obsolete line folding, bare LF, control characters, absolute-form
/// targets) is malformed rather than guessed at.
class HttpRequestHead
{
public:
    enum class ParseResult {
        Complete,   ///< a whole head was found and parsed
        Incomplete, ///< no blank line yet and still under the size cap
        TooLarge,   ///< the head is (or would be) bigger than the cap
        Malformed,  ///< not a request head we accept
    };

    static constexpr int DefaultMaxHeaderCount = 64;

    /// Parses the head at the start of `data`. `maxHeadBytes` counts the head
    /// including its terminating blank line. On Complete, `*headLength` is the
    /// number of bytes the head occupies.
    ParseResult parse(const QByteArray &data, int maxHeadBytes, int *headLength = nullptr,
                      int maxHeaderCount = DefaultMaxHeaderCount);

    QByteArray method() const { return m_method; }
    /// The raw request target, e.g. "/v1/kiosk?ticket=...". Never log it whole:
    /// the query may carry credentials.
    QByteArray target() const { return m_target; }
    /// The target's path, without the query.
    QByteArray path() const;
    /// The target's query, without '?'; empty when there is none.
    QByteArray query() const;
    /// "HTTP/1.1" or "HTTP/1.0".
    QByteArray version() const { return m_version; }

    /// Number of header fields with this (case-insensitive) name.
    int headerCount(QByteArrayView name) const;
    /// Value of the only field `name`; empty when absent. Check headerCount()
    /// first where a repeated field matters.
    QByteArray header(QByteArrayView name) const;
    /// Every value of `name`, in order.
    QList<QByteArray> headers(QByteArrayView name) const;
    /// Comma-separated list elements across every field `name`, trimmed,
    /// empty elements dropped (RFC 9110 section 5.6.1).
    QList<QByteArray> headerList(QByteArrayView name) const;
    /// True if the comma-separated field `name` contains `token` (case-insensitive).
    bool headerHasToken(QByteArrayView name, QByteArrayView token) const;

private:
    bool parseRequestLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);

    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_version;
    QList<QPair<QByteArray, QByteArray>> m_headers; // names lower-cased
};

} // namespace KioskGate
