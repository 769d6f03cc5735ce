#include "AdminService.h"

#include "ActivityLog.h"
#include "Clock.h"
#include "Logging.h"
#include "OriginPolicy.h"
#include "SigningKeyStore.h"
#include "TokenRegistry.h"
#include "TokenService.h"

#include <QDateTime>
#include <QJsonArray>
#include <QPointer>

namespace KioskGate {

namespace {

QJsonObject failure(const QString &error)
{
    return {{QStringLiteral("ok"), false}, {QStringLiteral("error"), error}};
}

QJsonValue isoSecs(qint64 secs)
{
    return secs > 0 ? QJsonValue(QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate))
                    : QJsonValue();
}

QJsonObject recordJson(const TokenRecord &r, qint64 now)
{
    return {{QStringLiteral("jti"), r.jti},
            {QStringLiteral("kiosk"), r.kiosk},
            {QStringLiteral("kid"), r.keyId},
            {QStringLiteral("origins"), QJsonArray::fromStringList(r.origins)},
            {QStringLiteral("created"), isoSecs(r.created)},
            {QStringLiteral("expires"), isoSecs(r.expires)},
            {QStringLiteral("revoked"), isoSecs(r.revoked)},
            {QStringLiteral("revokeReason"), r.revokeReason.isEmpty() ? QJsonValue() : QJsonValue(r.revokeReason)},
            {QStringLiteral("lastUsed"), isoSecs(r.lastUsed)},
            {QStringLiteral("lastAddress"), r.lastAddress.isEmpty() ? QJsonValue() : QJsonValue(r.lastAddress)},
            {QStringLiteral("state"), r.state(now)}};
}

} // namespace

AdminService::AdminService(TokenRegistry *registry, const TokenService *tokens, SigningKeyStore *keys,
                           const Clock *clock)
    : m_registry(registry), m_tokens(tokens), m_keys(keys), m_clock(clock)
{
}

void AdminService::setRevocationHook(std::function<int(const QStringList &, const QString &)> hook)
{
    m_revocationHook = std::move(hook);
}

void AdminService::setCommandHooks(CommandHooks hooks)
{
    m_commandHooks = std::move(hooks);
}

void AdminService::setRevocationHookAsync(
    std::function<void(const QStringList &, const QString &, RevocationDone)> hook)
{
    m_revocationHookAsync = std::move(hook);
}

void AdminService::setStatusSource(std::function<QJsonObject()> source)
{
    m_statusSource = std::move(source);
}

void AdminService::setStatusSourceAsync(std::function<void(QObject *, StatusDone)> source)
{
    m_statusSourceAsync = std::move(source);
}

void AdminService::setTlsHandler(std::function<QJsonObject(const QJsonObject &)> handler)
{
    m_tlsHandler = std::move(handler);
}

QJsonObject AdminService::handle(const QJsonObject &request)
{
    const QString command = request.value(QStringLiteral("command")).toString();
    if (command == QLatin1String("token.issue"))
        return issueToken(request);
    if (command == QLatin1String("token.list"))
        return listTokens();
    if (command == QLatin1String("token.revoke"))
        return revokeToken(request);
    if (command == QLatin1String("keys.rotate"))
        return rotateKeys(request);
    if (command == QLatin1String("status"))
        return status();
    if (command.startsWith(QLatin1String("tls.")))
        return m_tlsHandler ? m_tlsHandler(request) : failure(QStringLiteral("no running instance"));
    if (command == QLatin1String("command.issue"))
        return issueCommand(request);
    if (command == QLatin1String("command.get"))
        return getCommand(request);
    if (command == QLatin1String("command.list"))
        return listCommands(request);
    return failure(QStringLiteral("unknown command \"%1\"").arg(command.left(64)));
}

QJsonObject AdminService::issueToken(const QJsonObject &request)
{
    TokenRequest tokenRequest;
    tokenRequest.kiosk = request.value(QStringLiteral("kiosk")).toString();
    tokenRequest.lifetimeSecs = qint64(request.value(QStringLiteral("expiresIn")).toDouble(0));
    for (const QJsonValue &value : request.value(QStringLiteral("origins")).toArray()) {
        QString origin;
        QString error;
        if (!OriginPolicy::normalize(value.toString(), &origin, &error))
            return failure(error);
        tokenRequest.origins.append(origin);
    }
    IssuedToken issued;
    QString error;
    if (!m_tokens->issue(tokenRequest, &issued, &error))
        return failure(error);
    TokenRecord record;
    record.jti = issued.claims.jti;
    record.kiosk = issued.claims.subject;
    record.keyId = issued.claims.keyId;
    record.origins = issued.claims.origins;
    record.created = issued.claims.issuedAt;
    record.expires = issued.claims.expiresAt;
    // Only a recorded token is a valid token: if this fails, the token that
    // was just signed is never shown and never works.
    if (!m_registry->insertToken(record, &error))
        return failure(error);
    qCInfo(lcTokens).noquote() << "issued token" << record.jti << "for kiosk" << record.kiosk;
    logActivity(ActivityEvent::Kind::TokenIssued, record.kiosk,
           QStringLiteral("token %1%2").arg(record.jti,
                                            record.expires ? QStringLiteral(", expires ")
                                                                 + isoSecs(record.expires).toString()
                                                           : QStringLiteral(", never expires")));
    QJsonObject answer = recordJson(record, m_clock->nowSecs());
    answer.insert(QStringLiteral("ok"), true);
    answer.insert(QStringLiteral("token"), QString::fromLatin1(issued.token));
    return answer;
}

QJsonObject AdminService::listTokens()
{
    QList<TokenRecord> records;
    QString error;
    if (!m_registry->listTokens(&records, &error))
        return failure(error);
    QJsonArray tokens;
    const qint64 now = m_clock->nowSecs();
    for (const TokenRecord &record : records)
        tokens.append(recordJson(record, now));
    return {{QStringLiteral("ok"), true}, {QStringLiteral("tokens"), tokens}};
}

QJsonObject AdminService::revokeToken(const QJsonObject &request)
{
    QString target;
    QStringList jtis;
    if (const std::optional<QJsonObject> refused = revokeInRegistry(request, &target, &jtis))
        return *refused;
    return tokenRevoked(target, jtis, closeSessions(jtis, QStringLiteral("token revoked")));
}

std::optional<QJsonObject> AdminService::revokeInRegistry(const QJsonObject &request,
                                                          QString *target, QStringList *jtis)
{
    *target = request.value(QStringLiteral("target")).toString();
    if (target->isEmpty())
        return failure(QStringLiteral("name the kiosk or the token id to revoke"));
    QString error;
    if (!m_registry->revoke(*target, m_clock->nowSecs(), QStringLiteral("revoked by operator"),
                            jtis, &error))
        return failure(error);
    return std::nullopt;
}

QJsonObject AdminService::tokenRevoked(const QString &target, const QStringList &jtis, int closed)
{
    qCInfo(lcTokens).noquote() << "revoked" << jtis.join(QLatin1Char(' ')) << "- closed" << closed
                               << "session(s)";
    logActivity(ActivityEvent::Kind::TokenRevoked, target,
           QStringLiteral("revoked %1; closed %2 session(s)").arg(jtis.join(QStringLiteral(", "))).arg(closed));
    return {{QStringLiteral("ok"), true},
            {QStringLiteral("revoked"), QJsonArray::fromStringList(jtis)},
            {QStringLiteral("sessionsClosed"), closed}};
}

QJsonObject AdminService::rotateKeys(const QJsonObject &request)
{
    const bool retireOld = request.value(QStringLiteral("retireOld")).toBool();
    QString kid;
    QStringList jtis;
    QString error;
    if (!m_keys->rotate(retireOld, &kid, &jtis, &error))
        return failure(error);
    const int closed = closeSessions(jtis, QStringLiteral("signing key retired"));
    logActivity(ActivityEvent::Kind::KeyRotated, {},
           retireOld ? QStringLiteral("new key %1; old keys retired, %2 token(s) revoked, %3 session(s) closed")
                           .arg(kid).arg(jtis.size()).arg(closed)
                     : QStringLiteral("new key %1; tokens signed with older keys stay valid").arg(kid));
    return {{QStringLiteral("ok"), true},
            {QStringLiteral("kid"), kid},
            {QStringLiteral("revoked"), QJsonArray::fromStringList(jtis)},
            {QStringLiteral("sessionsClosed"), closed}};
}

QJsonObject AdminService::status()
{
    return statusAnswer(m_statusSource
                            ? m_statusSource()
                            : QJsonObject { { QStringLiteral("running"), false },
                                            { QStringLiteral("sessions"), QJsonArray() } });
}

QJsonObject AdminService::statusAnswer(QJsonObject status)
{
    status.insert(QStringLiteral("ok"), true);
    return status;
}

namespace {
constexpr int MaxCommandTargets = 100000;
constexpr int MaxListedCommands = 1000;

QJsonObject notRunning()
{
    QJsonObject answer = failure(AdminService::noInstanceError());
    answer.insert(QStringLiteral("notRunning"), true);
    return answer;
}
} // namespace

std::optional<QJsonObject> AdminService::parseCommandRequest(const QJsonObject &request, QString *name,
                                                             QStringList *kiosks, QString *issuer) const
{
    *name = request.value(QStringLiteral("name")).toString();
    const QJsonValue kioskValue = request.value(QStringLiteral("kiosks"));
    if (!kioskValue.isUndefined() && !kioskValue.isNull() && !kioskValue.isArray())
        return failure(QStringLiteral("\"kiosks\" must be a list of kiosk names"));
    const QJsonArray kioskArray = kioskValue.toArray();
    if (kioskArray.size() > MaxCommandTargets)
        return failure(QStringLiteral("too many kiosk names"));
    for (const QJsonValue &value : kioskArray) {
        if (!value.isString() || value.toString().isEmpty())
            return failure(QStringLiteral("\"kiosks\" must be a list of kiosk names"));
        kiosks->append(value.toString());
    }
    *issuer = request.value(QStringLiteral("issuer")).toString();
    if (issuer->isEmpty())
        *issuer = QStringLiteral("control channel");
    return std::nullopt;
}

QJsonObject AdminService::commandIssued(const QJsonObject &request, const CommandRecord &record,
                                        const QString &error)
{
    if (!record.isValid())
        return failure(error);
    logCommand(record);
    const bool withTargets = request.value(QStringLiteral("targets")).toBool(true);
    return { { QStringLiteral("ok"), true },
             { QStringLiteral("command"), record.toJson(withTargets) } };
}

QJsonObject AdminService::issueCommand(const QJsonObject &request)
{
    if (!m_commandHooks.issue)
        return notRunning();
    QString name;
    QStringList kiosks;
    QString issuer;
    if (const std::optional<QJsonObject> refused = parseCommandRequest(request, &name, &kiosks, &issuer))
        return *refused;
    QString error;
    const CommandRecord record = m_commandHooks.issue(name, kiosks, issuer, &error);
    return commandIssued(request, record, error);
}

void AdminService::handleAsync(const QJsonObject &request, QObject *context,
                               std::function<void(const QJsonObject &)> answer)
{
    const QString command = request.value(QStringLiteral("command")).toString();
    if (command == QLatin1String("status") && m_statusSourceAsync)
        statusAsync(context, std::move(answer));
    else if (command == QLatin1String("token.revoke") && m_revocationHookAsync)
        revokeTokenAsync(request, context, std::move(answer));
    else if (command == QLatin1String("command.issue") && m_commandHooks.issueAsync)
        issueCommandAsync(request, context, std::move(answer));
    else if (command == QLatin1String("command.get") && m_commandHooks.getAsync)
        getCommandAsync(request, context, std::move(answer));
    else
        answer(handle(request));
}

void AdminService::statusAsync(QObject *context, Answer answer)
{
    m_statusSourceAsync(context, [answer = std::move(answer)](const QJsonObject &status) {
        answer(statusAnswer(status));
    });
}

void AdminService::revokeTokenAsync(const QJsonObject &request, QObject *context, Answer answer)
{
    QString target;
    QStringList jtis;
    if (const std::optional<QJsonObject> refused = revokeInRegistry(request, &target, &jtis)) {
        answer(*refused);
        return;
    }
    if (jtis.isEmpty()) {
        answer(tokenRevoked(target, jtis, 0));
        return;
    }
    // Revoked in the registry now; the sessions close on the network
    // thread. The log line waits for the count, the caller may not.
    m_revocationHookAsync(jtis, QStringLiteral("token revoked"),
                          [this, target, jtis, asker = QPointer<QObject>(context),
                           answer = std::move(answer)](int closed) {
                              const QJsonObject reply = tokenRevoked(target, jtis, closed);
                              if (asker)
                                  answer(reply);
                          });
}

void AdminService::issueCommandAsync(const QJsonObject &request, QObject *context, Answer answer)
{
    QString name;
    QStringList kiosks;
    QString issuer;
    if (const std::optional<QJsonObject> refused = parseCommandRequest(request, &name, &kiosks, &issuer)) {
        answer(*refused);
        return;
    }
    // `this` outlives the console's objects that pass themselves as context.
    m_commandHooks.issueAsync(name, kiosks, issuer, context,
                              [this, request, answer = std::move(answer)](
                                  const CommandRecord &record, const QString &error) {
                                  answer(commandIssued(request, record, error));
                              });
}

void AdminService::getCommandAsync(const QJsonObject &request, QObject *context, Answer answer)
{
    const QString id = request.value(QStringLiteral("id")).toString();
    if (id.isEmpty()) {
        answer(commandFound(request, id, std::nullopt));
        return;
    }
    m_commandHooks.getAsync(
        id, context,
        [request, id, answer = std::move(answer)](const CommandRecord &record, const QString &) {
            answer(
                commandFound(request, id, record.isValid() ? std::optional(record) : std::nullopt));
        });
}

QJsonObject AdminService::getCommand(const QJsonObject &request)
{
    if (!m_commandHooks.get)
        return notRunning();
    const QString id = request.value(QStringLiteral("id")).toString();
    return commandFound(request, id, id.isEmpty() ? std::nullopt : m_commandHooks.get(id));
}

QJsonObject AdminService::commandFound(const QJsonObject &request, const QString &id,
                                       const std::optional<CommandRecord> &record)
{
    if (!record)
        return failure(QStringLiteral("no command has the id \"%1\"").arg(id.left(64)));
    // Pollers ask for counts only; the target list can be large.
    const bool withTargets = request.value(QStringLiteral("targets")).toBool(true);
    return {{QStringLiteral("ok"), true}, {QStringLiteral("command"), record->toJson(withTargets)}};
}

QJsonObject AdminService::listCommands(const QJsonObject &request)
{
    if (!m_commandHooks.list)
        return notRunning();
    const int limit = qBound(1, request.value(QStringLiteral("limit")).toInt(20), MaxListedCommands);
    QJsonArray commands;
    for (const CommandRecord &record : m_commandHooks.list(limit))
        commands.append(record.toJson(false));
    return {{QStringLiteral("ok"), true}, {QStringLiteral("commands"), commands}};
}

int AdminService::closeSessions(const QStringList &jtis, const QString &reason)
{
    return (m_revocationHook && !jtis.isEmpty()) ? m_revocationHook(jtis, reason) : 0;
}

} // namespace KioskGate

namespace KioskGate {

void AdminService::logCommand(const CommandRecord &record)
{
    // One line per command, whoever issued it (window or command line).
    constexpr int MaxNamedKiosks = 5;
    QString kiosk;
    if (!record.allKiosks) {
        QStringList names;
        for (const CommandTarget &target : record.targets)
            names.append(target.kiosk);
        kiosk = names.mid(0, MaxNamedKiosks).join(QStringLiteral(", "));
        if (names.size() > MaxNamedKiosks)
            kiosk += QStringLiteral(" and %1 more").arg(names.size() - MaxNamedKiosks);
    }
    const int total = record.targetCount();
    const QString reach = record.allKiosks ? QStringLiteral("all %1 kiosks").arg(total)
                                           : (total == 1 ? QStringLiteral("1 kiosk") : QStringLiteral("%1 kiosks").arg(total));
    const QString detail = QStringLiteral("command %1 to %2 by %3").arg(record.id, reach, record.issuer);
    logActivity(record.name == QLatin1String("reload") ? ActivityEvent::Kind::ReloadIssued
                                                        : ActivityEvent::Kind::ResetIssued,
                kiosk, detail);
}

void AdminService::logActivity(ActivityEvent::Kind kind, const QString &kiosk, const QString &detail)
{
    if (m_activity)
        m_activity->append({m_clock->nowMs(), kind, kiosk, {}, {}, {}, detail});
}

} // namespace KioskGate
