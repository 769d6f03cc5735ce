#pragma once

#include <QString>

class QWidget;

namespace KioskGate {

/// Every question and error message box of the console goes through here,
/// so tests can answer them without a person (and without a modal loop).
class UserPrompts
{
public:
    enum class CloseChoice { KeepServing, Quit, Cancel };

    virtual ~UserPrompts() = default;

    /// Asks before something that cannot be undone; true = go ahead.
    virtual bool confirm(QWidget *parent, const QString &title, const QString &text,
                         const QString &acceptLabel) = 0;
    /// Reports a failure: what happened (`text`) and what to do (`advice`).
    virtual void error(QWidget *parent, const QString &title, const QString &text,
                       const QString &advice) = 0;
    /// Closing the window: keep serving in the tray, quit, or cancel.
    virtual CloseChoice askClose(QWidget *parent, int onlineKiosks, bool trayAvailable,
                                 bool *remember) = 0;
    /// A file to write to; empty = cancelled.
    virtual QString saveFileName(QWidget *parent, const QString &title, const QString &suggested,
                                 const QString &filter) = 0;
};

/// The real thing: QMessageBox and QFileDialog.
class DialogPrompts : public UserPrompts
{
public:
    bool confirm(QWidget *parent, const QString &title, const QString &text,
                 const QString &acceptLabel) override;
    void error(QWidget *parent, const QString &title, const QString &text, const QString &advice) override;
    CloseChoice askClose(QWidget *parent, int onlineKiosks, bool trayAvailable, bool *remember) override;
    QString saveFileName(QWidget *parent, const QString &title, const QString &suggested,
                         const QString &filter) override;
};

} // namespace KioskGate
