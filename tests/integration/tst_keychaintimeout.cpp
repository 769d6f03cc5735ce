// KeychainSecretStore against a session bus that accepts connections and
// never answers, like a wedged bus: only the store's timeout ends the call.
//
// A process of its own: GLib caches the session bus connection (a failed one
// too, while anything still refers to it), so the bus address must be set
// before the first keychain call in the process.
#include "KeychainSecretStore.h"

#include <QElapsedTimer>
#include <QLocalServer>
#include <QTemporaryDir>
#include <QTest>

using KioskGate::KeychainSecretStore;

class TestKeychainTimeout : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void probeTimesOutWithAdvice();

private:
    QTemporaryDir m_dir;
    QLocalServer m_silentBus;
};

void TestKeychainTimeout::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Connections are never taken from the queue, so nobody ever answers.
    QVERIFY2(m_silentBus.listen(m_dir.filePath(QStringLiteral("bus"))),
             qPrintable(m_silentBus.errorString()));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + m_silentBus.fullServerName().toUtf8());
}

void TestKeychainTimeout::probeTimesOutWithAdvice()
{
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
    QVERIFY2(error.startsWith(QStringLiteral("No OS keychain is reachable (")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("--insecure-file-secrets")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestKeychainTimeout)
#include "tst_keychaintimeout.moc"
