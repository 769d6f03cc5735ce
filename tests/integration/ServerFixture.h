#pragma once

// An in-process KioskGate server on a loopback port, with its own data
// directory, registry and signing key, plus helpers to issue tokens and to
// speak raw HTTP to it. Real sockets, real SQLite; only the keychain is
// replaced by the key ring held in memory.

#include "Clock.h"
#include "KioskServer.h"
#include "SigningKeyRing.h"
#include "TokenRegistry.h"
#include "TokenService.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

struct RawResponse
{
    QByteArray statusLine;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool complete = false;

    int status() const { return statusLine.split(' ').value(1).toInt(); }
    QList<QByteArray> values(const QByteArray &name) const
    {
        QList<QByteArray> found;
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                found.append(h.second);
        }
        return found;
    }
    QByteArray value(const QByteArray &name) const { return values(name).value(0); }
    QByteArray all() const
    {
        QByteArray out = statusLine + "\r\n";
        for (const auto &h : headers)
            out += h.first + ": " + h.second + "\r\n";
        return out + "\r\n" + body;
    }
};

class ServerFixture
{
public:
    static constexpr char AllowedOrigin[] = "https://kiosk.example";
    static constexpr char OtherAllowedOrigin[] = "https://other.example";

    /// With settings.tls on, `tls` is the certificate and key served.
    /// `clock` (optional) replaces the wall clock for the server: tickets,
    /// token lifetimes and failure budgets then follow it.
    explicit ServerFixture(KioskGate::ServerSettings settings = defaults(), KioskGate::TlsIdentity tls = {},
                           const KioskGate::Clock *clock = nullptr)
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_registry.open(databasePath(), &error), qPrintable(error));
        m_kid = KioskGate::SigningKeyRing::generateKeyId();
        m_ring.addKey(m_kid, KioskGate::SigningKeyRing::generateKey());
        m_ring.setCurrentKeyId(m_kid);
        m_server = std::make_unique<KioskGate::KioskServer>(
            KioskGate::ServerCore::Config{settings, databasePath(), issuer(), QStringLiteral("kioskgate"), tls},
            &m_ring, clock ? clock : &m_clock);
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }

    static KioskGate::ServerSettings defaults()
    {
        KioskGate::ServerSettings s;
        s.port = 0;
        s.tls = false; // plain ws:// unless a test asks for TLS (tst_tls)
        s.allowedOrigins = {QString::fromLatin1(AllowedOrigin), QString::fromLatin1(OtherAllowedOrigin)};
        s.failureBurst = 100000; // most tests fail on purpose; the budget has its own test
        return s;
    }

    QString databasePath() const { return m_dir.filePath(QStringLiteral("kioskgate.db")); }
    QString issuer() const { return QStringLiteral("urn:kioskgate:") + m_registry.instanceId(); }
    quint16 port() const { return m_server->port(); }
    QString url(const QString &path = QStringLiteral("/v1/kiosk")) const
    {
        return QStringLiteral("ws://127.0.0.1:%1%2").arg(port()).arg(path);
    }
    KioskGate::KioskServer &server() { return *m_server; }
    KioskGate::TokenRegistry &registry() { return m_registry; }
    KioskGate::SigningKeyRing &ring() { return m_ring; }

    /// Issues and records a token, as the console does. `issuedAtMs`
    /// backdates or postdates it.
    QByteArray issue(const QString &kiosk, qint64 lifetimeSecs = 0, const QStringList &origins = {},
                     qint64 issuedAtMs = 0, bool record = true, QString *jti = nullptr)
    {
        KioskGate::ManualClock clock(issuedAtMs ? issuedAtMs : QDateTime::currentMSecsSinceEpoch());
        KioskGate::TokenService tokens(&m_ring, &clock, issuer(), QStringLiteral("kioskgate"));
        KioskGate::IssuedToken issued;
        QString error;
        if (!tokens.issue({kiosk, lifetimeSecs, origins}, &issued, &error)) {
            qWarning("issue failed: %s", qPrintable(error));
            return {};
        }
        if (record) {
            KioskGate::TokenRecord r;
            r.jti = issued.claims.jti;
            r.kiosk = kiosk;
            r.keyId = issued.claims.keyId;
            r.origins = origins;
            r.created = issued.claims.issuedAt;
            r.expires = issued.claims.expiresAt;
            if (!m_registry.insertToken(r, &error))
                qWarning("record failed: %s", qPrintable(error));
        }
        if (jti)
            *jti = issued.claims.jti;
        return issued.token;
    }

    /// Sends `request` from `localAddress` and reads the answer: the whole
    /// response if the server closes, the head alone for a 101.
    RawResponse send(const QByteArray &request, const QHostAddress &localAddress = QHostAddress::LocalHost,
                     int timeoutMs = 5000, QTcpSocket **keepOpen = nullptr)
    {
        auto *socket = new QTcpSocket;
        socket->bind(localAddress, 0);
        socket->connectToHost(QHostAddress::LocalHost, port());
        RawResponse response;
        if (!socket->waitForConnected(timeoutMs)) {
            delete socket;
            return response;
        }
        socket->write(request);
        QByteArray data;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            socket->waitForReadyRead(50);
            data += socket->readAll();
            const int end = data.indexOf("\r\n\r\n");
            if (end >= 0 && data.startsWith("HTTP/1.1 101"))
                break;
            if (socket->state() == QAbstractSocket::UnconnectedState)
                break;
        }
        data += socket->readAll();
        const int end = data.indexOf("\r\n\r\n");
        if (end >= 0) {
            response.complete = true;
            const QList<QByteArray> lines = data.left(end).split('\n');
            response.statusLine = lines.value(0).trimmed();
            for (int i = 1; i < lines.size(); ++i) {
                const int colon = lines[i].indexOf(':');
                response.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
            }
            response.body = data.mid(end + 4);
        }
        if (keepOpen)
            *keepOpen = socket;
        else
            delete socket;
        return response;
    }

    /// send() again every 50 ms until the answer has `status` or `timeoutMs`
    /// is over; returns the last answer. For waiting on the server to make
    /// room: unlike QTRY_COMPARE, which evaluates its expression once more
    /// after it matched (and again to tell a short timeout), it sends no
    /// request after the one that matched, and every admitted request is a
    /// session that counts against the caps until its close is processed.
    RawResponse sendUntil(int status, const QByteArray &request,
                          const QHostAddress &localAddress = QHostAddress::LocalHost,
                          int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        RawResponse last = send(request, localAddress);
        while (last.status() != status && timer.elapsed() < timeoutMs) {
            QTest::qWait(50);
            last = send(request, localAddress);
        }
        return last;
    }

    static QByteArray upgrade(const QByteArray &extraHeaders, const QByteArray &target = "/v1/kiosk")
    {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

private:
    QTemporaryDir m_dir;
    KioskGate::SystemClock m_clock;
    KioskGate::TokenRegistry m_registry;
    KioskGate::SigningKeyRing m_ring;
    QString m_kid;
    std::unique_ptr<KioskGate::KioskServer> m_server;
};
