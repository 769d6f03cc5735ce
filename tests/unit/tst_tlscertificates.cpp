// Certificate generation and the checks every imported certificate passes:
// real OpenSSL, real PEM and PKCS#12 encodings.

#include "../integration/Pkcs12Maker.h"
#include "TlsCertificates.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSslCertificate>
#include <QSslKey>
#include <QtTest>

using namespace KioskGate;

namespace {

TlsIdentity make(const TlsCertificates::GenerateRequest &request)
{
    TlsIdentity identity;
    QString error;
    if (!TlsCertificates::generate(request, &identity, &error))
        qWarning("generate failed: %s", qPrintable(error));
    return identity;
}

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

} // namespace

class TestTlsCertificates : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void generatedCertificateIsAServerCertificate();
    void serialsAreRandom();
    void expiredAndNotYetValidAreRefused();
    void mismatchedKeyIsRefused();
    void clientOnlyCertificateIsRefused();
    void pemImportKeepsTheChainAndAcceptsACombinedFile();
    void pkcs12RoundTripAndWrongPassword();
    void garbageIsRefusedWithAReason();
    void factsJsonCarriesThePinningLines();
};

void TestTlsCertificates::generatedCertificateIsAServerCertificate()
{
    TlsCertificates::GenerateRequest request = TlsCertificates::defaultRequest();
    QVERIFY(request.hostNames.contains(QStringLiteral("localhost")));
    QVERIFY(request.addresses.contains(QHostAddress(QHostAddress::LocalHost)));
    QVERIFY(request.addresses.contains(QHostAddress(QHostAddress::LocalHostIPv6)));
    request.addresses.append(QHostAddress(QStringLiteral("192.168.10.20")));
    const TlsIdentity identity = make(request);
    QVERIFY(!identity.isNull());
    QVERIFY(identity.privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY2(identity.privateKeyPem.size() < 400, "a P-256 key stays far below the Windows keychain limit");

    TlsFacts facts;
    QString error;
    QVERIFY2(TlsCertificates::validate(identity, now(), &facts, &error), qPrintable(error));
    QCOMPARE(facts.keyType, QStringLiteral("EC prime256v1"));
    QVERIFY(facts.selfSigned);
    QVERIFY(facts.subjectAltNames.contains(QStringLiteral("DNS:localhost")));
    QVERIFY(facts.subjectAltNames.contains(QStringLiteral("IP:127.0.0.1")));
    QVERIFY(facts.subjectAltNames.contains(QStringLiteral("IP:::1")));
    QVERIFY(facts.subjectAltNames.contains(QStringLiteral("IP:192.168.10.20")));
    const qint64 lifetime = facts.notAfterSecs - facts.notBeforeSecs;
    QVERIFY2(lifetime <= 825 * 86400 + 3600 && lifetime >= 824 * 86400, qPrintable(QString::number(lifetime)));

    // The facts agree with what Qt computes from the same certificate.
    const QSslCertificate qtCert(identity.certificatePem, QSsl::Pem);
    QCOMPARE(facts.sha256Fingerprint,
             QString::fromLatin1(qtCert.digest(QCryptographicHash::Sha256).toHex(':').toUpper()));
    const QByteArray spkiDer = QByteArray::fromBase64(facts.spkiSha256.toLatin1());
    QCOMPARE(spkiDer.size(), 32);
    QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(qtCert.publicKey().toDer(), QCryptographicHash::Sha256).toBase64()),
             facts.spkiSha256);
}

void TestTlsCertificates::serialsAreRandom()
{
    const TlsIdentity a = make(TlsCertificates::defaultRequest());
    const TlsIdentity b = make(TlsCertificates::defaultRequest());
    const QByteArray serialA = QSslCertificate(a.certificatePem).serialNumber();
    const QByteArray serialB = QSslCertificate(b.certificatePem).serialNumber();
    QVERIFY(serialA.size() >= 40); // 16 bytes, hex with colons
    QVERIFY(serialA != serialB);
    QVERIFY(a.privateKeyPem != b.privateKeyPem);
}

void TestTlsCertificates::expiredAndNotYetValidAreRefused()
{
    TlsCertificates::GenerateRequest request = TlsCertificates::defaultRequest();
    request.notBeforeSecs = 1'600'000'000; // 2020-09-13T12:26:40Z
    request.notAfterSecs = 1'700'000'000;  // 2023-11-14T22:13:20Z
    QString error;
    QVERIFY(!TlsCertificates::validate(make(request), now(), nullptr, &error));
    QCOMPARE(error, QStringLiteral("the certificate expired on 2023-11-14T22:13:20Z"));

    request.notBeforeSecs = 4'000'000'000; // 2096-10-02T07:06:40Z
    request.notAfterSecs = 4'100'000'000;
    QVERIFY(!TlsCertificates::validate(make(request), now(), nullptr, &error));
    QCOMPARE(error, QStringLiteral("the certificate is not valid yet (not before 2096-10-02T07:06:40Z)"));
}

void TestTlsCertificates::mismatchedKeyIsRefused()
{
    const TlsIdentity a = make(TlsCertificates::defaultRequest());
    const TlsIdentity b = make(TlsCertificates::defaultRequest());
    TlsIdentity mixed;
    QString error;
    QVERIFY2(TlsCertificates::fromPem(a.certificatePem, b.privateKeyPem, &mixed, &error), qPrintable(error));
    QVERIFY(!TlsCertificates::validate(mixed, now(), nullptr, &error));
    QCOMPARE(error, QStringLiteral("the private key does not belong to the certificate"));
}

void TestTlsCertificates::clientOnlyCertificateIsRefused()
{
    TlsCertificates::GenerateRequest request = TlsCertificates::defaultRequest();
    request.serverAuth = false;
    QString error;
    QVERIFY(!TlsCertificates::validate(make(request), now(), nullptr, &error));
    QCOMPARE(error, QStringLiteral("the certificate is not for TLS servers: its extended key usage does not "
                                   "include serverAuth"));
}

void TestTlsCertificates::pemImportKeepsTheChainAndAcceptsACombinedFile()
{
    const TlsIdentity leaf = make(TlsCertificates::defaultRequest());
    const TlsIdentity other = make(TlsCertificates::defaultRequest());
    TlsIdentity imported;
    QString error;
    QVERIFY2(TlsCertificates::fromPem(leaf.certificatePem + other.certificatePem, leaf.privateKeyPem, &imported, &error),
             qPrintable(error));
    QCOMPARE(QSslCertificate::fromData(imported.certificatePem).size(), 2);
    QVERIFY2(TlsCertificates::validate(imported, now(), nullptr, &error), qPrintable(error));

    TlsIdentity combined;
    QVERIFY2(TlsCertificates::fromPem(leaf.privateKeyPem + leaf.certificatePem, {}, &combined, &error), qPrintable(error));
    QCOMPARE(combined.certificatePem, leaf.certificatePem);
    QVERIFY(TlsCertificates::validate(combined, now(), nullptr, &error));
}

void TestTlsCertificates::pkcs12RoundTripAndWrongPassword()
{
    const TlsIdentity original = make(TlsCertificates::defaultRequest());
    const QByteArray p12 = pkcs12Of(original, "s3cret pass");
    QVERIFY(!p12.isEmpty());
    TlsIdentity imported;
    QString error;
    QVERIFY2(TlsCertificates::fromPkcs12(p12, "s3cret pass", &imported, &error), qPrintable(error));
    QCOMPARE(imported.certificatePem, original.certificatePem);
    TlsFacts a;
    TlsFacts b;
    QVERIFY(TlsCertificates::validate(original, now(), &a, &error));
    QVERIFY(TlsCertificates::validate(imported, now(), &b, &error));
    QCOMPARE(b.spkiSha256, a.spkiSha256);

    QVERIFY(!TlsCertificates::fromPkcs12(p12, "wrong", &imported, &error));
    QCOMPARE(error, QStringLiteral("the PKCS#12 password is wrong"));
}

void TestTlsCertificates::garbageIsRefusedWithAReason()
{
    TlsIdentity identity;
    QString error;
    QVERIFY(!TlsCertificates::fromPkcs12("not a bundle", "pw", &identity, &error));
    QCOMPARE(error, QStringLiteral("the file is not a PKCS#12 (.p12/.pfx) file"));
    QVERIFY(!TlsCertificates::fromPem("hello", "world", &identity, &error));
    QVERIFY(error.startsWith(QStringLiteral("no PEM certificate found")));
    const TlsIdentity good = make(TlsCertificates::defaultRequest());
    QVERIFY(!TlsCertificates::fromPem(good.certificatePem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                                      &identity, &error));
    QVERIFY2(error.startsWith(QStringLiteral("the private key is encrypted")), qPrintable(error));
}

void TestTlsCertificates::factsJsonCarriesThePinningLines()
{
    TlsFacts facts;
    QString error;
    QVERIFY(TlsCertificates::validate(make(TlsCertificates::defaultRequest()), now(), &facts, &error));
    const QJsonObject json = facts.toJson(QStringLiteral("https://kiosk.example/"),
                                          QStringLiteral("wss://10.0.0.5:8765/v1/kiosk"));
    QCOMPARE(json.value(QStringLiteral("spkiSha256")).toString(), facts.spkiSha256);
    QCOMPARE(json.value(QStringLiteral("chromiumCommandLine")).toString(),
             QStringLiteral("chromium --kiosk --user-data-dir=/var/lib/kioskgate-kiosk "
                            "--ignore-certificate-errors-spki-list=")
                 + facts.spkiSha256 + QStringLiteral(" https://kiosk.example/"));
    QVERIFY(json.value(QStringLiteral("nodeWsExample")).toString().contains(QStringLiteral("wss://10.0.0.5:8765/v1/kiosk")));
    QVERIFY(json.value(QStringLiteral("subjectAltNames")).toArray().contains(QStringLiteral("DNS:localhost")));
    QVERIFY(json.value(QStringLiteral("notAfter")).toString().endsWith(QLatin1Char('Z')));
}

QTEST_GUILESS_MAIN(TestTlsCertificates)
#include "tst_tlscertificates.moc"
