#pragma once

#include <QWidget>

class QAction;
class QTableView;

namespace KioskGate {

class TokenTableModel;

/// The tokens page: issued tokens and the buttons that act on them.
class TokensView : public QWidget
{
    Q_OBJECT
public:
    TokensView(TokenTableModel *model, const QList<QAction *> &actions, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    /// Token ids (jti) of the selected active tokens.
    QStringList selectedActiveJtis() const;

Q_SIGNALS:
    void selectionChanged();

private:
    TokenTableModel *m_model;
    QTableView *m_table;
};

} // namespace KioskGate
