// Fuzz target: the request-head parser, which reads every byte any LAN device
// sends before anything else looks at it.
//
// Input: raw bytes as they would arrive on the socket.
// Properties:
// - never crashes, hangs or reads out of bounds (sanitizers);
// - Complete means: the head ends in CRLF CRLF within the cap, the method is
//   a token, the target is origin-form, the version is HTTP/1.0 or 1.1, and
//   path + query give back the target;
// - the result depends only on the head: parsing just the head, or the head
//   followed by anything, gives the same fields (the gate peeks, and a body
//   or pipelined bytes must not change the decision);
// - every strict prefix of a complete head is Incomplete: the gate parses
//   whatever has arrived so far, and a head split across TCP segments must
//   never be refused as malformed or too large;
// - a smaller cap never turns a TooLarge into Complete;
// - no control character but HTAB anywhere in an accepted head's lines, and
//   no whitespace but SP/HTAB around a value: what the gate reads is exactly
//   what a proxy in front of it would read (no leniency to smuggle through).

#include "FuzzCheck.h"
#include "HttpRequestHead.h"

using KioskGate::HttpRequestHead;
using Result = HttpRequestHead::ParseResult;

namespace {

constexpr int MaxHeadBytes = 8192; // the server's default

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArray("!#$%&'*+-.^_`|~").contains(c);
}

void checkSameFields(const HttpRequestHead &a, const HttpRequestHead &b)
{
    FUZZ_CHECK(a.method() == b.method());
    FUZZ_CHECK(a.target() == b.target());
    FUZZ_CHECK(a.version() == b.version());
    for (const char *name : { "host", "origin", "authorization", "sec-websocket-protocol",
                              "upgrade", "connection", "sec-websocket-key" }) {
        FUZZ_CHECK(a.headers(name) == b.headers(name));
    }
}

void checkComplete(const QByteArray &data, const HttpRequestHead &head, int length)
{
    FUZZ_CHECK(length >= 4 && length <= data.size() && length <= MaxHeadBytes);
    FUZZ_CHECK(data.left(length).endsWith("\r\n\r\n"));
    FUZZ_CHECK(data.indexOf("\r\n\r\n") == length - 4);

    const QList<QByteArray> lines = data.left(length - 4).split('\n');
    for (const QByteArray &line : lines) {
        const QByteArray content = line.endsWith('\r') ? line.chopped(1) : line;
        for (char ch : content) {
            const auto c = static_cast<unsigned char>(ch);
            FUZZ_CHECK(c == '\t' || (c >= 0x20 && c != 0x7f));
        }
    }

    FUZZ_CHECK(!head.method().isEmpty());
    for (char c : head.method())
        FUZZ_CHECK(isTokenChar(c));
    FUZZ_CHECK(head.target().startsWith('/'));
    for (char c : head.target())
        FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
    FUZZ_CHECK(head.version() == "HTTP/1.1" || head.version() == "HTTP/1.0");
    const QByteArray rebuilt = head.target().contains('?') ? head.path() + '?' + head.query()
                                                           : head.path();
    FUZZ_CHECK(rebuilt == head.target());
    FUZZ_CHECK(!head.path().contains('?'));

    // Field accessors agree with each other; values carry no line breaks.
    for (const char *name : { "host", "origin", "authorization", "sec-websocket-protocol",
                              "connection", "upgrade" }) {
        const QList<QByteArray> values = head.headers(name);
        FUZZ_CHECK(head.headerCount(name) == values.size());
        FUZZ_CHECK(head.header(name) == values.value(0));
        FUZZ_CHECK(head.headers(QByteArray(name).toUpper()) == values);
        for (const QByteArray &value : values) {
            FUZZ_CHECK(!value.contains('\r') && !value.contains('\n') && !value.contains('\0'));
            FUZZ_CHECK(value == value.trimmed());
        }
        for (const QByteArray &element : head.headerList(name)) {
            FUZZ_CHECK(!element.isEmpty() && element == element.trimmed());
            FUZZ_CHECK(head.headerHasToken(name, element));
        }
    }

    // Only the head decides.
    HttpRequestHead alone;
    int aloneLength = -1;
    FUZZ_CHECK(alone.parse(data.left(length), MaxHeadBytes, &aloneLength) == Result::Complete);
    FUZZ_CHECK(aloneLength == length);
    checkSameFields(head, alone);

    HttpRequestHead followed;
    FUZZ_CHECK(followed.parse(data.left(length) + "GET / HTTP/1.1\r\n\n\x01", MaxHeadBytes)
               == Result::Complete);
    checkSameFields(head, followed);

    // Strict prefixes are still arriving. Every one is checked for short
    // heads; for long ones a spread of cut points keeps each run fast.
    const int step = length <= 256 ? 1 : length / 97 + 1;
    for (int cut = 0; cut < length; cut += step) {
        HttpRequestHead partial;
        FUZZ_CHECK(partial.parse(data.left(cut), MaxHeadBytes) == Result::Incomplete);
    }
    HttpRequestHead lastByteMissing;
    FUZZ_CHECK(lastByteMissing.parse(data.left(length - 1), MaxHeadBytes) == Result::Incomplete);

    // A cap one byte short of the head refuses it as too large.
    HttpRequestHead capped;
    FUZZ_CHECK(capped.parse(data, length - 1) == Result::TooLarge);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * MaxHeadBytes)
        return 0; // the gate never peeks more than the cap + 1
    const QByteArray input = Fuzz::bytes(data, size);

    HttpRequestHead head;
    int length = -1;
    const Result result = head.parse(input, MaxHeadBytes, &length);
    switch (result) {
    case Result::Complete:
        checkComplete(input, head, length);
        break;
    case Result::Incomplete:
        FUZZ_CHECK(!input.contains("\r\n\r\n") && input.size() < MaxHeadBytes);
        break;
    case Result::TooLarge:
    case Result::Malformed:
        break;
    }

    // The same bytes under a small cap: never Complete beyond it.
    const int smallCap = input.isEmpty() ? 1 : 1 + static_cast<unsigned char>(input.at(0)) % 128;
    HttpRequestHead small;
    int smallLength = -1;
    if (small.parse(input, smallCap, &smallLength) == Result::Complete) {
        FUZZ_CHECK(smallLength <= smallCap);
        FUZZ_CHECK(result == Result::Complete && smallLength == length);
    }
    return 0;
}
