#pragma once

#include <QByteArray>
#include <QSet>
#include <QString>
#include <QStringList>

namespace KioskGate {

/// The allowlist of web origins kiosks may connect from.
///
/// Matching is exact on the serialised origin ("https://kiosk.example:8443"),
/// the form browsers send: no wildcards, no suffix or prefix matching, no
/// "null". Configured entries are validated and normalised once, so a
/// mis-typed entry is an error at start-up instead of a silent mismatch.
class OriginPolicy
{
public:
    OriginPolicy() = default;

    /// Validates and normalises an origin given by the operator: http or
    /// https, a host, an optional port; no path, query, fragment or user
    /// info. Lower-cases scheme and host and drops a default port.
    static bool normalize(const QString &input, QString *normalized, QString *error);

    /// Replaces the allowlist; fails (leaving it unchanged) on the first
    /// invalid entry.
    bool setAllowedOrigins(const QStringList &origins, QString *error);
    QStringList allowedOrigins() const;

    /// True if `origin` (the request's Origin header, verbatim) is listed.
    bool isAllowed(const QByteArray &origin) const;

    /// True if `origin` is listed and, when the token names origins of its
    /// own, also one of those.
    bool isAllowedForToken(const QByteArray &origin, const QStringList &tokenOrigins) const;

private:
    QSet<QString> m_allowed;
};

} // namespace KioskGate
