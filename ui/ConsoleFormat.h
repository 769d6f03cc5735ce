#pragma once

#include <QIcon>
#include <QString>

namespace KioskGate::ConsoleFormat {

/// "14:02:31" today, "3 Mar 14:02" otherwise; "–" for 0.
QString dateTime(qint64 ms);
/// "just now", "12 s ago", "4 min ago", "2 h ago", "3 d ago".
QString ago(qint64 ms, qint64 nowMs);
/// A small green (online) or grey (offline) dot.
QIcon stateDot(bool online);
/// What a transport name means, for a tooltip.
QString transportTip(const QString &transport);
/// "1,234" in the user's locale.
QString count(qint64 n);

} // namespace KioskGate::ConsoleFormat
