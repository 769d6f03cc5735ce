#include "CliCommands.h"

#include "CliOutput.h"
#include "CommandLine.h"
#include "ControlPlane.h"
#include "ControlServer.h"
#include "DataDirectory.h"
#include "TokenService.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <memory>

namespace KioskGate {

using namespace Cli;

namespace {

// Admin requests through the running instance if there is one (so its
// sessions follow at once), otherwise directly on the data directory, which
// is opened once for all the requests made through one channel.
class AdminChannel
{
public:
    AdminChannel(const QCommandLineParser &parser, const CliContext &context,
                 bool forRotation = false)
        : m_dataDir(dataDirOf(parser, context)),
          m_fileSecrets(parser.isSet(context.fileSecrets)),
          m_forRotation(forRotation),
          m_viaInstance(m_dataDir.isLockedByOther())
    { }

    bool viaInstance() const { return m_viaInstance; }

    /// Runs `request`; false, with the error printed, if it failed.
    bool run(const QJsonObject &request, QJsonObject *answer)
    {
        QString error;
        if (m_viaInstance) {
            if (!ControlClient::request(m_dataDir.controlSocketName(), request, answer, &error)) {
                err(error);
                return false;
            }
        } else if (request.value(QStringLiteral("command")) == QLatin1String("status")) {
            *answer = { { QStringLiteral("ok"), true }, { QStringLiteral("running"), false } };
        } else {
            if (!m_plane) {
                auto plane = std::make_unique<ControlPlane>(
                    ControlPlane::Options { m_dataDir.path(), m_fileSecrets });
                if (!plane->open(&error, m_forRotation)) {
                    err(error);
                    return false;
                }
                m_plane = std::move(plane);
            }
            *answer = m_plane->admin().handle(request);
        }
        if (!answer->value(QStringLiteral("ok")).toBool()) {
            err(answer->value(QStringLiteral("error")).toString());
            return false;
        }
        return true;
    }

private:
    DataDirectory m_dataDir;
    bool m_fileSecrets;
    bool m_forRotation;
    bool m_viaInstance;
    std::unique_ptr<ControlPlane> m_plane;
};

// Runs one admin request (AdminChannel).
bool execute(const QCommandLineParser &parser, const CliContext &context,
             const QJsonObject &request, QJsonObject *answer, bool *viaInstance = nullptr,
             bool forRotation = false)
{
    AdminChannel channel(parser, context, forRotation);
    if (viaInstance)
        *viaInstance = channel.viaInstance();
    return channel.run(request, answer);
}

void makeParser(QCommandLineParser &parser, const CliContext &context, const QString &synopsis,
                const QString &description)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addOptions({context.dataDir, context.fileSecrets});
    parser.addPositionalArgument(QStringLiteral("command"), synopsis, synopsis);
}

QString shortTime(const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined())
        return QStringLiteral("-");
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODate);
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : value.toString();
}

QString row(const QStringList &cells, const QList<int> &widths)
{
    QString line;
    for (int i = 0; i < cells.size(); ++i)
        line += i + 1 < cells.size() ? cells.at(i).leftJustified(widths.value(i)) + QStringLiteral("  ")
                                     : cells.at(i);
    return line;
}

int issue(QCommandLineParser &parser, const CliContext &context, const QStringList &arguments)
{
    const QCommandLineOption expires(QStringLiteral("expires"),
                                     QStringLiteral("Lifetime: 30d, 12h, 45m, 90s, 2w or never (default never)."),
                                     QStringLiteral("DURATION"), QStringLiteral("never"));
    const QCommandLineOption origin(QStringLiteral("origin"),
                                    QStringLiteral("Bind the token to this web origin (repeatable)."),
                                    QStringLiteral("ORIGIN"));
    const QCommandLineOption json(
        QStringLiteral("json"),
        QStringLiteral("Print token, id and claims as JSON (a line per kiosk)."));
    parser.addOptions({expires, origin, json});
    parser.process(arguments);
    const QStringList names = parser.positionalArguments().mid(2);
    if (names.isEmpty()) {
        err(QStringLiteral(
            "usage: kioskgate token issue NAME... [--expires 30d] [--origin ORIGIN]... [--json]"));
        return ExitUsage;
    }
    // Every name checked before the first token: a typo in a long list
    // must not leave half a fleet issued.
    QSet<QString> seen;
    for (const QString &name : names) {
        if (!TokenService::isValidKioskName(name)) {
            err(QStringLiteral(
                    "\"%1\" is not a kiosk name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' "
                    "and '-'; no token issued")
                    .arg(name.left(80)));
            return ExitUsage;
        }
        if (seen.contains(name)) {
            err(QStringLiteral("%1 is named twice; no token issued").arg(name));
            return ExitUsage;
        }
        seen.insert(name);
    }
    qint64 lifetime = 0;
    if (!parseDuration(parser.value(expires), &lifetime)) {
        err(QStringLiteral("--expires: \"%1\" is not a duration like 30d, 12h, 45m or never")
                .arg(parser.value(expires)));
        return ExitUsage;
    }
    const QJsonArray origins = QJsonArray::fromStringList(parser.values(origin));
    AdminChannel channel(parser, context);
    const bool one = names.size() == 1;
    int issued = 0;
    QString lastJti;
    for (const QString &name : names) {
        const QJsonObject request { { QStringLiteral("command"), QStringLiteral("token.issue") },
                                    { QStringLiteral("kiosk"), name },
                                    { QStringLiteral("expiresIn"), double(lifetime) },
                                    { QStringLiteral("origins"), origins } };
        QJsonObject answer;
        if (!channel.run(request, &answer)) {
            if (issued > 0)
                err(QStringLiteral("stopped at %1: %2 of %3 tokens issued, each printed above")
                        .arg(name)
                        .arg(issued)
                        .arg(names.size()));
            return ExitFailure;
        }
        ++issued;
        lastJti = answer.value(QStringLiteral("jti")).toString();
        // Printed (and flushed) as it is issued: it is shown only once, and
        // a stop halfway must not lose the tokens already made.
        if (parser.isSet(json))
            one ? printJson(answer) : printJsonLine(answer);
        else if (one)
            out(answer.value(QStringLiteral("token")).toString()); // alone: scripts capture it
        else
            out(name + QLatin1Char(' ') + answer.value(QStringLiteral("token")).toString());
    }
    // The reminder goes to stderr, out of the way of what scripts capture.
    if (one)
        err(QStringLiteral("token %1 for kiosk %2 issued; it is shown only once.")
                .arg(lastJti, names.first()));
    else
        err(QStringLiteral("%1 tokens issued; each is shown only once.").arg(issued));
    return ExitOk;
}

int list(QCommandLineParser &parser, const CliContext &context, const QStringList &arguments)
{
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(json);
    parser.process(arguments);
    QJsonObject answer;
    if (!execute(parser, context, {{QStringLiteral("command"), QStringLiteral("token.list")}}, &answer))
        return ExitFailure;
    if (parser.isSet(json)) {
        printJson(answer);
        return ExitOk;
    }
    const QJsonArray tokens = answer.value(QStringLiteral("tokens")).toArray();
    if (tokens.isEmpty()) {
        out(QStringLiteral("No tokens issued yet. Issue one with: kioskgate token issue KIOSK-NAME"));
        return ExitOk;
    }
    const QList<int> widths{16, 32, 8, 16, 16, 16}; // ids are 32 hex digits
    out(row({QStringLiteral("KIOSK"), QStringLiteral("ID"), QStringLiteral("STATE"), QStringLiteral("CREATED"),
             QStringLiteral("EXPIRES"), QStringLiteral("LAST USED"), QStringLiteral("LAST ADDRESS")},
            widths));
    for (const QJsonValue &value : tokens) {
        const QJsonObject t = value.toObject();
        out(row({t.value(QStringLiteral("kiosk")).toString(), t.value(QStringLiteral("jti")).toString(),
                 t.value(QStringLiteral("state")).toString(), shortTime(t.value(QStringLiteral("created"))),
                 shortTime(t.value(QStringLiteral("expires"))), shortTime(t.value(QStringLiteral("lastUsed"))),
                 t.value(QStringLiteral("lastAddress")).toString(QStringLiteral("-"))},
                widths));
    }
    return ExitOk;
}

int revoke(QCommandLineParser &parser, const CliContext &context, const QStringList &arguments)
{
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(json);
    parser.process(arguments);
    const QStringList targets = parser.positionalArguments().mid(2);
    if (targets.size() != 1) {
        err(QStringLiteral("usage: kioskgate token revoke KIOSK-NAME|TOKEN-ID"));
        return ExitUsage;
    }
    const QJsonObject request{{QStringLiteral("command"), QStringLiteral("token.revoke")},
                              {QStringLiteral("target"), targets.first()}};
    QJsonObject answer;
    bool viaInstance = false;
    if (!execute(parser, context, request, &answer, &viaInstance))
        return ExitFailure;
    if (parser.isSet(json)) {
        printJson(answer);
        return ExitOk;
    }
    const QJsonArray revoked = answer.value(QStringLiteral("revoked")).toArray();
    QStringList ids;
    for (const QJsonValue &id : revoked)
        ids.append(id.toString());
    out(QStringLiteral("Revoked %1 token(s): %2").arg(revoked.size()).arg(ids.join(QStringLiteral(", "))));
    out(viaInstance ? QStringLiteral("Closed %1 live session(s).").arg(answer.value(QStringLiteral("sessionsClosed")).toInt())
                    : QStringLiteral("No instance is running on this data directory; nothing to disconnect."));
    return ExitOk;
}

} // namespace

bool parseDuration(const QString &text, qint64 *seconds)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("never") || t == QLatin1String("0")) {
        *seconds = 0;
        return true;
    }
    static const QRegularExpression pattern(QStringLiteral("^([1-9][0-9]{0,8})([smhdw])$"));
    const QRegularExpressionMatch match = pattern.match(t);
    if (!match.hasMatch())
        return false;
    const qint64 n = match.captured(1).toLongLong();
    const QChar unit = match.captured(2).at(0);
    const qint64 factor = unit == QLatin1Char('s') ? 1
                          : unit == QLatin1Char('m') ? 60
                          : unit == QLatin1Char('h') ? 3600
                          : unit == QLatin1Char('d') ? 86400
                                                     : 604800;
    *seconds = n * factor;
    return *seconds <= qint64(100) * 365 * 86400; // a century is plenty
}

int runTokenCommand(const QStringList &arguments, const CliContext &context)
{
    QCommandLineParser parser;
    const QString sub = arguments.value(2);
    if (sub == QLatin1String("issue"))
        makeParser(
            parser, context, QStringLiteral("token issue NAME..."),
            QStringLiteral("Issue a token for the kiosk NAME ([A-Za-z0-9._-], up to 64). The token "
                           "is printed once, alone on stdout; only its id is kept. With several "
                           "names, a token each, printed as \"NAME TOKEN\" lines as they are "
                           "issued."));
    else if (sub == QLatin1String("list"))
        makeParser(parser, context, QStringLiteral("token list"),
                   QStringLiteral("List issued tokens: kiosk, id, state, created, expires, last use."));
    else if (sub == QLatin1String("revoke"))
        makeParser(parser, context, QStringLiteral("token revoke NAME|ID"),
                   QStringLiteral("Revoke the token with this id, or every token of the kiosk NAME. "
                                  "With a running instance its live sessions close with 4403 at once."));
    else
        makeParser(parser, context, QStringLiteral("token issue|list|revoke"),
                   QStringLiteral("Issue, list and revoke kiosk tokens."));
    if (sub == QLatin1String("issue"))
        return issue(parser, context, arguments);
    if (sub == QLatin1String("list"))
        return list(parser, context, arguments);
    if (sub == QLatin1String("revoke"))
        return revoke(parser, context, arguments);
    parser.process(arguments);
    err(QStringLiteral("usage: kioskgate token issue|list|revoke ... (see --help)"));
    return ExitUsage;
}

int runKeysCommand(const QStringList &arguments, const CliContext &context)
{
    QCommandLineParser parser;
    makeParser(parser, context, QStringLiteral("keys rotate"),
               QStringLiteral("Make a new token signing key. Tokens signed with older keys stay valid "
                              "unless --retire-old is given, which revokes them all."));
    const QCommandLineOption retire(QStringLiteral("retire-old"),
                                    QStringLiteral("Delete older keys and revoke every token they signed."));
    parser.addOption(retire);
    parser.process(arguments);
    if (parser.positionalArguments().value(1) != QLatin1String("rotate")) {
        err(QStringLiteral("usage: kioskgate keys rotate [--retire-old]"));
        return ExitUsage;
    }
    const QJsonObject request{{QStringLiteral("command"), QStringLiteral("keys.rotate")},
                              {QStringLiteral("retireOld"), parser.isSet(retire)}};
    QJsonObject answer;
    if (!execute(parser, context, request, &answer, nullptr, parser.isSet(retire)))
        return ExitFailure;
    out(QStringLiteral("New signing key %1 is now current.").arg(answer.value(QStringLiteral("kid")).toString()));
    if (parser.isSet(retire))
        out(QStringLiteral("Older keys retired: %1 token(s) revoked, %2 live session(s) closed.")
                .arg(answer.value(QStringLiteral("revoked")).toArray().size())
                .arg(answer.value(QStringLiteral("sessionsClosed")).toInt()));
    return ExitOk;
}

int runStatusCommand(const QStringList &arguments, const CliContext &context)
{
    QCommandLineParser parser;
    makeParser(parser, context, QStringLiteral("status"),
               QStringLiteral("Show the running instance and its live kiosk sessions.\n"
                              "Exit status 3 if no instance runs on the data directory."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(json);
    parser.process(arguments);
    QJsonObject answer;
    if (!execute(parser, context, {{QStringLiteral("command"), QStringLiteral("status")}}, &answer))
        return ExitFailure;
    const bool running = answer.value(QStringLiteral("running")).toBool();
    if (parser.isSet(json)) {
        printJson(answer);
        return running ? ExitOk : ExitNotRunning;
    }
    if (!running) {
        out(QStringLiteral("No KioskGate instance is running on the data directory %1.").arg(dataDirOf(parser, context)));
        return ExitNotRunning;
    }
    const QJsonArray sessions = answer.value(QStringLiteral("sessions")).toArray();
    out(QStringLiteral("KioskGate is serving %1 - %2 kiosk session(s) live.")
            .arg(answer.value(QStringLiteral("url")).toString()).arg(sessions.size()));
    if (sessions.isEmpty())
        return ExitOk;
    const QList<int> widths{16, 16, 12, 30, 16, 6};
    out(row({QStringLiteral("KIOSK"), QStringLiteral("ADDRESS"), QStringLiteral("TRANSPORT"), QStringLiteral("ORIGIN"),
             QStringLiteral("CONNECTED"), QStringLiteral("RTT")},
            widths));
    for (const QJsonValue &value : sessions) {
        const QJsonObject s = value.toObject();
        const QJsonValue rtt = s.value(QStringLiteral("rttMs"));
        out(row({s.value(QStringLiteral("kiosk")).toString(), s.value(QStringLiteral("address")).toString(),
                 s.value(QStringLiteral("transport")).toString(), s.value(QStringLiteral("origin")).toString(QStringLiteral("-")),
                 shortTime(s.value(QStringLiteral("connectedAt"))),
                 rtt.isNull() ? QStringLiteral("-") : QStringLiteral("%1ms").arg(rtt.toInt())},
                widths));
    }
    return ExitOk;
}

} // namespace KioskGate
