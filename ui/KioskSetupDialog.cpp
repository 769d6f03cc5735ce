#include "KioskSetupDialog.h"

#include "ConsoleFormat.h"
#include "KioskServer.h"
#include "TlsAdmin.h"
#include "UserPrompts.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QLocale>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace KioskGate {

namespace {

QToolButton *copyButton(QWidget *parent, const QString &name, std::function<QString()> text)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setText(QObject::tr("Copy"));
    button->setToolTip(QObject::tr("Copy to the clipboard"));
    QObject::connect(button, &QToolButton::clicked, button, [button, text] {
        QApplication::clipboard()->setText(text());
        button->setText(QObject::tr("Copied"));
        QTimer::singleShot(1500, button, [button] { button->setText(QObject::tr("Copy")); });
    });
    return button;
}

QString isoToLocal(const QJsonValue &value)
{
    const QDateTime when = QDateTime::fromString(value.toString(), Qt::ISODate);
    return when.isValid() ? QLocale().toString(when.toLocalTime(), QStringLiteral("d MMM yyyy HH:mm")) : value.toString();
}

} // namespace

KioskSetupDialog::KioskSetupDialog(KioskServer *server, TlsAdmin *tls, UserPrompts *prompts, QWidget *parent)
    : QDialog(parent), m_server(server), m_tls(tls), m_prompts(prompts), m_intro(new QLabel(this)),
      m_plainWarning(new QLabel(this)), m_certificate(new QWidget(this)), m_subject(new QLabel(this)),
      m_key(new QLabel(this)), m_validity(new QLabel(this)), m_names(new QLabel(this)),
      m_regenerate(new QPushButton(tr("Regenerate…"), this)), m_import(new QPushButton(tr("Import…"), this))
{
    setObjectName(QStringLiteral("kioskSetupDialog"));
    setWindowTitle(tr("Kiosk Setup"));

    m_intro->setWordWrap(true);
    m_intro->setObjectName(QStringLiteral("kioskSetupIntro"));
    m_plainWarning->setObjectName(QStringLiteral("plainWarning"));
    m_plainWarning->setWordWrap(true);
    m_plainWarning->setStyleSheet(QStringLiteral(
        "QLabel { background: #fef3c7; color: #78350f; border: 1px solid #f59e0b; border-radius: 4px; padding: 8px; }"));

    auto *urlForm = new QFormLayout;
    urlForm->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_url = addCopyRow(urlForm, tr("Kiosks connect to"), QStringLiteral("kioskUrl"));

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    for (QLabel *label : {m_subject, m_key, m_validity, m_names}) {
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setWordWrap(true);
    }
    m_subject->setObjectName(QStringLiteral("certificateSubject"));
    m_validity->setObjectName(QStringLiteral("certificateValidity"));
    m_names->setObjectName(QStringLiteral("certificateNames"));
    form->addRow(tr("Certificate"), m_subject);
    form->addRow(tr("Key"), m_key);
    form->addRow(tr("Valid"), m_validity);
    form->addRow(tr("Names (SAN)"), m_names);
    m_sha256 = addCopyRow(form, tr("SHA-256 fingerprint"), QStringLiteral("sha256Field"));
    m_spki = addCopyRow(form, tr("SPKI SHA-256 (pin)"), QStringLiteral("spkiField"));
    m_file = addCopyRow(form, tr("Certificate file"), QStringLiteral("certificateFileField"));

    auto *certificateLayout = new QVBoxLayout(m_certificate);
    certificateLayout->setContentsMargins(0, 0, 0, 0);
    certificateLayout->addLayout(form);
    m_chromium = addSnippet(certificateLayout, tr("Chromium kiosk: trusts this certificate without a CA"),
                            QStringLiteral("chromiumField"));
    m_node = addSnippet(certificateLayout,
                        tr("Node ws: copy the certificate file to the kiosk as kioskgate-cert.pem"),
                        QStringLiteral("nodeField"));

    m_regenerate->setObjectName(QStringLiteral("regenerateButton"));
    m_regenerate->setToolTip(tr("Make a new key and self-signed certificate and serve it at once"));
    m_import->setObjectName(QStringLiteral("importButton"));
    m_import->setToolTip(tr("Use your own certificate: a PEM pair or a PKCS#12 (.p12/.pfx) file"));
    connect(m_regenerate, &QPushButton::clicked, this, &KioskSetupDialog::regenerate);
    connect(m_import, &QPushButton::clicked, this, &KioskSetupDialog::openImport);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_regenerate, QDialogButtonBox::ActionRole);
    buttons->addButton(m_import, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 14);
    layout->setSpacing(10);
    layout->addWidget(m_intro);
    layout->addWidget(m_plainWarning);
    layout->addLayout(urlForm);
    layout->addWidget(m_certificate);
    layout->addStretch(1);
    layout->addWidget(buttons);
    // Wide enough for the SHA-256 fingerprint (95 characters) on one line.
    setMinimumWidth(qMax(820, QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).horizontalAdvance(QString(100, QLatin1Char('0'))) + 260));
    refresh();
}

QLineEdit *KioskSetupDialog::addCopyRow(QFormLayout *form, const QString &label, const QString &name)
{
    auto *field = new QLineEdit(this);
    field->setObjectName(name);
    field->setReadOnly(true);
    field->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *row = new QHBoxLayout;
    row->addWidget(field, 1);
    row->addWidget(copyButton(this, name + QStringLiteral("Copy"), [field] { return field->text(); }));
    form->addRow(label, row);
    return field;
}

QPlainTextEdit *KioskSetupDialog::addSnippet(QLayout *layout, const QString &title, const QString &name)
{
    auto *box = new QGroupBox(title, this);
    auto *text = new QPlainTextEdit(box);
    text->setObjectName(name);
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    text->setFixedHeight(text->fontMetrics().lineSpacing() * 3 + 14);
    auto *row = new QHBoxLayout(box);
    row->addWidget(text, 1);
    row->addWidget(copyButton(box, name + QStringLiteral("Copy"), [text] { return text->toPlainText(); }), 0,
                   Qt::AlignTop);
    layout->addWidget(box);
    return text;
}

void KioskSetupDialog::refresh()
{
    const bool tls = m_server->isTls();
    QJsonObject facts = m_tls ? m_tls->show()
                              : m_server->tlsFacts().toJson(TlsAdmin::kioskPageUrl(m_server->settings()),
                                                            m_server->kioskUrl());
    m_url->setText(m_server->kioskUrl());
    m_certificate->setVisible(tls);
    m_regenerate->setEnabled(tls && m_tls);
    m_import->setEnabled(tls && m_tls);
    if (!tls) {
        m_intro->setText(tr("<b>TLS is off.</b> The console serves plain <tt>ws://</tt> and <tt>http://</tt>: "
                            "use this only behind a TLS-terminating proxy on this machine, or for development "
                            "on loopback. Start without <tt>--no-tls</tt> (or set <tt>tls=true</tt>) to serve "
                            "<tt>wss://</tt> with a certificate kiosks can pin."));
        m_plainWarning->setText(tr("⚠ Plain ws:// on a network address: tokens cross the LAN unencrypted and "
                                   "anyone on the network can read them."));
        m_plainWarning->setVisible(m_server->isPlainOnNetwork());
        adjustSize();
        return;
    }
    m_plainWarning->hide();
    m_intro->setText(tr("Kiosks connect with <b>wss://</b>. The console serves its own certificate; a kiosk trusts "
                        "it by pinning its public key (SPKI), or by installing the certificate file as a trusted "
                        "root. Regenerating, or importing a certificate with a new key, changes the pin."));
    m_subject->setText(facts.value(QStringLiteral("selfSigned")).toBool()
                           ? tr("%1 (self-signed)").arg(facts.value(QStringLiteral("subject")).toString())
                           : tr("%1, issued by %2")
                                 .arg(facts.value(QStringLiteral("subject")).toString(),
                                      facts.value(QStringLiteral("issuer")).toString()));
    m_key->setText(facts.value(QStringLiteral("keyType")).toString());
    const TlsFacts served = m_server->tlsFacts();
    const qint64 daysLeft = (served.notAfterSecs - QDateTime::currentSecsSinceEpoch()) / 86400;
    m_validity->setText(tr("%1 to %2 (%3 days left)")
                            .arg(isoToLocal(facts.value(QStringLiteral("notBefore"))),
                                 isoToLocal(facts.value(QStringLiteral("notAfter"))))
                            .arg(daysLeft));
    QStringList names;
    for (const QJsonValue &name : facts.value(QStringLiteral("subjectAltNames")).toArray())
        names.append(name.toString());
    m_names->setText(names.join(QStringLiteral(", ")));
    m_sha256->setText(facts.value(QStringLiteral("sha256Fingerprint")).toString());
    m_spki->setText(facts.value(QStringLiteral("spkiSha256")).toString());
    m_file->setText(facts.value(QStringLiteral("certificatePath")).toString());
    m_chromium->setPlainText(facts.value(QStringLiteral("chromiumCommandLine")).toString());
    m_node->setPlainText(facts.value(QStringLiteral("nodeWsExample")).toString());
    for (QLineEdit *field : {m_sha256, m_spki, m_file, m_url})
        field->setCursorPosition(0);
}

bool KioskSetupDialog::applyAnswer(const QJsonObject &answer, const QString &failureTitle)
{
    if (!answer.value(QStringLiteral("ok")).toBool()) {
        m_prompts->error(this, failureTitle, answer.value(QStringLiteral("error")).toString(),
                         tr("The certificate served so far stays in use."));
        return false;
    }
    refresh();
    Q_EMIT certificateChanged();
    return true;
}

bool KioskSetupDialog::regenerate()
{
    if (!m_tls)
        return false;
    if (!m_prompts->confirm(this, tr("Regenerate Certificate"),
                            tr("Make a new key and certificate and serve it to new connections now?\n\n"
                               "Kiosks pinned to the current SPKI (%1) cannot connect again until they are "
                               "started with the new pin. Connected kiosks stay connected.")
                                .arg(m_spki->text()),
                            tr("Regenerate")))
        return false;
    return applyAnswer(m_tls->regenerate(), tr("Regenerate failed"));
}

bool KioskSetupDialog::importFiles(const QString &file, const QString &keyFile, const QByteArray &password)
{
    if (!m_tls)
        return false;
    TlsIdentity identity;
    QString error;
    if (!TlsAdmin::readIdentityFiles(file, keyFile, password, &identity, &error)) {
        m_prompts->error(this, tr("Import failed"), error, tr("The certificate served so far stays in use."));
        return false;
    }
    return applyAnswer(m_tls->import(identity), tr("Import failed"));
}

void KioskSetupDialog::openImport()
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("importCertificateDialog"));
    dialog->setWindowTitle(tr("Import Certificate"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *intro = new QLabel(tr("A PEM certificate (leaf first, then intermediates) with its key in the same file "
                                "or a separate key file, or a PKCS#12 (.p12/.pfx) file with its password. EC "
                                "P-256/P-384 or RSA 2048-3072 keys."),
                             dialog);
    intro->setWordWrap(true);
    auto *file = new QLineEdit(dialog);
    file->setObjectName(QStringLiteral("importFileField"));
    auto *key = new QLineEdit(dialog);
    key->setObjectName(QStringLiteral("importKeyField"));
    key->setPlaceholderText(tr("only for a PEM certificate without its key"));
    auto *password = new QLineEdit(dialog);
    password->setObjectName(QStringLiteral("importPasswordField"));
    password->setEchoMode(QLineEdit::Password);
    password->setPlaceholderText(tr("only for PKCS#12"));
    auto browseRow = [dialog](QLineEdit *field, const QString &filter) {
        auto *row = new QHBoxLayout;
        row->addWidget(field, 1);
        auto *browse = new QPushButton(tr("Browse…"), dialog);
        QObject::connect(browse, &QPushButton::clicked, dialog, [dialog, field, filter] {
            const QString chosen = QFileDialog::getOpenFileName(dialog, tr("Choose a File"), field->text(), filter);
            if (!chosen.isEmpty())
                field->setText(chosen);
        });
        row->addWidget(browse);
        return row;
    };
    auto *form = new QFormLayout;
    form->addRow(tr("Certificate"), browseRow(file, tr("Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)")));
    form->addRow(tr("Key file"), browseRow(key, tr("Keys (*.pem *.key);;All files (*)")));
    form->addRow(tr("Password"), password);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    QPushButton *importButton = buttons->addButton(tr("Import and Serve"), QDialogButtonBox::AcceptRole);
    importButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, file, key, password] {
        if (importFiles(file->text().trimmed(), key->text().trimmed(), password->text().toUtf8()))
            dialog->accept();
    });
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(buttons);
    dialog->resize(560, dialog->sizeHint().height());
    dialog->open();
}

} // namespace KioskGate
