#pragma once

// The console's object graph for GUI tests, as app/GuiRunner builds it:
// a real KioskServer on a loopback port, real SQLite registry, the admin
// commands the command line uses, and a scripted UserPrompts. Only the
// keychain is replaced by the in-memory secret store.

#include "AdminHooks.h"
#include "AdminService.h"
#include "Clock.h"
#include "ConsoleServices.h"
#include "KioskServer.h"
#include "MemorySecretStore.h"
#include "SigningKeyRing.h"
#include "SigningKeyStore.h"
#include "TlsAdmin.h"
#include "TlsCertificateStore.h"
#include "TokenRegistry.h"
#include "TokenService.h"
#include "UserPrompts.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>
#include <memory>

/// Answers every question as told and records what was asked.
class ScriptedPrompts : public KioskGate::UserPrompts
{
public:
    bool confirmAnswer = true;
    CloseChoice closeAnswer = CloseChoice::Quit;
    QString saveAnswer;
    QStringList asked;
    QStringList texts; ///< the question each confirm() asked
    QStringList errors;

    bool confirm(QWidget *, const QString &title, const QString &text, const QString &) override
    {
        asked.append(title);
        texts.append(text);
        return confirmAnswer;
    }
    void error(QWidget *, const QString &title, const QString &text, const QString &) override
    {
        errors.append(title + QStringLiteral(": ") + text);
    }
    CloseChoice askClose(QWidget *, int, bool, bool *remember) override
    {
        asked.append(QStringLiteral("close"));
        if (remember)
            *remember = false;
        return closeAnswer;
    }
    QString saveFileName(QWidget *, const QString &, const QString &, const QString &) override
    {
        return saveAnswer;
    }
};

class ConsoleFixture
{
public:
    static constexpr char Origin[] = "https://kiosk.example";

    enum class Transport { Plain, Tls };

    /// Plain ws:// by default; Transport::Tls serves wss:// with a
    /// certificate made and stored (in-memory keychain) as the console does.
    explicit ConsoleFixture(int feedIntervalMs = 50, Transport transport = Transport::Plain)
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_registry.open(m_dir.filePath(QStringLiteral("kioskgate.db")), &error), qPrintable(error));
        m_keys = std::make_unique<KioskGate::SigningKeyStore>(&m_secrets, &m_registry, &m_ring, &m_clock);
        QVERIFY2(m_keys->load(&error), qPrintable(error));
        const QString issuer = QStringLiteral("urn:kioskgate:") + m_registry.instanceId();
        m_tokens = std::make_unique<KioskGate::TokenService>(&m_ring, &m_clock, issuer, QStringLiteral("kioskgate"));
        m_admin = std::make_unique<KioskGate::AdminService>(&m_registry, m_tokens.get(), m_keys.get(), &m_clock);

        KioskGate::ServerSettings settings;
        settings.port = 0;
        settings.allowedOrigins = {QString::fromLatin1(Origin)};
        settings.failureBurst = 100000;
        settings.maxConnections = 20000;
        // The lag test runs 5,000 kiosks from one address, 50 per token.
        settings.maxConnectionsPerAddress = 20000;
        settings.maxConnectionsPerToken = 1000;
        settings.maxPendingHeads = 20000;
        settings.tls = transport == Transport::Tls;
        m_tlsStore = std::make_unique<KioskGate::TlsCertificateStore>(&m_secrets, m_dir.path(),
                                                                      m_registry.instanceId(), &m_clock);
        KioskGate::TlsIdentity identity;
        if (settings.tls) {
            KioskGate::TlsFacts facts;
            QVERIFY2(m_tlsStore->load(&identity, &facts, &error), qPrintable(error));
        }
        m_server = std::make_unique<KioskGate::KioskServer>(
            KioskGate::ServerCore::Config{settings, m_dir.filePath(QStringLiteral("kioskgate.db")), issuer,
                                          QStringLiteral("kioskgate"), identity},
            &m_ring, &m_clock);
        m_server->setFeedIntervalMs(feedIntervalMs);
        QVERIFY2(m_server->start(&error), qPrintable(error));
        KioskGate::KioskServer *server = m_server.get();
        // As app/InstanceWiring connects them: commands, revocation and
        // status act on the server, TLS below.
        KioskGate::connectAdminToServer(*m_admin, *server);
        m_tls = std::make_unique<KioskGate::TlsAdmin>(m_tlsStore.get(), server);
        KioskGate::TlsAdmin *tls = m_tls.get();
        m_admin->setTlsHandler([tls](const QJsonObject &request) { return tls->handle(request); });
    }

    KioskGate::ConsoleServices services()
    {
        return {m_server.get(), m_admin.get(), m_dir.path(), &prompts, m_tls.get()};
    }
    KioskGate::TlsCertificateStore &tlsStore() { return *m_tlsStore; }

    /// Trusts exactly the served certificate (as a pinned kiosk would).
    void trustServedCertificate(QWebSocket *socket) const
    {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_tlsStore->certificatePath()));
        socket->setSslConfiguration(ssl);
    }
    KioskGate::KioskServer &server() { return *m_server; }
    KioskGate::AdminService &admin() { return *m_admin; }
    QString url() const
    {
        return QStringLiteral("%1://127.0.0.1:%2/v1/kiosk")
            .arg(m_server->isTls() ? QStringLiteral("wss") : QStringLiteral("ws"))
            .arg(m_server->port());
    }
    QString dataDir() const { return m_dir.path(); }

    /// Issues a token through the admin commands; empty on failure.
    QByteArray issue(const QString &kiosk, QString *jti = nullptr)
    {
        const QJsonObject answer = m_admin->handle({{QStringLiteral("command"), QStringLiteral("token.issue")},
                                                    {QStringLiteral("kiosk"), kiosk},
                                                    {QStringLiteral("expiresIn"), 3600}});
        if (jti)
            *jti = answer.value(QStringLiteral("jti")).toString();
        return answer.value(QStringLiteral("token")).toString().toLatin1();
    }

    ScriptedPrompts prompts;

private:
    QTemporaryDir m_dir;
    KioskGate::SystemClock m_clock;
    KioskGate::TokenRegistry m_registry;
    KioskGate::MemorySecretStore m_secrets;
    KioskGate::SigningKeyRing m_ring;
    std::unique_ptr<KioskGate::SigningKeyStore> m_keys;
    std::unique_ptr<KioskGate::TokenService> m_tokens;
    std::unique_ptr<KioskGate::AdminService> m_admin;
    std::unique_ptr<KioskGate::TlsCertificateStore> m_tlsStore;
    std::unique_ptr<KioskGate::KioskServer> m_server;
    std::unique_ptr<KioskGate::TlsAdmin> m_tls;
};
