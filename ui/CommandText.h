#pragma once

#include "CommandRecord.h"

#include <QColor>
#include <QString>

namespace KioskGate {

/// How a command's progress is put into words and colours, the same in the
/// progress dialog, the commands list, the kiosks table and the status bar.
namespace CommandText {

/// Where the targets of a command stand; `offline` counts kiosks that have
/// not received it (pending, or timed out without ever connecting).
struct Tally
{
    int total = 0;
    int pending = 0;
    int sent = 0;
    int delivered = 0;
    int done = 0;
    int failed = 0;
    int timedOut = 0;        ///< all timed_out targets
    int timedOutOffline = 0; ///< of those, never connected in the window
    bool finished = false;

    /// Done, failed or timed out: nothing will change any more.
    int settled() const { return done + failed + timedOut; }
};

Tally tally(const CommandRecord &record);

/// "Reset" / "Reload".
QString title(const QString &name);
/// "Reset all kiosks" / "Reload 3 kiosks" / "Reset lobby-1".
QString heading(const CommandRecord &record);
/// "reset" / "reloaded", for "42 of 45 reset".
QString pastParticiple(const QString &name);
/// For people: "Pending (offline)", "Delivered", "Timed out", ...
QString stateLabel(const QString &state);
QColor stateColor(const QString &state);
/// The one-line outcome: "42 of 45 reset, 3 offline" when finished;
/// "12 of 45 reset · 30 acknowledged · 3 offline" while running.
QString summary(const CommandRecord &record);

} // namespace CommandText

} // namespace KioskGate
