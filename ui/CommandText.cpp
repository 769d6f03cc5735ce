#include "CommandText.h"

#include "ConsoleFormat.h"

#include <QCoreApplication>
#include <QStringList>

namespace KioskGate::CommandText {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CommandText", text);
}
} // namespace

Tally tally(const CommandRecord &record)
{
    Tally t;
    t.pending = record.counts.value(CommandState::Pending);
    t.sent = record.counts.value(CommandState::Sent);
    t.delivered = record.counts.value(CommandState::Delivered);
    t.done = record.counts.value(CommandState::Done);
    t.failed = record.counts.value(CommandState::Failed);
    t.timedOut = record.counts.value(CommandState::TimedOut);
    t.total = record.targetCount();
    t.finished = record.isFinished();
    for (const CommandTarget &target : record.targets) {
        if (target.state == CommandState::TimedOut && target.error == OfflineTimeoutError)
            ++t.timedOutOffline;
    }
    return t;
}

QString title(const QString &name)
{
    return name == QLatin1String("reload") ? tr("Reload") : tr("Reset");
}

QString pastParticiple(const QString &name)
{
    return name == QLatin1String("reload") ? tr("reloaded") : tr("reset");
}

QString heading(const CommandRecord &record)
{
    const bool reload = record.name == QLatin1String("reload");
    if (record.allKiosks)
        return reload ? tr("Reload all kiosks") : tr("Reset all kiosks");
    const int total = record.targetCount();
    if (total == 1 && record.targets.size() == 1)
        return (reload ? tr("Reload %1") : tr("Reset %1")).arg(record.targets.first().kiosk);
    return (reload ? tr("Reload %1 kiosks") : tr("Reset %1 kiosks")).arg(ConsoleFormat::count(total));
}

QString stateLabel(const QString &state)
{
    if (state == CommandState::Pending)
        return tr("Pending (offline)");
    if (state == CommandState::Sent)
        return tr("Sent");
    if (state == CommandState::Delivered)
        return tr("Delivered");
    if (state == CommandState::Done)
        return tr("Done");
    if (state == CommandState::Failed)
        return tr("Failed");
    if (state == CommandState::TimedOut)
        return tr("Timed out");
    return state;
}

QColor stateColor(const QString &state)
{
    if (state == CommandState::Done)
        return QColor(0x1f, 0x7a, 0x45);
    if (state == CommandState::Delivered || state == CommandState::Sent)
        return QColor(0x17, 0x5c, 0xd3);
    if (state == CommandState::Failed)
        return QColor(0xb4, 0x23, 0x18);
    if (state == CommandState::TimedOut)
        return QColor(0xb5, 0x47, 0x08);
    return QColor(0x6b, 0x72, 0x80); // pending: grey, it is waiting for the kiosk
}

QString summary(const CommandRecord &record)
{
    const Tally t = tally(record);
    using ConsoleFormat::count;
    QStringList parts;
    parts.append(tr("%1 of %2 %3").arg(count(t.done), count(t.total), pastParticiple(record.name)));
    if (t.finished) {
        const int offline = t.timedOutOffline;
        if (offline > 0)
            parts.append(tr("%1 offline").arg(count(offline)));
        if (t.timedOut - offline > 0)
            parts.append(tr("%1 timed out").arg(count(t.timedOut - offline)));
        if (t.failed > 0)
            parts.append(tr("%1 failed").arg(count(t.failed)));
        return parts.join(QStringLiteral(", "));
    }
    if (t.delivered > 0)
        parts.append(tr("%1 acknowledged").arg(count(t.delivered)));
    if (t.sent > 0)
        parts.append(tr("%1 waiting for an answer").arg(count(t.sent)));
    if (t.pending > 0)
        parts.append(tr("%1 offline").arg(count(t.pending)));
    if (t.failed > 0)
        parts.append(tr("%1 failed").arg(count(t.failed)));
    if (t.timedOut > 0)
        parts.append(tr("%1 timed out").arg(count(t.timedOut)));
    return parts.join(QStringLiteral(" · "));
}

} // namespace KioskGate::CommandText
