#pragma once

#include <QDialog>
#include <QJsonObject>

class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace KioskGate {

class KioskServer;
class TlsAdmin;
class UserPrompts;

/// Kiosk setup: the URL kiosks connect to and, with TLS, the certificate's
/// fingerprints, names and validity plus the exact lines a kiosk needs to
/// trust it (Chromium's SPKI pin, Node ws `ca`), each with a copy button.
/// Regenerate and import go through TlsAdmin, the code `kioskgate tls
/// regenerate|import` runs, and are served to new connections at once.
class KioskSetupDialog : public QDialog
{
    Q_OBJECT
public:
    KioskSetupDialog(KioskServer *server, TlsAdmin *tls, UserPrompts *prompts, QWidget *parent = nullptr);

    /// Reads the facts again (after a change made elsewhere, e.g. the CLI).
    void refresh();
    /// Asks, then makes a new certificate; false if cancelled or failed.
    bool regenerate();
    /// Imports a PEM certificate (with `keyFile`, or holding its key) or a
    /// PKCS#12 file opened with `password`; false (error shown) on failure.
    bool importFiles(const QString &file, const QString &keyFile, const QByteArray &password);
    /// Opens the import form (certificate file, key file, password).
    void openImport();

Q_SIGNALS:
    /// A new certificate is being served.
    void certificateChanged();

private:
    QLineEdit *addCopyRow(QFormLayout *form, const QString &label, const QString &name);
    QPlainTextEdit *addSnippet(QLayout *layout, const QString &title, const QString &name);
    bool applyAnswer(const QJsonObject &answer, const QString &failureTitle);

    KioskServer *m_server;
    TlsAdmin *m_tls;
    UserPrompts *m_prompts;
    QLabel *m_intro;
    QLabel *m_plainWarning;
    QWidget *m_certificate;
    QLineEdit *m_url;
    QLabel *m_subject;
    QLabel *m_key;
    QLabel *m_validity;
    QLabel *m_names;
    QLineEdit *m_sha256;
    QLineEdit *m_spki;
    QLineEdit *m_file;
    QPlainTextEdit *m_chromium;
    QPlainTextEdit *m_node;
    QPushButton *m_regenerate;
    QPushButton *m_import;
};

} // namespace KioskGate
