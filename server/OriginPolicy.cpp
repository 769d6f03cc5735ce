#include "OriginPolicy.h"

#include <QUrl>

namespace KioskGate {

bool OriginPolicy::normalize(const QString &input, QString *normalized, QString *error)
{
    const QString text = input.trimmed();
    const QUrl url(text, QUrl::StrictMode);
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("invalid origin \"%1\": %2").arg(text, why);
        return false;
    };
    if (text.isEmpty())
        return fail(QStringLiteral("empty"));
    if (!url.isValid())
        return fail(url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return fail(QStringLiteral("the scheme must be http or https"));
    if (url.host().isEmpty())
        return fail(QStringLiteral("no host"));
    if (!url.userInfo().isEmpty())
        return fail(QStringLiteral("user info is not part of an origin"));
    if (!url.path().isEmpty() || url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("an origin has no path, query or fragment (no trailing slash)"));

    QString host = url.host(QUrl::FullyEncoded).toLower();
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']'); // IPv6 literal
    const int defaultPort = scheme == QLatin1String("https") ? 443 : 80;
    const int port = url.port(defaultPort);
    QString result = scheme + QStringLiteral("://") + host;
    if (port != defaultPort)
        result += QLatin1Char(':') + QString::number(port);
    if (normalized)
        *normalized = result;
    return true;
}

bool OriginPolicy::setAllowedOrigins(const QStringList &origins, QString *error)
{
    QSet<QString> allowed;
    for (const QString &origin : origins) {
        QString normalized;
        if (!normalize(origin, &normalized, error))
            return false;
        allowed.insert(normalized);
    }
    m_allowed = allowed;
    return true;
}

QStringList OriginPolicy::allowedOrigins() const
{
    QStringList list(m_allowed.cbegin(), m_allowed.cend());
    list.sort();
    return list;
}

bool OriginPolicy::isAllowed(const QByteArray &origin) const
{
    return !origin.isEmpty() && m_allowed.contains(QString::fromLatin1(origin));
}

bool OriginPolicy::isAllowedForToken(const QByteArray &origin, const QStringList &tokenOrigins) const
{
    if (!isAllowed(origin))
        return false;
    return tokenOrigins.isEmpty() || tokenOrigins.contains(QString::fromLatin1(origin));
}

} // namespace KioskGate
