// Time TokenService::verify() on its own, away from the network: the cost of
// a token's first verification (pre-check, libjwt's parse and HMAC, claims)
// and of a cached one (digest, lookup, time checks). It is the largest
// single part of a handshake the first time a kiosk connects after a
// restart; see docs/performance.md ("Where the connect phase's time goes").
//
// kioskgate-verifybench [--tokens N] [--rounds R]
// Prints the median over R rounds of ns per verification, first and cached.

#include "SigningKeyRing.h"
#include "TokenService.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace KioskGate;

namespace {

int intOption(const QStringList &args, const QString &name, int fallback)
{
    const int at = args.indexOf(name);
    if (at < 0)
        return fallback;
    bool ok = false;
    const int value = args.value(at + 1).toInt(&ok);
    if (!ok || value <= 0) {
        std::fprintf(stderr, "%s needs a positive number\n", qPrintable(name));
        std::exit(2);
    }
    return value;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int tokenCount = intOption(args, QStringLiteral("--tokens"), 10000);
    const int rounds = intOption(args, QStringLiteral("--rounds"), 7);

    SigningKeyRing keys;
    keys.addKey(QStringLiteral("k1"), SigningKeyRing::generateKey());
    keys.setCurrentKeyId(QStringLiteral("k1"));
    const SystemClock clock;
    const QString issuer = QStringLiteral("kioskgate-bench");
    const QString audience = QStringLiteral("kioskgate-kiosk");

    std::vector<QByteArray> tokens;
    tokens.reserve(size_t(tokenCount));
    {
        const TokenService issuing(&keys, &clock, issuer, audience);
        for (int i = 0; i < tokenCount; ++i) {
            IssuedToken issued;
            QString error;
            TokenRequest request;
            request.kiosk = QStringLiteral("kiosk-%1").arg(i, 5, 10, QLatin1Char('0'));
            if (!issuing.issue(request, &issued, &error)) {
                std::fprintf(stderr, "issue failed: %s\n", qPrintable(error));
                return 1;
            }
            tokens.push_back(issued.token);
        }
    }

    std::vector<double> firstNs;
    std::vector<double> cachedNs;
    for (int round = 0; round < rounds; ++round) {
        const TokenService service(&keys, &clock, issuer, audience); // an empty cache
        for (std::vector<double> *out : { &firstNs, &cachedNs }) {
            QElapsedTimer timer;
            timer.start();
            for (const QByteArray &token : tokens) {
                TokenClaims claims;
                if (service.verify(token, &claims) != TokenError::None) {
                    std::fprintf(stderr, "a token failed to verify\n");
                    return 1;
                }
            }
            out->push_back(double(timer.nsecsElapsed()) / tokenCount);
        }
    }
    std::printf("tokens %d, rounds %d: first verification %.0f ns, cached %.0f ns (medians)\n",
                tokenCount, rounds, median(firstNs), median(cachedNs));
    return 0;
}
