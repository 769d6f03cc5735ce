// `kioskgate reset-all | reset KIOSK... | reload-all | reload KIOSK...` and
// `kioskgate commands`: issue commands through the running instance, follow
// them as they settle, and list recent ones.

#include "CliCommands.h"
#include "CliOutput.h"

#include "AdminService.h"
#include "CommandLine.h"
#include "CommandStore.h"
#include "ControlServer.h"
#include "DataDirectory.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QThread>


namespace KioskGate {

using namespace Cli;

namespace {

constexpr int PollIntervalMs = 250;
constexpr int DefaultWaitSeconds = 30;
constexpr int MaxWaitSeconds = 24 * 3600;
constexpr int NamesShown = 10;

/// "lobby-3, lobby-7, …" — at most NamesShown names.
QString nameList(const QStringList &names)
{
    QString text = names.mid(0, NamesShown).join(QStringLiteral(", "));
    if (names.size() > NamesShown)
        text += QStringLiteral(", …");
    return text;
}

/// Where the targets of a command stand, for the summary and the exit status.
struct Outcome
{
    int total = 0;
    int done = 0;
    QStringList offline;     ///< never connected while the command was fresh (so far)
    QStringList failed;      ///< the kiosk answered ok:false
    QStringList unconfirmed; ///< got it (or was online) but reported no done
    bool confirmed() const { return failed.isEmpty() && unconfirmed.isEmpty(); }

    QJsonObject toJson() const
    {
        return {{QStringLiteral("total"), total},
                {QStringLiteral("done"), done},
                {QStringLiteral("confirmed"), confirmed()},
                {QStringLiteral("offline"), QJsonArray::fromStringList(offline)},
                {QStringLiteral("failed"), QJsonArray::fromStringList(failed)},
                {QStringLiteral("unconfirmed"), QJsonArray::fromStringList(unconfirmed)}};
    }
};

Outcome outcomeOf(const QJsonObject &command)
{
    Outcome outcome;
    for (const QJsonValue &value : command.value(QStringLiteral("targets")).toArray()) {
        const QJsonObject target = value.toObject();
        const QString kiosk = target.value(QStringLiteral("kiosk")).toString();
        const QString state = target.value(QStringLiteral("state")).toString();
        ++outcome.total;
        if (state == CommandState::Done)
            ++outcome.done;
        else if (state == CommandState::Pending
                 || (state == CommandState::TimedOut
                     && target.value(QStringLiteral("error")).toString() == OfflineTimeoutError))
            outcome.offline.append(kiosk);
        else if (state == CommandState::Failed)
            outcome.failed.append(kiosk);
        else
            outcome.unconfirmed.append(kiosk);
    }
    return outcome;
}

QString pastTense(const QString &name)
{
    return name == QLatin1String("reload") ? QStringLiteral("reloaded") : QStringLiteral("reset");
}

/// "42 of 45 reset, 3 offline (lobby-3, lobby-7, lobby-9)"
QString summaryLine(const QString &name, const Outcome &o)
{
    QString line = QStringLiteral("%1 of %2 %3").arg(o.done).arg(o.total).arg(pastTense(name));
    if (!o.offline.isEmpty())
        line += QStringLiteral(", %1 offline (%2)").arg(o.offline.size()).arg(nameList(o.offline));
    if (!o.failed.isEmpty())
        line += QStringLiteral(", %1 failed (%2)").arg(o.failed.size()).arg(nameList(o.failed));
    if (!o.unconfirmed.isEmpty())
        line += QStringLiteral(", %1 not confirmed (%2)").arg(o.unconfirmed.size()).arg(nameList(o.unconfirmed));
    return line;
}

/// "2 done, 3 delivered, 40 sent, 5 offline" from the counts, non-zero only.
QString countsLine(const QJsonObject &command)
{
    const QJsonObject counts = command.value(QStringLiteral("counts")).toObject();
    QStringList parts;
    for (const QString &state : {CommandState::Done, CommandState::Delivered, CommandState::Sent, CommandState::Failed,
                                 CommandState::TimedOut, CommandState::Pending}) {
        const int n = counts.value(state).toInt();
        if (n > 0)
            parts.append(QStringLiteral("%1 %2").arg(n).arg(state == CommandState::Pending
                                                                ? QStringLiteral("offline")
                                                                : QString(state).replace(QLatin1Char('_'), QLatin1Char(' '))));
    }
    return parts.isEmpty() ? QStringLiteral("no targets") : parts.join(QStringLiteral(", "));
}

/// Nothing is on its way: every target is done, failed, timed out or offline.
bool settled(const QJsonObject &command)
{
    const QJsonObject counts = command.value(QStringLiteral("counts")).toObject();
    return counts.value(CommandState::Sent).toInt() == 0 && counts.value(CommandState::Delivered).toInt() == 0;
}

bool request(const DataDirectory &dataDir, const QJsonObject &req, QJsonObject *answer)
{
    QString error;
    if (!ControlClient::request(dataDir.controlSocketName(), req, answer, &error)) {
        err(error);
        return false;
    }
    if (!answer->value(QStringLiteral("ok")).toBool()) {
        err(answer->value(QStringLiteral("error")).toString());
        return false;
    }
    return true;
}

QString issuerName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("command line") : QStringLiteral("command line (%1)").arg(user.left(64));
}

QString shortTime(const QJsonValue &value)
{
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("-");
}

} // namespace

int runKioskCommand(const QStringList &arguments, const CliContext &context)
{
    const QString verb = arguments.value(1);
    const bool all = verb.endsWith(QLatin1String("-all"));
    const QString name = all ? verb.chopped(4) : verb;
    QCommandLineParser parser;
    const QString what = name == QLatin1String("reset")
                             ? QStringLiteral("Reset (kiosks return their app to its start state)")
                             : QStringLiteral("Reload (kiosks reload their page)");
    parser.setApplicationDescription(
        QStringLiteral("%1 %2, through the running instance, and follow it until it settles.\n"
                       "Kiosks online now receive it at once; offline ones receive it when they "
                       "connect while it is fresh (commands/freshness_seconds, default 300 s), never "
                       "later and never twice.\n\n"
                       "Prints progress as kiosks acknowledge and report back, then a summary like "
                       "\"42 of 45 %3, 3 offline (lobby-3, lobby-7, lobby-9)\".\n\n"
                       "Exit status: 0 every targeted kiosk that was online confirmed (or --wait 0: the "
                       "command was recorded); 1 some did not (named on the summary line) or the "
                       "command was refused; 2 bad command line; 3 no running instance.")
            .arg(what, all ? QStringLiteral("every kiosk with an active token or a live session")
                           : QStringLiteral("the named kiosks"),
                 pastTense(name)));
    parser.addHelpOption();
    parser.addOptions({context.dataDir, context.fileSecrets});
    const QCommandLineOption wait(QStringLiteral("wait"),
                                  QStringLiteral("Follow the command for up to SECONDS (default 30); 0 "
                                                 "returns as soon as it is recorded."),
                                  QStringLiteral("SECONDS"), QString::number(DefaultWaitSeconds));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print one JSON object at the end: the command with its "
                                                 "per-kiosk states and an \"outcome\" summary."));
    parser.addOptions({wait, json});
    parser.addPositionalArgument(verb, QString(), all ? verb : verb + QStringLiteral(" KIOSK..."));
    if (!all)
        parser.addPositionalArgument(QStringLiteral("KIOSK"), QStringLiteral("Kiosk names (repeatable)."));
    parser.process(arguments);

    const QStringList kiosks = parser.positionalArguments().mid(1);
    const QString usage = all ? QStringLiteral("usage: kioskgate %1 [--wait SECONDS] [--json]").arg(verb)
                              : QStringLiteral("usage: kioskgate %1 KIOSK... [--wait SECONDS] [--json]").arg(verb);
    if (all != kiosks.isEmpty()) {
        err(usage);
        return ExitUsage;
    }
    bool ok = false;
    const int waitSeconds = parser.value(wait).toInt(&ok);
    if (!ok || waitSeconds < 0 || waitSeconds > MaxWaitSeconds) {
        err(QStringLiteral("--wait: \"%1\" is not a number of seconds from 0 to %2")
                .arg(parser.value(wait)).arg(MaxWaitSeconds));
        return ExitUsage;
    }
    const bool asJson = parser.isSet(json);

    DataDirectory dataDir(dataDirOf(parser, context));
    if (!dataDir.isLockedByOther()) {
        err(AdminService::noInstanceError());
        return ExitNotRunning;
    }
    QJsonObject answer;
    const QJsonObject issue { { QStringLiteral("command"), QStringLiteral("command.issue") },
                              { QStringLiteral("name"), name },
                              { QStringLiteral("kiosks"), QJsonArray::fromStringList(kiosks) },
                              { QStringLiteral("issuer"), issuerName() },
                              // Counts only: a fleet's target list is 10,000
                              // entries, and the kiosks are acking meanwhile.
                              { QStringLiteral("targets"), false } };
    if (!request(dataDir, issue, &answer))
        return answer.value(QStringLiteral("notRunning")).toBool() ? ExitNotRunning : ExitFailure;
    QJsonObject command = answer.value(QStringLiteral("command")).toObject();
    const QString id = command.value(QStringLiteral("id")).toString();
    if (!asJson)
        out(QStringLiteral("Command %1 (%2) issued to %3 kiosk(s): %4.")
                .arg(id, name).arg(command.value(QStringLiteral("total")).toInt()).arg(countsLine(command)));

    QElapsedTimer timer;
    timer.start();
    QString lastCounts = countsLine(command);
    while (waitSeconds > 0 && !settled(command) && timer.elapsed() < qint64(waitSeconds) * 1000) {
        QThread::msleep(PollIntervalMs);
        const QJsonObject poll{{QStringLiteral("command"), QStringLiteral("command.get")},
                               {QStringLiteral("id"), id},
                               {QStringLiteral("targets"), false}};
        if (!request(dataDir, poll, &answer))
            return ExitFailure;
        command = answer.value(QStringLiteral("command")).toObject();
        const QString counts = countsLine(command);
        if (!asJson && counts != lastCounts)
            out(QStringLiteral("[%1 s] %2").arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1).arg(counts));
        lastCounts = counts;
    }
    // The names of kiosks left over are needed only for --json or when
    // some are still offline (the counts above say so).
    const bool namesNeeded = asJson || waitSeconds > 0
        || command.value(QStringLiteral("counts")).toObject().value(CommandState::Pending).toInt()
            > 0;
    if (namesNeeded) {
        const QJsonObject final { { QStringLiteral("command"), QStringLiteral("command.get") },
                                  { QStringLiteral("id"), id } };
        if (!request(dataDir, final, &answer))
            return ExitFailure;
        command = answer.value(QStringLiteral("command")).toObject();
    }
    const Outcome outcome = outcomeOf(command);
    // With --wait 0 nobody could have confirmed yet: recording it is success.
    const bool success = waitSeconds == 0 || outcome.confirmed();
    if (asJson) {
        QJsonObject result = command;
        QJsonObject outcomeJson = outcome.toJson();
        outcomeJson.insert(QStringLiteral("waitedSeconds"), double(timer.elapsed()) / 1000.0);
        result.insert(QStringLiteral("outcome"), outcomeJson);
        printJson(result);
    } else if (waitSeconds == 0) {
        const auto time = [&command](const char *key) {
            return QDateTime::fromString(command.value(QLatin1String(key)).toString(), Qt::ISODateWithMs);
        };
        if (!outcome.offline.isEmpty())
            out(QStringLiteral("%1 offline (%2) will get it if they connect within %3 s.")
                    .arg(outcome.offline.size())
                    .arg(nameList(outcome.offline))
                    .arg(time("issuedAt").secsTo(time("expiresAt"))));
        out(QStringLiteral("Not waiting (--wait 0); follow it with: kioskgate commands"));
    } else {
        out(summaryLine(name, outcome));
    }
    return success ? ExitOk : ExitFailure;
}

int runCommandsCommand(const QStringList &arguments, const CliContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("List recent reset/reload commands, newest first: id, name, time issued, issuer "
                       "and how many kiosks are offline, sent, delivered, done, failed and timed out.\n"
                       "Works with or without a running instance (then it reads the data directory)."));
    parser.addHelpOption();
    parser.addOptions({context.dataDir, context.fileSecrets});
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("How many commands to show (default 20, at most 1000)."),
                                   QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOptions({limit, json});
    parser.addPositionalArgument(QStringLiteral("commands"), QString(), QStringLiteral("commands"));
    parser.process(arguments);
    bool ok = false;
    const int n = parser.value(limit).toInt(&ok);
    if (!ok || n < 1 || n > 1000 || parser.positionalArguments().size() != 1) {
        err(QStringLiteral("usage: kioskgate commands [--limit N (1-1000)] [--json]"));
        return ExitUsage;
    }

    DataDirectory dataDir(dataDirOf(parser, context));
    QJsonArray commands;
    if (dataDir.isLockedByOther()) {
        QJsonObject answer;
        if (!request(dataDir, {{QStringLiteral("command"), QStringLiteral("command.list")}, {QStringLiteral("limit"), n}},
                     &answer))
            return ExitFailure;
        commands = answer.value(QStringLiteral("commands")).toArray();
    } else if (QFileInfo::exists(dataDir.databasePath())) {
        // No instance: the database is ours to read (its WAL makes that safe).
        CommandStore store;
        QList<CommandRecord> records;
        QString error;
        if (!store.open(dataDir.databasePath(), &error) || !store.recent(n, &records, &error)) {
            err(error);
            return ExitFailure;
        }
        for (const CommandRecord &record : records)
            commands.append(record.toJson(false));
    }
    if (parser.isSet(json)) {
        printJson(QJsonObject{{QStringLiteral("commands"), commands}});
        return ExitOk;
    }
    if (commands.isEmpty()) {
        out(QStringLiteral("No commands yet. Reset every kiosk with: kioskgate reset-all"));
        return ExitOk;
    }
    const QStringList headers{QStringLiteral("ID"),      QStringLiteral("NAME"),      QStringLiteral("ISSUED"),
                              QStringLiteral("ISSUER"),  QStringLiteral("KIOSKS"),    QStringLiteral("DONE"),
                              QStringLiteral("OFFLINE"), QStringLiteral("SENT"),      QStringLiteral("DELIVERED"),
                              QStringLiteral("FAILED"),  QStringLiteral("TIMED OUT")};
    const QList<int> widths{16, 6, 19, 24, 6, 6, 7, 6, 9, 6, 9};
    auto row = [&widths](const QStringList &cells) {
        QString line;
        for (int i = 0; i < cells.size(); ++i)
            line += i + 1 < cells.size() ? cells.at(i).leftJustified(widths.value(i)) + QStringLiteral("  ") : cells.at(i);
        return line;
    };
    out(row(headers));
    for (const QJsonValue &value : commands) {
        const QJsonObject c = value.toObject();
        const QJsonObject counts = c.value(QStringLiteral("counts")).toObject();
        auto count = [&counts](const QString &state) { return QString::number(counts.value(state).toInt()); };
        out(row({c.value(QStringLiteral("id")).toString(), c.value(QStringLiteral("name")).toString(),
                 shortTime(c.value(QStringLiteral("issuedAt"))), c.value(QStringLiteral("issuer")).toString().left(24),
                 QString::number(c.value(QStringLiteral("total")).toInt()), count(CommandState::Done),
                 count(CommandState::Pending), count(CommandState::Sent), count(CommandState::Delivered),
                 count(CommandState::Failed), count(CommandState::TimedOut)}));
    }
    return ExitOk;
}

} // namespace KioskGate
