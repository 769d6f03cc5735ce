#include "HttpRequestHead.h"

#include <algorithm>
#include <cstring>

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

bool isToken(QByteArrayView s)
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
bool isFieldValue(QByteArrayView s)
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
QByteArrayView trimmedOws(QByteArrayView s)
{
    qsizetype begin = 0;
    qsizetype end = s.size();
    while (begin < end && (s.at(begin) == ' ' || s.at(begin) == '\t'))
        ++begin;
    while (end > begin && (s.at(end - 1) == ' ' || s.at(end - 1) == '\t'))
        --end;
    return s.sliced(begin, end - begin);
}

// Field names are stored lower-cased; `name` may be in any case.
bool sameName(const QByteArray &stored, QByteArrayView name)
{
    return qstrnicmp(stored.constData(), stored.size(), name.data(), name.size()) == 0;
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

    // One pass over the head, by views: a kiosk handshake parses one head,
    // and splitting it into copies of every line was most of the cost.
    const QByteArrayView head(data.constData(), end);
    const auto lineCount = 1 + std::count(head.begin(), head.end(), '\n');
    if (lineCount - 1 > maxHeaderCount)
        return ParseResult::TooLarge;
    m_headers.reserve(qsizetype(lineCount - 1));
    qsizetype start = 0;
    for (qsizetype i = 0; start <= head.size(); ++i) {
        const char *newline = static_cast<const char *>(
            std::memchr(head.data() + start, '\n', size_t(head.size() - start)));
        const qsizetype stop = newline ? newline - head.data() : head.size();
        QByteArrayView line = head.sliced(start, stop - start);
        // Every line but the last must end in CRLF; the last one's CR is part
        // of the "\r\n\r\n" terminator.
        if (newline) {
            if (!line.endsWith('\r'))
                return ParseResult::Malformed;
            line.chop(1);
        }
        if (!(i == 0 ? parseRequestLine(line) : parseHeaderLine(line)))
            return ParseResult::Malformed;
        if (!newline)
            break;
        start = stop + 1;
    }
    if (headLength)
        *headLength = length;
    return ParseResult::Complete;
}

bool HttpRequestHead::parseRequestLine(QByteArrayView line)
{
    // Exactly "METHOD SP TARGET SP VERSION": a third space is malformed.
    const qsizetype first = line.indexOf(' ');
    if (first < 0)
        return false;
    const qsizetype second = line.indexOf(' ', first + 1);
    if (second < 0 || line.indexOf(' ', second + 1) >= 0)
        return false;
    const QByteArrayView method = line.first(first);
    const QByteArrayView target = line.sliced(first + 1, second - first - 1);
    const QByteArrayView version = line.sliced(second + 1);
    if (!isToken(method))
        return false;
    if (target.isEmpty() || target.at(0) != '/')
        return false;
    for (char c : target) {
        if (!isTargetChar(c))
            return false;
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return false;
    m_method = method.toByteArray();
    m_target = target.toByteArray();
    m_version = version.toByteArray();
    return true;
}

bool HttpRequestHead::parseHeaderLine(QByteArrayView line)
{
    // Obsolete line folding and whitespace before the colon are refused:
    // both are classic request-smuggling vectors.
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    const QByteArrayView name = line.first(colon);
    if (!isToken(name))
        return false;
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    if (!isFieldValue(value))
        return false;
    m_headers.append({ name.toByteArray().toLower(), value.toByteArray() });
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

int HttpRequestHead::headerCount(QByteArrayView name) const
{
    int count = 0;
    for (const auto &field : m_headers) {
        if (sameName(field.first, name))
            ++count;
    }
    return count;
}

QByteArray HttpRequestHead::header(QByteArrayView name) const
{
    for (const auto &field : m_headers) {
        if (sameName(field.first, name))
            return field.second;
    }
    return {};
}

QList<QByteArray> HttpRequestHead::headers(QByteArrayView name) const
{
    QList<QByteArray> values;
    for (const auto &field : m_headers) {
        if (sameName(field.first, name))
            values.append(field.second);
    }
    return values;
}

QList<QByteArray> HttpRequestHead::headerList(QByteArrayView name) const
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

bool HttpRequestHead::headerHasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const QByteArray &element : headerList(name)) {
        if (qstrnicmp(element.constData(), element.size(), token.data(), token.size()) == 0)
            return true;
    }
    return false;
}

} // namespace KioskGate
