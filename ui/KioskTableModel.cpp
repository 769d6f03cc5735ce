#include "KioskTableModel.h"

#include "CommandText.h"
#include "ConsoleFormat.h"

#include <QColor>
#include <QDateTime>
#include <QTimer>

#include <algorithm>

namespace KioskGate {

namespace {
// The "last seen" column counts up ("12 s ago") without any new data.
constexpr int ClockRefreshMs = 5000;
} // namespace

KioskTableModel::KioskTableModel(QObject *parent) : QAbstractTableModel(parent), m_clockTimer(new QTimer(this))
{
    connect(m_clockTimer, &QTimer::timeout, this, [this] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        pruneOffline(now);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, LastSeenColumn), index(int(m_rows.size()) - 1, LastSeenColumn),
                               {Qt::DisplayRole, Qt::ToolTipRole});
    });
    m_clockTimer->start(ClockRefreshMs);
}

int KioskTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int KioskTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KioskTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StateColumn: return tr("State");
    case KioskColumn: return tr("Kiosk");
    case AddressColumn: return tr("Address");
    case OriginColumn: return tr("Origin");
    case TransportColumn: return tr("Transport");
    case ConnectedColumn: return tr("Connected since");
    case LastSeenColumn: return tr("Last seen");
    case RoundTripColumn: return tr("Round trip");
    case ClientVersionColumn: return tr("Client");
    case LastCommandColumn: return tr("Last command");
    case CommandStateColumn: return tr("Command state");
    case PageColumn: return tr("Page");
    default: return {};
    }
}

QString KioskTableModel::stateTip(const Row &row) const
{
    if (row.online)
        return tr("Connected; session %1").arg(row.info.id);
    return tr("Offline since %1 (close code %2)")
        .arg(ConsoleFormat::dateTime(row.offlineSinceMs))
        .arg(row.closeCode);
}

QVariant KioskTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const SessionInfo &s = row.info;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    switch (role) {
    case SessionIdRole: return s.id;
    case JtiRole: return s.jti;
    case OnlineRole: return row.online;
    case Qt::ForegroundRole:
        if (index.column() == CommandStateColumn && m_lastCommand.contains(s.kiosk))
            return CommandText::stateColor(m_lastCommand.value(s.kiosk).state);
        return row.online ? QVariant() : QVariant(QColor(0x80, 0x80, 0x80));
    case Qt::DecorationRole:
        return index.column() == StateColumn ? QVariant(ConsoleFormat::stateDot(row.online)) : QVariant();
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StateColumn: return stateTip(row);
        case ConnectedColumn: return ConsoleFormat::dateTime(s.connectedAtMs);
        case LastSeenColumn: return ConsoleFormat::dateTime(row.online ? s.lastSeenMs : row.offlineSinceMs);
        case PageColumn: return s.pageUrl;
        case TransportColumn: return ConsoleFormat::transportTip(s.transport);
        case LastCommandColumn:
        case CommandStateColumn: {
            const auto command = m_lastCommand.constFind(s.kiosk);
            if (command == m_lastCommand.cend())
                return {};
            return tr("Command %1 issued %2; %3 since %4")
                .arg(command->id, ConsoleFormat::dateTime(command->issuedAtMs),
                     CommandText::stateLabel(command->state), ConsoleFormat::dateTime(command->changedAtMs));
        }
        default: return {};
        }
    case Qt::TextAlignmentRole:
        return index.column() == RoundTripColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole:
        switch (index.column()) {
        case StateColumn: return row.online ? 1 : 0;
        case ConnectedColumn: return s.connectedAtMs;
        case LastSeenColumn: return row.online ? s.lastSeenMs : row.offlineSinceMs;
        case RoundTripColumn: return s.rttMs;
        case LastCommandColumn: return m_lastCommand.value(s.kiosk).issuedAtMs;
        default: return data(index, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case StateColumn: return row.online ? tr("Online") : tr("Offline");
        case KioskColumn: return s.kiosk;
        case AddressColumn: return s.address;
        case OriginColumn: return s.origin.isEmpty() ? tr("(native client)") : s.origin;
        case TransportColumn: return s.transport;
        case ConnectedColumn: return row.online ? ConsoleFormat::dateTime(s.connectedAtMs) : QString();
        case LastSeenColumn:
            return ConsoleFormat::ago(row.online ? s.lastSeenMs : row.offlineSinceMs, now);
        case RoundTripColumn: return s.rttMs < 0 || !row.online ? QStringLiteral("–") : tr("%1 ms").arg(s.rttMs);
        case ClientVersionColumn: return s.clientVersion.isEmpty() ? QStringLiteral("–") : s.clientVersion;
        case LastCommandColumn: {
            const auto command = m_lastCommand.constFind(s.kiosk);
            if (command == m_lastCommand.cend())
                return QStringLiteral("–");
            return tr("%1 · %2").arg(CommandText::title(command->name), ConsoleFormat::dateTime(command->issuedAtMs));
        }
        case CommandStateColumn: {
            const auto command = m_lastCommand.constFind(s.kiosk);
            return command == m_lastCommand.cend() ? QString() : CommandText::stateLabel(command->state);
        }
        case PageColumn: return s.pageUrl;
        default: return {};
        }
    default:
        return {};
    }
}

bool KioskTableModel::lessThan(int leftRow, int rightRow, int column) const
{
    const Row &a = m_rows.at(leftRow);
    const Row &b = m_rows.at(rightRow);
    auto text = [](const QString &x, const QString &y) { return x.compare(y, Qt::CaseInsensitive) < 0; };
    switch (column) {
    case StateColumn: return int(a.online) < int(b.online);
    case KioskColumn: return text(a.info.kiosk, b.info.kiosk);
    case AddressColumn: return text(a.info.address, b.info.address);
    case TransportColumn: return text(a.info.transport, b.info.transport);
    case PageColumn: return text(a.info.pageUrl, b.info.pageUrl);
    case ConnectedColumn: return a.info.connectedAtMs < b.info.connectedAtMs;
    case LastSeenColumn:
        return (a.online ? a.info.lastSeenMs : a.offlineSinceMs) < (b.online ? b.info.lastSeenMs : b.offlineSinceMs);
    case RoundTripColumn: return a.info.rttMs < b.info.rttMs;
    case LastCommandColumn:
        return m_lastCommand.value(a.info.kiosk).issuedAtMs < m_lastCommand.value(b.info.kiosk).issuedAtMs;
    default: // shown text that differs from the field ("(native client)", "–", state labels)
        return text(data(index(leftRow, column), Qt::DisplayRole).toString(),
                    data(index(rightRow, column), Qt::DisplayRole).toString());
    }
}

void KioskTableModel::setSessions(const QList<SessionInfo> &sessions)
{
    SessionBatch batch;
    for (const SessionInfo &s : sessions) {
        if (!m_rowBySession.contains(s.id))
            batch.opened.append(s);
    }
    applyBatch(batch);
}

void KioskTableModel::applyBatch(const SessionBatch &batch)
{
    const int before = m_online;
    int firstChanged = INT_MAX;
    int lastChanged = -1;
    auto touched = [&](int row) {
        firstChanged = qMin(firstChanged, row);
        lastChanged = qMax(lastChanged, row);
    };

    // Opened: a kiosk seen before takes its offline row back; others are
    // appended together in one insertion.
    QVector<Row> appended;
    QHash<QString, int> appendedIndex;
    for (const SessionInfo &s : batch.opened) {
        ++m_online;
        ++m_onlinePerKiosk[s.kiosk];
        const auto offline = m_offlineByKiosk.find(s.kiosk);
        if (offline != m_offlineByKiosk.end()) {
            const int row = *offline;
            m_offlineByKiosk.erase(offline);
            m_rows[row] = Row{s, true, 0, 0};
            m_rowBySession.insert(s.id, row);
            touched(row);
        } else {
            appendedIndex.insert(s.id, int(appended.size()));
            appended.append(Row{s, true, 0, 0});
        }
    }
    if (!appended.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(appended.size()) - 1);
        for (auto it = appendedIndex.cbegin(); it != appendedIndex.cend(); ++it)
            m_rowBySession.insert(it.key(), first + it.value());
        m_rows.append(appended);
        endInsertRows();
    }

    for (const SessionInfo &s : batch.updated) {
        const int row = m_rowBySession.value(s.id, -1);
        if (row < 0)
            continue;
        m_rows[row].info = s;
        touched(row);
    }

    // Closed: the row goes offline, unless the kiosk is still online through
    // another session (a reconnect that overtook the old connection's drop).
    QVector<int> doomed;
    for (const SessionClosure &c : batch.closed) {
        const int row = m_rowBySession.value(c.session.id, -1);
        if (row < 0)
            continue;
        m_rowBySession.remove(c.session.id);
        --m_online;
        int &live = m_onlinePerKiosk[c.session.kiosk];
        if (--live <= 0)
            m_onlinePerKiosk.remove(c.session.kiosk);
        const bool stillOnline = m_onlinePerKiosk.contains(c.session.kiosk);
        if (stillOnline || m_offlineByKiosk.contains(c.session.kiosk)) {
            doomed.append(row);
            continue;
        }
        Row &r = m_rows[row];
        r.info = c.session;
        r.online = false;
        r.offlineSinceMs = c.atMs;
        r.closeCode = c.closeCode;
        m_offlineByKiosk.insert(c.session.kiosk, row);
        touched(row);
    }
    if (lastChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    if (!doomed.isEmpty())
        removeRows(doomed);
    if (before != m_online || !batch.opened.isEmpty() || !batch.closed.isEmpty())
        Q_EMIT countsChanged(onlineCount(), offlineCount());
}

void KioskTableModel::applyCommand(const CommandRecord &record)
{
    bool changed = false;
    for (const CommandTarget &target : record.targets) {
        LastCommand &last = m_lastCommand[target.kiosk];
        // An older command's late update never hides a newer command.
        if (!last.id.isEmpty() && last.id != record.id && last.issuedAtMs > record.issuedAtMs)
            continue;
        if (last.id == record.id && last.state == target.state)
            continue;
        last = LastCommand{record.id, record.name, target.state, record.issuedAtMs, target.changedAtMs};
        changed = true;
    }
    // One signal for the two columns, whatever the number of kiosks.
    if (changed && !m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, LastCommandColumn), index(int(m_rows.size()) - 1, CommandStateColumn));
}

void KioskTableModel::pruneOffline(qint64 nowMs)
{
    QVector<int> doomed;
    for (int row = 0; row < m_rows.size(); ++row) {
        const Row &r = m_rows.at(row);
        if (!r.online && nowMs - r.offlineSinceMs >= m_retentionMs)
            doomed.append(row);
    }
    if (doomed.isEmpty())
        return;
    for (int row : std::as_const(doomed))
        m_offlineByKiosk.remove(m_rows.at(row).info.kiosk);
    removeRows(doomed);
    Q_EMIT countsChanged(onlineCount(), offlineCount());
}

void KioskTableModel::clearOffline()
{
    QVector<int> doomed;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (!m_rows.at(row).online)
            doomed.append(row);
    }
    if (doomed.isEmpty())
        return;
    m_offlineByKiosk.clear();
    removeRows(doomed);
    Q_EMIT countsChanged(onlineCount(), offlineCount());
}

void KioskTableModel::removeRows(QVector<int> rows)
{
    // Highest first, contiguous runs removed together. The rows' keys are
    // already out of the indexes; only the rows after the lowest one move.
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    int i = 0;
    while (i < rows.size()) {
        const int last = rows.at(i);
        int first = last;
        while (i + 1 < rows.size() && rows.at(i + 1) == first - 1)
            first = rows.at(++i);
        ++i;
        beginRemoveRows({}, first, last);
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
    }
    if (!rows.isEmpty())
        reindexFrom(rows.last());
}

void KioskTableModel::reindexFrom(int firstRow)
{
    // Updates the values of keys that stay: no rebuild of the hashes (a drop
    // of thousands of sessions removes rows in every batch).
    for (int row = firstRow; row < m_rows.size(); ++row) {
        const Row &r = m_rows.at(row);
        if (r.online)
            m_rowBySession[r.info.id] = row;
        else
            m_offlineByKiosk[r.info.kiosk] = row;
    }
}

} // namespace KioskGate
