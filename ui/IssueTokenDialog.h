#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QStackedWidget;

namespace KioskGate {

class AdminService;

/// Issue token: kiosk name, lifetime and allowed origins in; the token out,
/// shown once with a copy button, a QR code and a snippet for the kiosk
/// page. Closing the dialog forgets the token (fields cleared, clipboard
/// emptied if it still holds it); the registry never had it.
class IssueTokenDialog : public QDialog
{
    Q_OBJECT
public:
    IssueTokenDialog(AdminService *admin, QString consoleBase, QWidget *parent = nullptr);
    ~IssueTokenDialog() override;

    /// Issues with what the form holds; false (and an inline message) if
    /// the admin service refused.
    bool issue();

Q_SIGNALS:
    void tokenIssued(const QString &kiosk, const QString &jti);

protected:
    void done(int result) override;

private:
    QWidget *buildForm();
    QWidget *buildResult();
    void forget();

    AdminService *m_admin;
    QString m_consoleBase;
    QStackedWidget *m_pages;
    QLineEdit *m_name;
    QComboBox *m_lifetime;
    QPlainTextEdit *m_origins;
    QLabel *m_formError;
    QLabel *m_resultTitle;
    QLineEdit *m_token;
    QLabel *m_qr;
    QPlainTextEdit *m_snippet;
    QString m_issuedToken;
};

} // namespace KioskGate
