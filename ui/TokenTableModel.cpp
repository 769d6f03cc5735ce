#include "TokenTableModel.h"

#include "ConsoleFormat.h"

#include <QColor>
#include <QDateTime>
#include <QJsonObject>

namespace KioskGate {

namespace {

QString when(const QString &iso, const QString &never)
{
    if (iso.isEmpty())
        return never;
    return ConsoleFormat::dateTime(QDateTime::fromString(iso, Qt::ISODate).toMSecsSinceEpoch());
}

} // namespace

TokenTableModel::TokenTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int TokenTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tokens.size());
}

int TokenTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TokenTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case KioskColumn: return tr("Kiosk");
    case IdColumn: return tr("Token id");
    case CreatedColumn: return tr("Created");
    case ExpiresColumn: return tr("Expires");
    case LastUsedColumn: return tr("Last used");
    case LastAddressColumn: return tr("Last address");
    case StateColumn: return tr("State");
    case OriginsColumn: return tr("Allowed origins");
    default: return {};
    }
}

QVariant TokenTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Token &t = m_tokens.at(index.row());
    switch (role) {
    case JtiRole: return t.jti;
    case StateRole: return t.state;
    case Qt::ForegroundRole:
        if (index.column() == StateColumn && t.state == QLatin1String("active"))
            return QColor(0x1f, 0x7a, 0x45);
        return t.state == QLatin1String("active") ? QVariant() : QVariant(QColor(0x80, 0x80, 0x80));
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && !t.revoked.isEmpty())
            return tr("Revoked %1").arg(when(t.revoked, {}));
        if (index.column() == OriginsColumn)
            return t.origins.join(QLatin1Char('\n'));
        return {};
    case SortRole:
        switch (index.column()) {
        case CreatedColumn: return t.created;
        case ExpiresColumn: return t.expires.isEmpty() ? QStringLiteral("9999") : t.expires;
        case LastUsedColumn: return t.lastUsed;
        default: return data(index, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case KioskColumn: return t.kiosk;
        case IdColumn: return t.jti;
        case CreatedColumn: return when(t.created, QStringLiteral("–"));
        case ExpiresColumn: return when(t.expires, tr("never"));
        case LastUsedColumn: return when(t.lastUsed, tr("never"));
        case LastAddressColumn: return t.lastAddress.isEmpty() ? QStringLiteral("–") : t.lastAddress;
        case StateColumn:
            if (t.state == QLatin1String("active")) return tr("Active");
            if (t.state == QLatin1String("revoked")) return tr("Revoked");
            if (t.state == QLatin1String("expired")) return tr("Expired");
            return t.state;
        case OriginsColumn: return t.origins.isEmpty() ? tr("any allowed origin") : t.origins.join(QStringLiteral(", "));
        default: return {};
        }
    default:
        return {};
    }
}

void TokenTableModel::setTokens(const QJsonArray &tokens)
{
    QVector<Token> next;
    next.reserve(tokens.size());
    for (const QJsonValue &value : tokens) {
        const QJsonObject o = value.toObject();
        Token t;
        t.jti = o.value(QStringLiteral("jti")).toString();
        t.kiosk = o.value(QStringLiteral("kiosk")).toString();
        t.created = o.value(QStringLiteral("created")).toString();
        t.expires = o.value(QStringLiteral("expires")).toString();
        t.revoked = o.value(QStringLiteral("revoked")).toString();
        t.lastUsed = o.value(QStringLiteral("lastUsed")).toString();
        t.lastAddress = o.value(QStringLiteral("lastAddress")).toString();
        t.state = o.value(QStringLiteral("state")).toString();
        for (const QJsonValue &origin : o.value(QStringLiteral("origins")).toArray())
            t.origins.append(origin.toString());
        next.append(t);
    }
    bool sameRows = next.size() == m_tokens.size();
    for (int i = 0; sameRows && i < next.size(); ++i)
        sameRows = next.at(i).jti == m_tokens.at(i).jti;
    if (sameRows) {
        m_tokens = next;
        if (!m_tokens.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_tokens.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_tokens = next;
    endResetModel();
}

int TokenTableModel::activeCount() const
{
    return int(std::count_if(m_tokens.cbegin(), m_tokens.cend(),
                             [](const Token &t) { return t.state == QLatin1String("active"); }));
}

} // namespace KioskGate
