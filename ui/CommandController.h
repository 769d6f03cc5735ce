#pragma once

#include "CommandRecord.h"
#include "ConsoleServices.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

class QWidget;

namespace KioskGate {

class CommandHistoryModel;
class CommandProgressDialog;
class KioskTableModel;

/// The console's side of recorded commands: asks before a reset or reload,
/// issues it through AdminService (the code `kioskgate reset-all` runs, so
/// the activity log records it alike), shows its progress in a non-modal
/// dialog and feeds commandUpdated() to the kiosks table, the commands list
/// and the open progress dialogs.
class CommandController : public QObject
{
    Q_OBJECT
public:
    /// Who a reset of all kiosks reaches: kiosks online now, and kiosks with
    /// an active token that are offline (they get it if they reconnect while
    /// the command is fresh).
    struct Reach
    {
        int online = 0;
        int offline = 0;
    };

    CommandController(const ConsoleServices &services, KioskTableModel *kiosks, QWidget *window);

    CommandHistoryModel *history() const { return m_history; }
    Reach reachOfAll() const;

    /// Asks, then issues `name` ("reset"/"reload") to every kiosk (empty
    /// list) or to `kiosks` without waiting for the network thread, which
    /// records the command and writes the frames. When the record arrives
    /// its progress dialog opens (commandIssued()); a refusal is shown as an
    /// error (issueFailed()). False when the operator cancelled or another
    /// command is still being issued (one at a time: a double click never
    /// issues twice).
    bool issue(const QString &name, const QStringList &kiosks);
    /// True from the confirmation until the server's answer arrives.
    bool isIssuing() const { return m_issuing; }
    /// Opens (or raises) the progress dialog of a command. An open dialog
    /// is raised at once; otherwise the record is asked for without waiting
    /// for the network thread and the dialog opens when it arrives (or the
    /// status bar says the command is no longer kept).
    void openProgress(const QString &commandId);
    /// The open progress dialog of a command, if any.
    CommandProgressDialog *progressDialog(const QString &commandId) const;

Q_SIGNALS:
    /// The newest command changed: text for the status bar ("" when none).
    void latestChanged(const QString &text, const QString &commandId);
    void statusMessage(const QString &text, int timeoutMs);
    /// A command went to the server (true) or its answer arrived (false).
    void issuingChanged(bool issuing);
    /// The server recorded the command; its progress dialog is open.
    void commandIssued(KioskGate::CommandProgressDialog *dialog);
    /// The server refused the command (the error was shown).
    void issueFailed(const QString &error);

private:
    bool confirm(const QString &name, const QStringList &kiosks);
    CommandProgressDialog *showProgress(const CommandRecord &record);
    void onUpdated(const CommandRecord &record);
    void onIssued(const QJsonObject &answer);
    void setIssuing(bool issuing);

    ConsoleServices m_services;
    KioskTableModel *m_kiosks;
    QWidget *m_window;
    CommandHistoryModel *m_history;
    QHash<QString, QPointer<CommandProgressDialog>> m_dialogs;
    QString m_latestId;
    qint64 m_latestIssuedMs = 0;
    bool m_issuing = false;
};

} // namespace KioskGate
