// Fuzz target: validating and normalising operator-given origins
// (OriginPolicy::normalize) and matching request Origin headers against the
// allowlist (exact, byte for byte).
//
// Input: one origin as UTF-8 text (the operator's setting), optionally
// followed by '\n' and an Origin header value as a browser would send it.
// Properties:
// - never crashes (sanitizers);
// - an accepted origin normalises to scheme "://" host [":" port] in plain
//   printable ASCII, scheme http or https, no default port, no user info,
//   path, query, fragment, whitespace or upper-case letters;
// - normalising is idempotent (what the start-up log prints is what would
//   be accepted again) and the allowlist then matches exactly that string;
// - a header matches only if it is byte-identical to a normalised entry;
//   a refused entry leaves the allowlist unchanged.

#include "FuzzCheck.h"
#include "OriginPolicy.h"

using KioskGate::OriginPolicy;

namespace {

void checkNormalized(const QString &normalized)
{
    FUZZ_CHECK(normalized.startsWith(QLatin1String("http://"))
               || normalized.startsWith(QLatin1String("https://")));
    const int hostStart = normalized.indexOf(QLatin1String("://")) + 3;
    FUZZ_CHECK(normalized.size() > hostStart);
    for (const QChar c : normalized) {
        FUZZ_CHECK(c.unicode() > 0x20 && c.unicode() < 0x7f);
        FUZZ_CHECK(!(c >= QLatin1Char('A') && c <= QLatin1Char('Z')));
    }
    const QString rest = normalized.mid(hostStart);
    for (const char forbidden : { '/', '?', '#', '@', '\\' })
        FUZZ_CHECK(!rest.contains(QLatin1Char(forbidden)));
    FUZZ_CHECK(!normalized.endsWith(QLatin1String(":80")) || normalized.startsWith(QLatin1String("https:")));
    FUZZ_CHECK(!normalized.endsWith(QLatin1String(":443")) || normalized.startsWith(QLatin1String("http:")));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const QByteArray input = Fuzz::bytes(data, size);
    const int newline = input.indexOf('\n');
    const QString setting = QString::fromUtf8(newline < 0 ? input : input.left(newline));
    const QByteArray header = newline < 0 ? QByteArray() : input.mid(newline + 1);

    QString normalized;
    QString error;
    const bool ok = OriginPolicy::normalize(setting, &normalized, &error);

    OriginPolicy policy;
    QString ignored;
    FUZZ_CHECK(policy.setAllowedOrigins({ QStringLiteral("https://fixed.example") }, &ignored));
    FUZZ_CHECK(policy.setAllowedOrigins({ setting }, &error) == ok);
    if (!ok) {
        FUZZ_CHECK(!error.isEmpty());
        FUZZ_CHECK(policy.allowedOrigins() == QStringList { QStringLiteral("https://fixed.example") });
        return 0;
    }
    checkNormalized(normalized);

    QString again;
    FUZZ_CHECK(OriginPolicy::normalize(normalized, &again, nullptr));
    FUZZ_CHECK(again == normalized);

    FUZZ_CHECK(policy.allowedOrigins() == QStringList { normalized });
    FUZZ_CHECK(policy.isAllowed(normalized.toLatin1()));
    FUZZ_CHECK(policy.isAllowedForToken(normalized.toLatin1(), {}));
    FUZZ_CHECK(policy.isAllowedForToken(normalized.toLatin1(), { normalized }));
    FUZZ_CHECK(!policy.isAllowedForToken(normalized.toLatin1(), { normalized + QLatin1Char('x') }));
    FUZZ_CHECK(!policy.isAllowed(normalized.toLatin1() + '/'));
    FUZZ_CHECK(!policy.isAllowed(normalized.toUpper().toLatin1())
               || normalized.toUpper() == normalized);
    FUZZ_CHECK(policy.isAllowed(header) == (header == normalized.toLatin1()));
    return 0;
}
