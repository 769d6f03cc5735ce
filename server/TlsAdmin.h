#pragma once

#include "TlsCertificates.h"

#include <QJsonObject>
#include <QString>

namespace KioskGate {

class KioskServer;
class TlsCertificateStore;
struct ServerSettings;

/// The running instance's certificate operations, shared by the control
/// channel (`kioskgate tls show|regenerate|import` against a running
/// console) and the console window's Kiosk Setup dialog. Runs on the control
/// thread, where the keychain answers.
///
/// Answers are AdminService-style JSON: {"ok": true, "tls": bool, "url",
/// "certificatePath", ...TlsFacts::toJson()} or {"ok": false, "error"}.
class TlsAdmin
{
public:
    TlsAdmin(TlsCertificateStore *store, KioskServer *server);

    /// The page a kiosk opens, for the Chromium command line: the first
    /// allowed origin, or a placeholder.
    static QString kioskPageUrl(const ServerSettings &settings);

    /// Reads a certificate to import, as `kioskgate tls import` does: a PEM
    /// certificate with `keyFile` (PEM), a PEM holding both, or a PKCS#12
    /// file opened with `password`.
    static bool readIdentityFiles(const QString &file, const QString &keyFile, const QByteArray &password,
                                  TlsIdentity *identity, QString *error);

    /// tls.show and tls.reload (reload: serve the stored certificate now).
    QJsonObject handle(const QJsonObject &request);
    /// Facts of the served certificate and the kiosk pinning lines.
    QJsonObject show();
    /// A new key and certificate, stored and served to new connections.
    QJsonObject regenerate();
    /// Checks and stores `identity`, then serves it to new connections.
    QJsonObject import(const TlsIdentity &identity);

private:
    QJsonObject reload();

    TlsCertificateStore *m_store;
    KioskServer *m_server;
};

} // namespace KioskGate
