// The failure path of KeychainSecretStore, with no keychain to talk to. CTest
// runs this with DBUS_SESSION_BUS_ADDRESS pointing at a socket that does not
// exist (see CMakeLists.txt), never inside tests/with-keyring.sh. A bus that
// never answers is tst_keychaintimeout's case.
#include "KeychainSecretStore.h"

#include <QElapsedTimer>
#include <QTest>

using KioskGate::KeychainSecretStore;

class TestKeychainUnreachable : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void probeFailsFastWithAdvice();
    void callsFailInsteadOfReportingMissing();
};

void TestKeychainUnreachable::initTestCase()
{
    // Guard against running this against a real bus by mistake.
    QCOMPARE(qgetenv("DBUS_SESSION_BUS_ADDRESS"), QByteArray("unix:path=/nonexistent/bus"));
}

void TestKeychainUnreachable::probeFailsFastWithAdvice()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!store.probe(&error));
    qInfo("probe failed after %lld ms: %s", static_cast<long long>(timer.elapsed()),
          qPrintable(error));
    QVERIFY(timer.elapsed() < KeychainSecretStore::defaultTimeoutMs);
    QVERIFY2(error.startsWith(QStringLiteral("No OS keychain is reachable (")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("--insecure-file-secrets")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("gnome-keyring or KWallet")), qPrintable(error));
}

void TestKeychainUnreachable::callsFailInsteadOfReportingMissing()
{
    KeychainSecretStore store(QStringLiteral("KioskGateTest"));
    QString error;
    QByteArray value;
    bool found = true;
    // An unreachable keychain must not look like an empty one, or the console
    // would generate a new signing key and invalidate every kiosk token.
    QVERIFY(!store.read(QStringLiteral("signing-key"), &value, &found, &error));
    QVERIFY(!found);
    QVERIFY2(error.contains(QStringLiteral("signing-key")), qPrintable(error));
    error.clear();
    QVERIFY(!store.write(QStringLiteral("signing-key"), QByteArray("v"), &error));
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!store.remove(QStringLiteral("signing-key"), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(TestKeychainUnreachable)
#include "tst_keychainunreachable.moc"
