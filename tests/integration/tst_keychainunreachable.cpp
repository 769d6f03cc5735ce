// The failure path of KeychainSecretStore, with no keychain to talk to. CTest
// runs this with DBUS_SESSION_BUS_ADDRESS pointing at a socket that does not
// exist (see CMakeLists.txt), never inside tests/with-keyring.sh.
#include "KeychainSecretStore.h"

#include <QElapsedTimer>
#include <QLocalServer>
#include <QTemporaryDir>
#include <QTest>

using KioskGate::KeychainSecretStore;

class TestKeychainUnreachable : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void probeFailsFastWithAdvice();
    void callsFailInsteadOfReportingMissing();
    // Last: the job it abandons stays queued in QtKeychain for good.
    void silentBusTimesOut();
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

void TestKeychainUnreachable::silentBusTimesOut()
{
    // A "bus" that accepts connections and never answers, like a wedged
    // session bus: only the timeout can end the call.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QLocalServer silentBus;
    QVERIFY2(silentBus.listen(dir.filePath(QStringLiteral("bus"))),
             qPrintable(silentBus.errorString()));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + silentBus.fullServerName().toUtf8());

    const int timeoutMs = 1'000;
    KeychainSecretStore store(QStringLiteral("KioskGateTest"), timeoutMs);
    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!store.probe(&error));
    const qint64 elapsed = timer.elapsed();
    qInfo("probe failed after %lld ms: %s", static_cast<long long>(elapsed), qPrintable(error));
    QVERIFY(elapsed >= timeoutMs * 9 / 10); // QTimer may fire up to 5 % early
    QVERIFY(elapsed < 5LL * timeoutMs);
    QVERIFY2(error.contains(QStringLiteral("no answer within 1 s")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("--insecure-file-secrets")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestKeychainUnreachable)
#include "tst_keychainunreachable.moc"
