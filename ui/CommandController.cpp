#include "CommandController.h"

#include "AdminService.h"
#include "CommandHistoryModel.h"
#include "CommandProgressDialog.h"
#include "CommandText.h"
#include "ConsoleFormat.h"
#include "KioskServer.h"
#include "KioskTableModel.h"
#include "UserPrompts.h"

#include <QJsonArray>
#include <QSet>
#include <QWidget>

namespace KioskGate {

namespace {
constexpr int HistoryLength = 50;
const QString Issuer = QStringLiteral("console window");

QString minutes(int seconds)
{
    return seconds % 60 == 0 ? QObject::tr("%n minute(s)", nullptr, seconds / 60)
                             : QObject::tr("%n second(s)", nullptr, seconds);
}
} // namespace

CommandController::CommandController(const ConsoleServices &services, KioskTableModel *kiosks, QWidget *window)
    : QObject(window), m_services(services), m_kiosks(kiosks), m_window(window),
      m_history(new CommandHistoryModel(this))
{
    KioskServer *server = m_services.server;
    // Updates first, then the history: updates sent before it arrive before
    // it, later ones are newer. The window never waits for the network thread.
    connect(server, &KioskServer::commandUpdated, this, &CommandController::onUpdated);
    server->commandHistoryAsync(
        HistoryLength, this,
        [this](const QList<CommandRecord> &recent, const QList<CommandRecord> &unfinished) {
            m_history->setRecords(recent);
            // Unfinished commands from before the window opened (or a
            // restart) still fill the kiosks' "Last command" columns,
            // oldest first.
            for (auto it = unfinished.crbegin(); it != unfinished.crend(); ++it)
                m_kiosks->applyCommand(*it);
        });
}

CommandController::Reach CommandController::reachOfAll() const
{
    const QStringList onlineNames = m_kiosks->onlineKiosks();
    const QSet<QString> online(onlineNames.cbegin(), onlineNames.cend());
    // The same rule the server applies: every kiosk with an active token.
    QSet<QString> offline;
    const QJsonObject answer = m_services.admin->handle({{QStringLiteral("command"), QStringLiteral("token.list")}});
    for (const QJsonValue &value : answer.value(QStringLiteral("tokens")).toArray()) {
        const QJsonObject token = value.toObject();
        const QString kiosk = token.value(QStringLiteral("kiosk")).toString();
        if (token.value(QStringLiteral("state")).toString() == QLatin1String("active") && !online.contains(kiosk))
            offline.insert(kiosk);
    }
    return {int(online.size()), int(offline.size())};
}

bool CommandController::confirm(const QString &name, const QStringList &kiosks)
{
    const bool reload = name == QLatin1String("reload");
    const int freshness = m_services.server->settings().commandFreshnessSeconds;
    const QString effect = reload ? tr("Each kiosk reloads its page.")
                                  : tr("Each kiosk clears its page's storage and returns to its start page.");
    QString title;
    QString text;
    QString accept;
    if (kiosks.isEmpty()) {
        const Reach reach = reachOfAll();
        title = reload ? tr("Reload All Kiosks") : tr("Reset All Kiosks");
        accept = reload ? tr("Reload %1 Kiosks") : tr("Reset %1 Kiosks");
        accept = accept.arg(ConsoleFormat::count(reach.online + reach.offline));
        text = (reload ? tr("Reload all %1 kiosks?") : tr("Reset all %1 kiosks?"))
                   .arg(ConsoleFormat::count(reach.online + reach.offline));
        text += QStringLiteral("\n\n")
            + tr("%1 online now receive it at once.").arg(ConsoleFormat::count(reach.online));
        if (reach.offline > 0)
            text += QLatin1Char(' ')
                + tr("%1 known but offline receive it if they reconnect within %2.")
                      .arg(ConsoleFormat::count(reach.offline), minutes(freshness));
        text += QStringLiteral("\n\n") + effect;
    } else {
        title = reload ? tr("Reload Kiosks") : tr("Reset Kiosks");
        accept = reload ? tr("Reload") : tr("Reset");
        const QString names = kiosks.size() <= 5 ? kiosks.join(QStringLiteral(", "))
                                                 : tr("%1 kiosks").arg(ConsoleFormat::count(kiosks.size()));
        text = (reload ? tr("Reload %1?") : tr("Reset %1?")).arg(names) + QStringLiteral("\n\n") + effect
            + QLatin1Char(' ')
            + tr("A kiosk that is offline receives it if it reconnects within %1.").arg(minutes(freshness));
    }
    return m_services.prompts->confirm(m_window, title, text, accept);
}

bool CommandController::issue(const QString &name, const QStringList &kiosks)
{
    if (m_issuing || !confirm(name, kiosks))
        return false;
    setIssuing(true);
    const QString whom = kiosks.isEmpty() ? tr("all kiosks")
                         : kiosks.size() <= 3 ? kiosks.join(QStringLiteral(", "))
                                              : tr("%1 kiosks").arg(ConsoleFormat::count(kiosks.size()));
    Q_EMIT statusMessage((name == QLatin1String("reload") ? tr("Issuing reload to %1…") : tr("Issuing reset to %1…"))
                             .arg(whom),
                         0);
    // The network thread records the command and writes a frame to every
    // session (a fraction of a second for thousands): the window keeps
    // running meanwhile, and the answer comes back as a queued call.
    m_services.admin->handleAsync({{QStringLiteral("command"), QStringLiteral("command.issue")},
                                   {QStringLiteral("name"), name},
                                   {QStringLiteral("kiosks"), QJsonArray::fromStringList(kiosks)},
                                   {QStringLiteral("issuer"), Issuer}},
                                  this, [this](const QJsonObject &answer) { onIssued(answer); });
    return true;
}

void CommandController::onIssued(const QJsonObject &answer)
{
    setIssuing(false);
    // The answer carries the whole record: no second round trip to the
    // network thread, which is busy sending the frames and taking acks.
    const CommandRecord record = CommandRecord::fromJson(answer.value(QStringLiteral("command")).toObject());
    if (!answer.value(QStringLiteral("ok")).toBool() || !record.isValid()) {
        const QString error = answer.value(QStringLiteral("error")).toString(tr("the server did not record it"));
        Q_EMIT statusMessage(QString(), 0);
        m_services.prompts->error(m_window, tr("Command not issued"), error,
                                  tr("No kiosk received anything. Check the kiosk names, then try again."));
        Q_EMIT issueFailed(error);
        return;
    }
    CommandProgressDialog *dialog = showProgress(record);
    onUpdated(record);
    Q_EMIT statusMessage(tr("%1 issued to %2 kiosk(s)").arg(CommandText::heading(record)).arg(record.targetCount()),
                         5000);
    Q_EMIT commandIssued(dialog);
}

void CommandController::setIssuing(bool issuing)
{
    if (m_issuing == issuing)
        return;
    m_issuing = issuing;
    Q_EMIT issuingChanged(issuing);
}

CommandProgressDialog *CommandController::progressDialog(const QString &commandId) const
{
    return m_dialogs.value(commandId).data();
}

void CommandController::openProgress(const QString &commandId)
{
    if (CommandProgressDialog *dialog = progressDialog(commandId)) {
        showProgress(dialog->record());
        return;
    }
    m_services.server->commandAsync(commandId, this, [this, commandId](const CommandRecord &record, const QString &) {
        if (!record.isValid()) {
            Q_EMIT statusMessage(tr("Command %1 is no longer kept").arg(commandId), 5000);
            return;
        }
        showProgress(record);
    });
}

CommandProgressDialog *CommandController::showProgress(const CommandRecord &record)
{
    CommandProgressDialog *dialog = progressDialog(record.id);
    if (!dialog) {
        dialog = new CommandProgressDialog(record, m_window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        m_dialogs.insert(record.id, dialog);
        const QString id = record.id;
        connect(dialog, &QObject::destroyed, this, [this, id] { m_dialogs.remove(id); });
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

void CommandController::onUpdated(const CommandRecord &record)
{
    m_kiosks->applyCommand(record);
    m_history->upsert(record);
    if (CommandProgressDialog *dialog = progressDialog(record.id))
        dialog->setRecord(record);
    if (record.issuedAtMs >= m_latestIssuedMs) {
        m_latestIssuedMs = record.issuedAtMs;
        m_latestId = record.id;
    }
    if (record.id == m_latestId)
        Q_EMIT latestChanged(tr("%1: %2").arg(CommandText::heading(record), CommandText::summary(record)), record.id);
}

} // namespace KioskGate
