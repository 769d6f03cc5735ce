#include "TlsAdmin.h"

#include "KioskServer.h"
#include "ServerSettings.h"
#include "TlsCertificateStore.h"

#include <QDateTime>
#include <QFile>

namespace KioskGate {

namespace {

// Certificates, keys and bundles are small; anything huge is a mistake.
constexpr qint64 MaxIdentityFileBytes = 1024 * 1024;

QJsonObject failure(const QString &error)
{
    return {{QStringLiteral("ok"), false}, {QStringLiteral("error"), error}};
}

bool readFile(const QString &path, QByteArray *contents, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    *contents = file.read(MaxIdentityFileBytes);
    return true;
}

QString plainModeError()
{
    return QStringLiteral("the running instance serves plain ws:// (--no-tls); the new certificate is used "
                          "from its next start with TLS");
}

} // namespace

TlsAdmin::TlsAdmin(TlsCertificateStore *store, KioskServer *server) : m_store(store), m_server(server) {}

QString TlsAdmin::kioskPageUrl(const ServerSettings &settings)
{
    return settings.allowedOrigins.isEmpty() ? QStringLiteral("https://kiosk.example/")
                                             : settings.allowedOrigins.first() + QLatin1Char('/');
}

bool TlsAdmin::readIdentityFiles(const QString &file, const QString &keyFile, const QByteArray &password,
                                 TlsIdentity *identity, QString *error)
{
    QByteArray contents;
    if (!readFile(file, &contents, error))
        return false;
    if (!keyFile.isEmpty()) {
        QByteArray key;
        return readFile(keyFile, &key, error) && TlsCertificates::fromPem(contents, key, identity, error);
    }
    if (contents.trimmed().startsWith("-----BEGIN"))
        return TlsCertificates::fromPem(contents, {}, identity, error);
    return TlsCertificates::fromPkcs12(contents, password, identity, error);
}

QJsonObject TlsAdmin::handle(const QJsonObject &request)
{
    const QString command = request.value(QStringLiteral("command")).toString();
    if (command == QLatin1String("tls.reload"))
        return reload();
    if (command == QLatin1String("tls.show"))
        return show();
    return failure(QStringLiteral("unknown command \"%1\"").arg(command.left(64)));
}

QJsonObject TlsAdmin::show()
{
    QJsonObject answer = m_server->isTls()
        ? m_server->tlsFacts().toJson(kioskPageUrl(m_server->settings()), m_server->kioskUrl())
        : QJsonObject();
    answer.insert(QStringLiteral("ok"), true);
    answer.insert(QStringLiteral("tls"), m_server->isTls());
    answer.insert(QStringLiteral("url"), m_server->kioskUrl());
    answer.insert(QStringLiteral("certificatePath"), m_store->certificatePath());
    return answer;
}

QJsonObject TlsAdmin::reload()
{
    if (!m_server->isTls())
        return failure(plainModeError());
    TlsIdentity identity;
    TlsFacts facts;
    QString error;
    if (!m_store->load(&identity, &facts, &error) || !m_server->reloadTls(identity, &error))
        return failure(error);
    return show();
}

QJsonObject TlsAdmin::regenerate()
{
    if (!m_server->isTls())
        return failure(plainModeError());
    TlsIdentity identity;
    TlsFacts facts;
    QString error;
    if (!m_store->regenerate(&identity, &facts, &error) || !m_server->reloadTls(identity, &error))
        return failure(error);
    m_server->activity()->append({QDateTime::currentMSecsSinceEpoch(), ActivityEvent::Kind::CertificateChanged,
                                  {}, {}, {}, {},
                                  QStringLiteral("new self-signed certificate, SPKI %1").arg(facts.spkiSha256)});
    return show();
}

QJsonObject TlsAdmin::import(const TlsIdentity &identity)
{
    if (!m_server->isTls())
        return failure(plainModeError());
    TlsFacts facts;
    QString error;
    if (!m_store->store(identity, &facts, &error) || !m_server->reloadTls(identity, &error))
        return failure(error);
    m_server->activity()->append({QDateTime::currentMSecsSinceEpoch(), ActivityEvent::Kind::CertificateChanged,
                                  {}, {}, {}, {},
                                  QStringLiteral("imported certificate %1, SPKI %2").arg(facts.subject, facts.spkiSha256)});
    return show();
}

} // namespace KioskGate
