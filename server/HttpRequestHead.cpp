#include "HttpRequestHead.h"

namespace KioskGate {

namespace {

// RFC 9110 token characters.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Field values: visible ASCII, obs-text, space and tab; no other controls.
bool isFieldValue(const QByteArray &s)
{
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

// Request targets in origin-form: printable ASCII without spaces.
bool isTargetChar(char ch)
{
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f;
}

// Optional whitespace around a field value is SP and HTAB only (RFC 9110
// section 5.6.3). QByteArray::trimmed() would also strip CR, LF, VT and FF,
// quietly accepting "X: a\r\r\n" or a value ending in a vertical tab that a
// proxy in front of the gate may read differently; those must stay in the
// value and make it malformed.
QByteArray trimmedOws(const QByteArray &s)
{
    int begin = 0;
    int end = s.size();
    while (begin < end && (s.at(begin) == ' ' || s.at(begin) == '\t'))
        ++begin;
    while (end > begin && (s.at(end - 1) == ' ' || s.at(end - 1) == '\t'))
        --end;
    return s.mid(begin, end - begin);
}

} // namespace

HttpRequestHead::ParseResult HttpRequestHead::parse(const QByteArray &data, int maxHeadBytes,
                                                    int *headLength, int maxHeaderCount)
{
    m_method.clear();
    m_target.clear();
    m_version.clear();
    m_headers.clear();

    const int end = data.indexOf("\r\n\r\n");
    if (end < 0) {
        // A bare LF inside what we have already makes the head unacceptable;
        // say so now instead of waiting for the timeout.
        for (int i = 0; i < data.size(); ++i) {
            if (data.at(i) == '\n' && (i == 0 || data.at(i - 1) != '\r'))
                return ParseResult::Malformed;
        }
        return data.size() >= maxHeadBytes ? ParseResult::TooLarge : ParseResult::Incomplete;
    }
    const int length = end + 4;
    if (length > maxHeadBytes)
        return ParseResult::TooLarge;

    const QList<QByteArray> lines = data.left(end).split('\n');
    if (lines.size() - 1 > maxHeaderCount)
        return ParseResult::TooLarge;
    for (int i = 0; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        // Every line but the last must end in CRLF; the last one's CR is part
        // of the "\r\n\r\n" terminator.
        if (i + 1 < lines.size()) {
            if (!line.endsWith('\r'))
                return ParseResult::Malformed;
            line.chop(1);
        }
        if (!(i == 0 ? parseRequestLine(line) : parseHeaderLine(line)))
            return ParseResult::Malformed;
    }
    if (headLength)
        *headLength = length;
    return ParseResult::Complete;
}

bool HttpRequestHead::parseRequestLine(const QByteArray &line)
{
    const QList<QByteArray> parts = line.split(' ');
    if (parts.size() != 3)
        return false;
    if (!isToken(parts.at(0)))
        return false;
    const QByteArray &target = parts.at(1);
    if (target.isEmpty() || target.at(0) != '/')
        return false;
    for (char c : target) {
        if (!isTargetChar(c))
            return false;
    }
    if (parts.at(2) != "HTTP/1.1" && parts.at(2) != "HTTP/1.0")
        return false;
    m_method = parts.at(0);
    m_target = target;
    m_version = parts.at(2);
    return true;
}

bool HttpRequestHead::parseHeaderLine(const QByteArray &line)
{
    // Obsolete line folding and whitespace before the colon are refused:
    // both are classic request-smuggling vectors.
    const int colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    const QByteArray name = line.left(colon);
    if (!isToken(name))
        return false;
    const QByteArray value = trimmedOws(line.mid(colon + 1));
    if (!isFieldValue(value))
        return false;
    m_headers.append({name.toLower(), value});
    return true;
}

QByteArray HttpRequestHead::path() const
{
    const int q = m_target.indexOf('?');
    return q < 0 ? m_target : m_target.left(q);
}

QByteArray HttpRequestHead::query() const
{
    const int q = m_target.indexOf('?');
    return q < 0 ? QByteArray() : m_target.mid(q + 1);
}

int HttpRequestHead::headerCount(const QByteArray &name) const
{
    const QByteArray key = name.toLower();
    int count = 0;
    for (const auto &field : m_headers) {
        if (field.first == key)
            ++count;
    }
    return count;
}

QByteArray HttpRequestHead::header(const QByteArray &name) const
{
    const QByteArray key = name.toLower();
    for (const auto &field : m_headers) {
        if (field.first == key)
            return field.second;
    }
    return {};
}

QList<QByteArray> HttpRequestHead::headers(const QByteArray &name) const
{
    const QByteArray key = name.toLower();
    QList<QByteArray> values;
    for (const auto &field : m_headers) {
        if (field.first == key)
            values.append(field.second);
    }
    return values;
}

QList<QByteArray> HttpRequestHead::headerList(const QByteArray &name) const
{
    QList<QByteArray> elements;
    for (const QByteArray &value : headers(name)) {
        for (const QByteArray &element : value.split(',')) {
            const QByteArray trimmed = element.trimmed();
            if (!trimmed.isEmpty())
                elements.append(trimmed);
        }
    }
    return elements;
}

bool HttpRequestHead::headerHasToken(const QByteArray &name, const QByteArray &token) const
{
    const QByteArray wanted = token.toLower();
    for (const QByteArray &element : headerList(name)) {
        if (element.toLower() == wanted)
            return true;
    }
    return false;
}

} // namespace KioskGate
