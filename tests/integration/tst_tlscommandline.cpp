// TLS with the real executable and the real OS keychain (gnome-keyring in a
// private D-Bus session): the first run makes a certificate whose key lives
// in the keychain, a restart serves the same certificate, `tls import` of a
// PKCS#12 file is served at once by the running instance and after a
// restart, bad imports are refused with their exact reason, `tls show`
// prints the pins and kiosk lines.

#include "KeychainSecretStore.h"
#include "KioskGateProcess.h"
#include "Pkcs12Maker.h"
#include "TlsCertificates.h"
#include "TokenRegistry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>

using namespace KioskGate;

namespace {

// The certificate the server at `port` presents (no verification: this is
// what a pinning client would look at).
QSslCertificate served(quint16 port)
{
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForEncrypted(5000)) {
        qWarning("TLS to port %u failed: %s", port, qPrintable(socket.errorString()));
        return QSslCertificate();
    }
    return socket.peerCertificate();
}

QString spkiOf(const QSslCertificate &certificate)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(certificate.publicKey().toDer(), QCryptographicHash::Sha256).toBase64());
}

KioskGateProcess::Result run(const QStringList &arguments)
{
    return KioskGateProcess::run(arguments);
}

} // namespace

class TestTlsCommandLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void keyInKeychainAndSameCertificateAfterRestart();
    void importPkcs12IsServedLiveAndAfterRestart();
    void badImportsAreRefusedWithTheReason();
    void regenerateOfflineChangesThePin();

private:
    QStringList dataArgs() const { return {QStringLiteral("--data-dir"), m_dir.path()}; }
    QStringList serverArgs() const { return dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}; }
    QString writeFile(const QString &name, const QByteArray &contents);
    QJsonObject show();
    QTemporaryDir m_dir;
};

void TestTlsCommandLine::initTestCase()
{
    QVERIFY2(!KioskGateProcess::binary().isEmpty(), "KIOSKGATE_BIN is not set (run through ctest)");
    QVERIFY(m_dir.isValid());
    QString error;
    KeychainSecretStore probe(QStringLiteral("KioskGate"));
    QVERIFY2(probe.probe(&error), qPrintable(error));
}

QString TestTlsCommandLine::writeFile(const QString &name, const QByteArray &contents)
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
        qWarning("cannot write %s", qPrintable(file.fileName()));
    return file.fileName();
}

QJsonObject TestTlsCommandLine::show()
{
    const auto result = run(QStringList{QStringLiteral("tls"), QStringLiteral("show"), QStringLiteral("--json")} + dataArgs());
    if (result.exitCode != 0)
        qWarning("tls show failed: %s", result.err.constData());
    return QJsonDocument::fromJson(result.out).object();
}

void TestTlsCommandLine::keyInKeychainAndSameCertificateAfterRestart()
{
    QSslCertificate first;
    {
        KioskGateProcess server(serverArgs(), QProcessEnvironment::systemEnvironment(),
                                KioskGateProcess::Transport::Tls);
        const quint16 port = server.waitReady();
        QVERIFY2(port != 0, server.log().constData());
        QVERIFY2(server.log().contains("ready: wss://127.0.0.1:"), server.log().constData());
        first = served(port);
        QVERIFY(!first.isNull());
        QVERIFY(first.subjectAlternativeNames().values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));

        // `tls show` asks the running instance.
        const QJsonObject facts = show();
        QCOMPARE(facts.value(QStringLiteral("tls")).toBool(), true);
        QCOMPARE(facts.value(QStringLiteral("spkiSha256")).toString(), spkiOf(first));
        QCOMPARE(facts.value(QStringLiteral("sha256Fingerprint")).toString(),
                 QString::fromLatin1(first.digest(QCryptographicHash::Sha256).toHex(':').toUpper()));
        QVERIFY(facts.value(QStringLiteral("chromiumCommandLine")).toString().contains(
            QStringLiteral("--ignore-certificate-errors-spki-list=") + spkiOf(first)));
        QVERIFY(facts.value(QStringLiteral("url")).toString().startsWith(QStringLiteral("wss://")));

        const auto status = run(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + dataArgs());
        const QJsonObject statusJson = QJsonDocument::fromJson(status.out).object();
        QCOMPARE(statusJson.value(QStringLiteral("tls")).toBool(), true);
        QCOMPARE(statusJson.value(QStringLiteral("plainOnNetwork")).toBool(), false);
        QCOMPARE(server.stop(), 0);
    }
    // The key is in the keychain (and nowhere in the data directory).
    TokenRegistry registry;
    QString error;
    QVERIFY2(registry.open(m_dir.filePath(TokenRegistry::fileName()), &error), qPrintable(error));
    KeychainSecretStore keychain(QStringLiteral("KioskGate"));
    QByteArray keyPem;
    bool found = false;
    QVERIFY2(keychain.read(QStringLiteral("instance/%1/tls/key").arg(registry.instanceId()), &keyPem, &found, &error),
             qPrintable(error));
    QVERIFY(found);
    QVERIFY(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY(TlsCertificates::validate({first.toPem(), keyPem}, QDateTime::currentSecsSinceEpoch(), nullptr, &error));
    QDirIterator files(m_dir.path(), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains("PRIVATE KEY"), qPrintable(file.fileName()));
    }

    KioskGateProcess again(serverArgs(), QProcessEnvironment::systemEnvironment(), KioskGateProcess::Transport::Tls);
    const quint16 port = again.waitReady();
    QVERIFY2(port != 0, again.log().constData());
    QCOMPARE(served(port), first);
}

void TestTlsCommandLine::importPkcs12IsServedLiveAndAfterRestart()
{
    TlsIdentity imported;
    QString error;
    QVERIFY(TlsCertificates::generate(TlsCertificates::defaultRequest(), &imported, &error));
    const QString bundle = writeFile(QStringLiteral("console.p12"), pkcs12Of(imported, "correct horse"));
    const QString password = writeFile(QStringLiteral("p12-password.txt"), "correct horse\n");
    const QSslCertificate wanted(imported.certificatePem);

    {
        KioskGateProcess server(serverArgs(), QProcessEnvironment::systemEnvironment(),
                                KioskGateProcess::Transport::Tls);
        const quint16 port = server.waitReady();
        QVERIFY2(port != 0, server.log().constData());
        QVERIFY(served(port) != wanted);
        const auto result = run(QStringList{QStringLiteral("tls"), QStringLiteral("import"), bundle,
                                            QStringLiteral("--password-file"), password}
                                + dataArgs());
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QVERIFY2(result.out.contains("served to new connections by the running instance"), result.out.constData());
        QVERIFY(result.out.contains(spkiOf(wanted).toLatin1()));
        QCOMPARE(served(port), wanted);
        QCOMPARE(server.stop(), 0);
    }
    KioskGateProcess again(serverArgs(), QProcessEnvironment::systemEnvironment(), KioskGateProcess::Transport::Tls);
    const quint16 port = again.waitReady();
    QVERIFY2(port != 0, again.log().constData());
    QCOMPARE(served(port), wanted);
}

void TestTlsCommandLine::badImportsAreRefusedWithTheReason()
{
    const QString before = show().value(QStringLiteral("spkiSha256")).toString();
    QVERIFY(!before.isEmpty());

    TlsCertificates::GenerateRequest expiredRequest = TlsCertificates::defaultRequest();
    expiredRequest.notBeforeSecs = 1'600'000'000;
    expiredRequest.notAfterSecs = 1'700'000'000;
    TlsIdentity expired;
    TlsIdentity other;
    QString error;
    QVERIFY(TlsCertificates::generate(expiredRequest, &expired, &error));
    QVERIFY(TlsCertificates::generate(TlsCertificates::defaultRequest(), &other, &error));

    const struct
    {
        QStringList arguments;
        QByteArray error;
    } cases[] = {
        {{writeFile(QStringLiteral("expired.pem"), expired.certificatePem), QStringLiteral("--key"),
          writeFile(QStringLiteral("expired.key"), expired.privateKeyPem)},
         "kioskgate: the certificate expired on 2023-11-14T22:13:20Z\n"},
        {{writeFile(QStringLiteral("other.pem"), other.certificatePem), QStringLiteral("--key"),
          writeFile(QStringLiteral("expired.key"), expired.privateKeyPem)},
         "kioskgate: the private key does not belong to the certificate\n"},
        {{writeFile(QStringLiteral("other.p12"), pkcs12Of(other, "right")), QStringLiteral("--password-file"),
          writeFile(QStringLiteral("wrong.txt"), "wrong\n")},
         "kioskgate: the PKCS#12 password is wrong\n"},
    };
    for (const auto &c : cases) {
        const auto result = run(QStringList{QStringLiteral("tls"), QStringLiteral("import")} + c.arguments + dataArgs());
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(result.err, c.error);
    }
    QCOMPARE(show().value(QStringLiteral("spkiSha256")).toString(), before);
}

void TestTlsCommandLine::regenerateOfflineChangesThePin()
{
    const QString before = show().value(QStringLiteral("spkiSha256")).toString();
    const auto result = run(QStringList{QStringLiteral("tls"), QStringLiteral("regenerate")} + dataArgs());
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QVERIFY(result.out.contains("served from the next start"));
    QVERIFY(result.out.contains("chromium --kiosk"));
    const QString after = show().value(QStringLiteral("spkiSha256")).toString();
    QVERIFY(!after.isEmpty());
    QVERIFY(after != before);
    QVERIFY(result.out.contains(after.toLatin1()));
}

QTEST_GUILESS_MAIN(TestTlsCommandLine)
#include "tst_tlscommandline.moc"
