#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QVector>

namespace KioskGate {

/// Issued tokens as AdminService's token.list describes them (the registry
/// never holds a token, so neither does this model).
class TokenTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        KioskColumn,
        IdColumn,
        CreatedColumn,
        ExpiresColumn,
        LastUsedColumn,
        LastAddressColumn,
        StateColumn,
        OriginsColumn,
        ColumnCount
    };
    enum Role { JtiRole = Qt::UserRole + 1, StateRole, SortRole };

    struct Token
    {
        QString jti, kiosk, created, expires, revoked, lastUsed, lastAddress, state;
        QStringList origins;
    };

    explicit TokenTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Replaces the list with token.list's "tokens" array. Keeps rows (and
    /// the selection) when only values changed.
    void setTokens(const QJsonArray &tokens);
    Token tokenAt(int row) const { return m_tokens.value(row); }
    int activeCount() const;

private:
    QVector<Token> m_tokens;
};

} // namespace KioskGate
