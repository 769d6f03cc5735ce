#include "CommandRecord.h"

#include "JsonTime.h"

#include <QDateTime>
#include <QJsonArray>

namespace KioskGate {

QStringList CommandState::all()
{
    return {Pending, Sent, Delivered, Done, Failed, TimedOut};
}

bool CommandState::isFinal(const QString &state)
{
    return state == Done || state == Failed || state == TimedOut;
}

bool isCommandName(const QString &name)
{
    return name == QLatin1String("reset") || name == QLatin1String("reload");
}

int CommandRecord::targetCount() const
{
    int total = 0;
    for (int n : counts)
        total += n;
    return total;
}

bool CommandRecord::isFinished() const
{
    return counts.value(CommandState::Pending) + counts.value(CommandState::Sent)
               + counts.value(CommandState::Delivered)
           == 0;
}

void CommandRecord::recount()
{
    counts.clear();
    for (const QString &state : CommandState::all())
        counts.insert(state, 0);
    for (const CommandTarget &target : targets)
        ++counts[target.state];
}

QJsonObject CommandRecord::toJson(bool withTargets) const
{
    QJsonObject countsJson;
    for (const QString &state : CommandState::all())
        countsJson.insert(state, counts.value(state));
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("name"), name},
                     {QStringLiteral("issuer"), issuer},
                     {QStringLiteral("issuedAt"), isoTimeMsOrNull(issuedAtMs)},
                     {QStringLiteral("expiresAt"), isoTimeMsOrNull(expiresAtMs)},
                     {QStringLiteral("allKiosks"), allKiosks},
                     {QStringLiteral("total"), targetCount()},
                     {QStringLiteral("finished"), isFinished()},
                     {QStringLiteral("counts"), countsJson}};
    if (withTargets) {
        QJsonArray list;
        for (const CommandTarget &t : targets) {
            list.append(QJsonObject{{QStringLiteral("kiosk"), t.kiosk},
                                    {QStringLiteral("state"), t.state},
                                    {QStringLiteral("changedAt"), isoTimeMsOrNull(t.changedAtMs)},
                                    {QStringLiteral("error"), t.error.isEmpty() ? QJsonValue() : QJsonValue(t.error)}});
        }
        json.insert(QStringLiteral("targets"), list);
    }
    return json;
}

namespace {
qint64 msOf(const QJsonValue &value)
{
    const QDateTime when = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return when.isValid() ? when.toMSecsSinceEpoch() : 0;
}
} // namespace

CommandRecord CommandRecord::fromJson(const QJsonObject &json)
{
    CommandRecord record;
    record.id = json.value(QStringLiteral("id")).toString();
    record.name = json.value(QStringLiteral("name")).toString();
    record.issuer = json.value(QStringLiteral("issuer")).toString();
    record.issuedAtMs = msOf(json.value(QStringLiteral("issuedAt")));
    record.expiresAtMs = msOf(json.value(QStringLiteral("expiresAt")));
    record.allKiosks = json.value(QStringLiteral("allKiosks")).toBool();
    const QJsonObject counts = json.value(QStringLiteral("counts")).toObject();
    for (const QString &state : CommandState::all())
        record.counts.insert(state, counts.value(state).toInt());
    for (const QJsonValue &value : json.value(QStringLiteral("targets")).toArray()) {
        const QJsonObject t = value.toObject();
        record.targets.append({t.value(QStringLiteral("kiosk")).toString(), t.value(QStringLiteral("state")).toString(),
                               msOf(t.value(QStringLiteral("changedAt"))), t.value(QStringLiteral("error")).toString()});
    }
    return record;
}

} // namespace KioskGate
