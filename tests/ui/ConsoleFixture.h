#pragma once

// The console's object graph for GUI tests, as app/GuiRunner builds it:
// a real KioskServer on a loopback port, real SQLite registry, the admin
// commands the command line uses, and a scripted UserPrompts. Only the
// keychain is replaced by the in-memory secret store.

#include "AdminService.h"
#include "Clock.h"
#include "ConsoleServices.h"
#include "KioskServer.h"
#include "MemorySecretStore.h"
#include "SigningKeyRing.h"
#include "SigningKeyStore.h"
#include "TokenRegistry.h"
#include "TokenService.h"
#include "UserPrompts.h"

#include <QTemporaryDir>
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
    QStringList errors;

    bool confirm(QWidget *, const QString &title, const QString &, const QString &) override
    {
        asked.append(title);
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

    explicit ConsoleFixture(int feedIntervalMs = 50)
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
        settings.tls = false; // the window's tests speak plain ws:// (TLS has its own tests)
        m_server = std::make_unique<KioskGate::KioskServer>(
            KioskGate::ServerCore::Config{settings, m_dir.filePath(QStringLiteral("kioskgate.db")), issuer,
                                          QStringLiteral("kioskgate"), {}},
            &m_ring, &m_clock);
        m_server->setFeedIntervalMs(feedIntervalMs);
        QVERIFY2(m_server->start(&error), qPrintable(error));
        KioskGate::KioskServer *server = m_server.get();
        m_admin->setActivityLog(server->activity());
        m_admin->setRevocationHook([server](const QStringList &jtis, const QString &reason) {
            return server->revokeTokens(jtis, reason);
        });
    }

    KioskGate::ConsoleServices services() { return {m_server.get(), m_admin.get(), m_dir.path(), &prompts}; }
    KioskGate::KioskServer &server() { return *m_server; }
    KioskGate::AdminService &admin() { return *m_admin; }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1/v1/kiosk").arg(m_server->port()); }
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
    std::unique_ptr<KioskGate::KioskServer> m_server;
};
