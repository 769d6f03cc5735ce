#pragma once

#include "CommandRecord.h"
#include "SessionBatch.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

class QTimer;

namespace KioskGate {

/// The kiosks table: one row per live session, fed by KioskServer's batched
/// sessionsChanged() (one model update per batch, never one per kiosk).
/// A kiosk that drops stays listed as offline ("recently seen") until it
/// reconnects, which reuses its row, or until the retention time passes.
class KioskTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        StateColumn,
        KioskColumn,
        AddressColumn,
        OriginColumn,
        TransportColumn,
        ConnectedColumn,
        LastSeenColumn,
        RoundTripColumn,
        ClientVersionColumn,
        LastCommandColumn,
        CommandStateColumn,
        PageColumn,
        ColumnCount
    };
    enum Role {
        SessionIdRole = Qt::UserRole + 1,
        JtiRole,
        OnlineRole,
        SortRole, ///< raw values for sorting (times, milliseconds)
    };

    static constexpr qint64 DefaultOfflineRetentionMs = 60 * 60 * 1000;

    explicit KioskTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Starts from the sessions open right now (the window opening late).
    void setSessions(const QList<SessionInfo> &sessions);
    void applyBatch(const SessionBatch &batch);

    void setOfflineRetentionMs(qint64 ms) { m_retentionMs = ms; }
    /// Removes offline rows older than the retention time.
    void pruneOffline(qint64 nowMs);
    /// Removes every offline row (the operator's "Clear offline").
    void clearOffline();

    /// Follows a command's per-kiosk states (commandUpdated): the "Last
    /// command" columns show each kiosk's newest command.
    void applyCommand(const CommandRecord &record);
    /// The newest command's state for `kiosk` ("" if none).
    QString commandState(const QString &kiosk) const { return m_lastCommand.value(kiosk).state; }

    int onlineCount() const { return m_online; }
    int offlineCount() const { return int(m_rows.size()) - m_online; }
    SessionInfo sessionAt(int row) const { return m_rows.value(row).info; }
    bool isOnline(int row) const { return m_rows.value(row).online; }
    int rowOfSession(const QString &sessionId) const { return m_rowBySession.value(sessionId, -1); }
    /// Names of the kiosks with at least one live session.
    QStringList onlineKiosks() const { return m_onlinePerKiosk.keys(); }
    /// The order SortRole defines, from the raw fields: the sorting proxy
    /// compares ~2 log2(N) times per inserted row, and a QVariant holding a
    /// lower-cased copy of the text per comparison was a large share of
    /// the GUI thread's work for each batch of a connect storm.
    bool lessThan(int leftRow, int rightRow, int column) const;

Q_SIGNALS:
    void countsChanged(int online, int offline);

private:
    struct Row
    {
        SessionInfo info;
        bool online = true;
        qint64 offlineSinceMs = 0;
        int closeCode = 0;
    };
    /// Removes rows whose keys are already out of the indexes.
    void removeRows(QVector<int> rows);
    void reindexFrom(int firstRow);
    QString stateTip(const Row &row) const;

    struct LastCommand
    {
        QString id;
        QString name;
        QString state;
        qint64 issuedAtMs = 0;
        qint64 changedAtMs = 0;
    };

    QVector<Row> m_rows;
    QHash<QString, LastCommand> m_lastCommand; // kiosk name -> its newest command
    QHash<QString, int> m_rowBySession;     // online rows: session id -> row
    QHash<QString, int> m_offlineByKiosk;   // kiosk name -> its offline row
    QHash<QString, int> m_onlinePerKiosk;   // kiosk name -> live sessions
    int m_online = 0;
    qint64 m_retentionMs = DefaultOfflineRetentionMs;
    QTimer *m_clockTimer;
};

} // namespace KioskGate
