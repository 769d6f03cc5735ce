// The real executable against the real OS keychain (gnome-keyring in a
// private D-Bus session): the signing key lives in the keychain and survives
// restarts; the command line revokes through the running instance and the
// kiosk is closed with 4403 within a second; key rotation retires tokens;
// keychain trouble stops the start with a message a person can act on.

#include "KeychainSecretStore.h"
#include "KioskClient.h"
#include "KioskGateProcess.h"
#include "TokenRegistry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QWebSocket>
#include <memory>
#include <vector>

class TestCommandLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void keyInKeychainSurvivesRestart();
    void revokeFromTheCommandLineWithinOneSecond();
    void rotateAndRetire();
    void offlineCommandsWorkOnTheRegistry();
    void issueForAFleet();
    void oneInstancePerDataDirectory();
    void keychainUnreachableRefusesToStart();
    void usageErrors();
    void theWindowOpensFromTheCommandLine();
    void aMissingConsoleProgramIsNamed();

private:
    QStringList dataArgs() const { return {QStringLiteral("--data-dir"), m_dir.path()}; }
    QByteArray issue(const QString &kiosk, const QStringList &extra = {});
    QTemporaryDir m_dir;
};

void TestCommandLine::initTestCase()
{
    QVERIFY2(!KioskGateProcess::binary().isEmpty(), "KIOSKGATE_BIN is not set (run through ctest)");
    QVERIFY(m_dir.isValid());
    QString error;
    KioskGate::KeychainSecretStore probe(QStringLiteral("KioskGate"));
    QVERIFY2(probe.probe(&error), qPrintable(error));
}

QByteArray TestCommandLine::issue(const QString &kiosk, const QStringList &extra)
{
    const auto result = KioskGateProcess::run(QStringList{QStringLiteral("token"), QStringLiteral("issue"), kiosk}
                                              + dataArgs() + extra);
    if (result.exitCode != 0)
        qWarning("token issue failed: %s", result.err.constData());
    return result.out.trimmed();
}

void TestCommandLine::keyInKeychainSurvivesRestart()
{
    QByteArray token;
    {
        KioskGateProcess server(dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        const quint16 port = server.waitReady();
        QVERIFY2(port != 0, server.log().constData());
        // Log lines start with the UTC time as Qt::ISODateWithMs writes it.
        static const QRegularExpression line(QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) info [a-z.]+: ready: "),
                                             QRegularExpression::MultilineOption);
        const auto match = line.match(QString::fromUtf8(server.log()));
        QVERIFY2(match.hasMatch(), server.log().constData());
        const QDateTime loggedAt = QDateTime::fromString(match.captured(1), Qt::ISODateWithMs);
        QVERIFY(loggedAt.isValid());
        QCOMPARE(loggedAt.timeSpec(), Qt::UTC);
        QVERIFY2(qAbs(loggedAt.msecsTo(QDateTime::currentDateTimeUtc())) < 60000, qPrintable(match.captured(1)));
        // The program really runs on the allocator it was linked with: a
        // lost link (or one placed after the C library) would fall back to
        // glibc's malloc silently.
#ifdef KIOSKGATE_EXPECT_JEMALLOC
        QVERIFY2(server.log().contains("upgrade threads: 1 - memory allocator: jemalloc"), server.log().constData());
#else
        QVERIFY2(server.log().contains("upgrade threads: 1 - memory allocator: "), server.log().constData());
#endif
        token = issue(QStringLiteral("lobby-1")); // through the control channel
        QCOMPARE(token.count('.'), 2);
        KioskClient kiosk;
        kiosk.open(port, token);
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-1"), 5000);
        QCOMPARE(server.stop(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(kiosk.closeCode, 1001, 5000);
        QVERIFY(server.log().contains("stopped"));
        QVERIFY2(!server.log().contains(token), "the server log holds the token");
    }

    // The key is in the OS keychain under this data directory's instance id.
    KioskGate::TokenRegistry registry;
    QString error;
    QVERIFY(registry.open(m_dir.filePath(QStringLiteral("kioskgate.db")), &error));
    QStringList kids;
    QString current;
    QVERIFY(registry.activeKeyIds(&kids, &current, &error));
    QCOMPARE(kids.size(), 1);
    KioskGate::KeychainSecretStore keychain(QStringLiteral("KioskGate"));
    QByteArray key;
    bool found = false;
    QVERIFY(keychain.read(QStringLiteral("instance/%1/signing-key/%2").arg(registry.instanceId(), current), &key,
                          &found, &error));
    QVERIFY2(found, "signing key not in the keychain");
    QCOMPARE(key.size(), 32);
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("secrets.json"))));

    // A new process verifies the old token with the key from the keychain.
    KioskGateProcess again(dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    const quint16 port = again.waitReady();
    QVERIFY2(port != 0, again.log().constData());
    KioskClient kiosk;
    kiosk.open(port, token);
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-1"), 5000);
}

void TestCommandLine::revokeFromTheCommandLineWithinOneSecond()
{
    KioskGateProcess server(dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    const quint16 port = server.waitReady();
    QVERIFY2(port != 0, server.log().constData());
    const QByteArray token = issue(QStringLiteral("lobby-7"));
    KioskClient kiosk;
    kiosk.open(port, token);
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.kiosk, QStringLiteral("lobby-7"), 5000);

    const auto status = KioskGateProcess::run(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + dataArgs());
    QCOMPARE(status.exitCode, 0);
    const QJsonArray sessions = QJsonDocument::fromJson(status.out).object().value(QStringLiteral("sessions")).toArray();
    bool listed = false;
    for (const QJsonValue &s : sessions)
        listed |= s.toObject().value(QStringLiteral("kiosk")).toString() == QLatin1String("lobby-7");
    QVERIFY2(listed, status.out.constData());

    // The CLI runs asynchronously so this thread's event loop sees the close.
    QProcess revoke;
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    revoke.start(KioskGateProcess::binary(),
                 QStringList{QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("lobby-7")} + dataArgs());
    QTRY_COMPARE_WITH_TIMEOUT(kiosk.closeCode, 4403, 1000);
    const qint64 latency = kiosk.closedAtMs - start;
    qInfo("4403 arrived %lld ms after `kioskgate token revoke` started", latency);
    QVERIFY(latency < 1000);
    QVERIFY(revoke.state() == QProcess::NotRunning || revoke.waitForFinished(10000));
    QCOMPARE(revoke.exitCode(), 0);
    QVERIFY2(revoke.readAllStandardOutput().contains("Closed 1 live session"), "revoke did not report the session");

    KioskClient again;
    again.open(port, token);
    QTRY_VERIFY_WITH_TIMEOUT(again.socket.error() != QAbstractSocket::UnknownSocketError || again.closeCode != -1, 5000);
    QVERIFY(again.kiosk.isEmpty());
    // Logged as the 401 goes out, through the log's own thread and the pipe:
    // the kiosk may hear of it first.
    QTRY_VERIFY_WITH_TIMEOUT(server.log().contains("refused 401 revoked_token"), 5000);
}

void TestCommandLine::rotateAndRetire()
{
    KioskGateProcess server(dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    const quint16 port = server.waitReady();
    QVERIFY2(port != 0, server.log().constData());
    const QByteArray before = issue(QStringLiteral("old-kiosk"));
    auto rotated = KioskGateProcess::run(QStringList{QStringLiteral("keys"), QStringLiteral("rotate")} + dataArgs());
    QCOMPARE(rotated.exitCode, 0);
    const QByteArray after = issue(QStringLiteral("new-kiosk"));
    KioskClient oldKiosk;
    KioskClient newKiosk;
    oldKiosk.open(port, before);
    newKiosk.open(port, after);
    QTRY_COMPARE_WITH_TIMEOUT(oldKiosk.kiosk, QStringLiteral("old-kiosk"), 5000); // older key still verifies
    QTRY_COMPARE_WITH_TIMEOUT(newKiosk.kiosk, QStringLiteral("new-kiosk"), 5000);

    rotated = KioskGateProcess::run(QStringList{QStringLiteral("keys"), QStringLiteral("rotate"), QStringLiteral("--retire-old")}
                                    + dataArgs());
    QCOMPARE(rotated.exitCode, 0);
    QVERIFY2(rotated.out.contains("live session(s) closed"), rotated.out.constData());
    QTRY_COMPARE_WITH_TIMEOUT(oldKiosk.closeCode, 4403, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(newKiosk.closeCode, 4403, 2000);
    QCOMPARE(issue(QStringLiteral("fresh")).count('.'), 2);
}

void TestCommandLine::offlineCommandsWorkOnTheRegistry()
{
    QTemporaryDir dir;
    const QStringList args{QStringLiteral("--data-dir"), dir.path()};
    const auto issued = KioskGateProcess::run(QStringList{QStringLiteral("token"), QStringLiteral("issue"),
                                                          QStringLiteral("hall-2"), QStringLiteral("--expires"),
                                                          QStringLiteral("30d"), QStringLiteral("--origin"),
                                                          QStringLiteral("https://kiosk.example"), QStringLiteral("--json")}
                                              + args);
    QCOMPARE(issued.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(issued.out).object();
    QCOMPARE(json.value(QStringLiteral("kiosk")).toString(), QStringLiteral("hall-2"));
    QCOMPARE(json.value(QStringLiteral("origins")).toArray().at(0).toString(), QStringLiteral("https://kiosk.example"));
    QVERIFY(!json.value(QStringLiteral("expires")).isNull());
    const QString token = json.value(QStringLiteral("token")).toString();
    QCOMPARE(token.count(QLatin1Char('.')), 2);

    const auto list = KioskGateProcess::run(QStringList{QStringLiteral("token"), QStringLiteral("list")} + args);
    QCOMPARE(list.exitCode, 0);
    QVERIFY(list.out.contains("hall-2"));
    QVERIFY(list.out.contains("active"));
    QVERIFY2(!list.out.contains(token.toLatin1()), "token list shows the token");

    const auto revoke = KioskGateProcess::run(QStringList{QStringLiteral("token"), QStringLiteral("revoke"),
                                                          json.value(QStringLiteral("jti")).toString()} + args);
    QVERIFY2(revoke.exitCode == 0, revoke.err.constData());
    QVERIFY(KioskGateProcess::run(QStringList{QStringLiteral("token"), QStringLiteral("list")} + args).out.contains("revoked"));
    const auto twice = KioskGateProcess::run(QStringList{QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("hall-2")} + args);
    QCOMPARE(twice.exitCode, 1);
    QVERIFY2(twice.err.contains("no active token"), twice.err.constData());

    const auto status = KioskGateProcess::run(QStringList{QStringLiteral("status")} + args);
    QCOMPARE(status.exitCode, 3);
    QVERIFY(status.out.contains("No KioskGate instance is running"));
}

void TestCommandLine::issueForAFleet()
{
    QTemporaryDir dir;
    const QStringList args { QStringLiteral("--data-dir"), dir.path() };
    auto run = [&](const QStringList &command) { return KioskGateProcess::run(command + args); };
    const QStringList issue { QStringLiteral("token"), QStringLiteral("issue") };
    auto listed = [&] { return run({ QStringLiteral("token"), QStringLiteral("list") }).out; };

    // A bad or repeated name anywhere in the list: nothing issued at all.
    const auto bad = run(issue
                         + QStringList { QStringLiteral("hall-1"), QStringLiteral("bad name"),
                                         QStringLiteral("hall-2") });
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("\"bad name\" is not a kiosk name")
                 && bad.err.contains("no token issued"),
             bad.err.constData());
    const auto twice
        = run(issue + QStringList { QStringLiteral("hall-1"), QStringLiteral("hall-1") });
    QCOMPARE(twice.exitCode, 2);
    QVERIFY2(twice.err.contains("named twice"), twice.err.constData());
    QVERIFY(!listed().contains("hall-1"));

    // Without a running instance: "NAME TOKEN" lines, in the order named.
    const auto offline = run(issue
                             + QStringList { QStringLiteral("hall-1"), QStringLiteral("hall-2"),
                                             QStringLiteral("hall-3") });
    QVERIFY2(offline.exitCode == 0, offline.err.constData());
    QVERIFY2(offline.err.contains("3 tokens issued"), offline.err.constData());
    const QList<QByteArray> lines = offline.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QHash<QString, QByteArray> tokenOf;
    for (int i = 0; i < lines.size(); ++i) {
        const QList<QByteArray> words = lines[i].split(' ');
        QCOMPARE(words.size(), 2);
        QCOMPARE(words[0], QByteArray("hall-") + QByteArray::number(i + 1));
        QCOMPARE(words[1].count('.'), 2);
        tokenOf.insert(QString::fromLatin1(words[0]), words[1]);
    }
    QCOMPARE(QString::fromUtf8(listed()).count(QStringLiteral(" active ")), 3);

    // Through a running instance, as JSON lines; every token lets its kiosk in.
    KioskGateProcess server(
        args + QStringList { QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    const quint16 port = server.waitReady();
    QVERIFY2(port != 0, server.log().constData());
    const auto online = run(issue
                            + QStringList { QStringLiteral("hall-4"), QStringLiteral("hall-5"),
                                            QStringLiteral("--json") });
    QVERIFY2(online.exitCode == 0, online.err.constData());
    const QList<QByteArray> objects = online.out.trimmed().split('\n');
    QCOMPARE(objects.size(), 2);
    for (const QByteArray &line : objects) {
        const QJsonObject json = QJsonDocument::fromJson(line).object();
        QVERIFY2(!json.contains(QStringLiteral("ok")), line.constData());
        tokenOf.insert(json.value(QStringLiteral("kiosk")).toString(),
                       json.value(QStringLiteral("token")).toString().toLatin1());
    }
    QCOMPARE(tokenOf.size(), 5);
    std::vector<std::unique_ptr<KioskClient>> kiosks;
    for (auto it = tokenOf.cbegin(); it != tokenOf.cend(); ++it) {
        kiosks.push_back(std::make_unique<KioskClient>());
        kiosks.back()->open(port, it.value());
        QTRY_COMPARE_WITH_TIMEOUT(kiosks.back()->kiosk, it.key(), 5000);
    }
}

void TestCommandLine::oneInstancePerDataDirectory()
{
    KioskGateProcess first(dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(first.waitReady() != 0);
    KioskGateProcess second(dataArgs() + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(second.waitExit(10000));
    QCOMPARE(second.exitCode(), 1);
    QVERIFY2(second.log().contains("another KioskGate instance"), second.log().constData());
}

void TestCommandLine::keychainUnreachableRefusesToStart()
{
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/bus"));
    KioskGateProcess server({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                             QStringLiteral("127.0.0.1:0")},
                            env);
    QVERIFY(server.waitExit(15000));
    QCOMPARE(server.exitCode(), 1);
    QVERIFY2(server.log().contains("No OS keychain is reachable"), server.log().constData());
    QVERIFY2(server.log().contains("--insecure-file-secrets"), server.log().constData());
    QVERIFY(!server.log().contains("ready:"));

    // With the explicit flag it runs, and says where the secrets are.
    KioskGateProcess fileBacked({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                                 QStringLiteral("127.0.0.1:0"), QStringLiteral("--insecure-file-secrets")},
                                env);
    QVERIFY2(fileBacked.waitReady() != 0, fileBacked.log().constData());
    QVERIFY(fileBacked.log().contains("secrets are kept in the plain file"));
}

void TestCommandLine::usageErrors()
{
    QCOMPARE(KioskGateProcess::run({QStringLiteral("token"), QStringLiteral("issue")}).exitCode, 2);
    QCOMPARE(KioskGateProcess::run({QStringLiteral("token"), QStringLiteral("issue"), QStringLiteral("x"),
                                    QStringLiteral("--expires"), QStringLiteral("soon")}).exitCode, 2);
    const auto listen = KioskGateProcess::run({QStringLiteral("--headless"), QStringLiteral("--listen"),
                                               QStringLiteral("nowhere"), QStringLiteral("--data-dir"), m_dir.path()});
    QCOMPARE(listen.exitCode, 1);
    QVERIFY2(listen.out.contains("--listen"), listen.out.constData());
    const auto origin = KioskGateProcess::run({QStringLiteral("--headless"), QStringLiteral("--allow-origin"),
                                               QStringLiteral("https://kiosk.example/"), QStringLiteral("--data-dir"),
                                               m_dir.path()});
    QCOMPARE(origin.exitCode, 1);
    QVERIFY2(origin.out.contains("invalid origin"), origin.out.constData());
    QCOMPARE(KioskGateProcess::run({QStringLiteral("--version")}).out.trimmed(), QByteArray("KioskGate " KIOSKGATE_VERSION));

    // No display: the window cannot open, and Qt would abort; the command
    // says so and points to --headless instead.
    QProcessEnvironment noDisplay = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        noDisplay.remove(QString::fromLatin1(name));
    const auto window = KioskGateProcess::run({QStringLiteral("--data-dir"), m_dir.path()}, noDisplay);
    QCOMPARE(window.exitCode, 2);
    QVERIFY2(window.err.contains("--headless"), window.err.constData());
}

void TestCommandLine::theWindowOpensFromTheCommandLine()
{
    // No command: the console window (offscreen here), in this very process
    // where the window has a program of its own: kioskgate replaces itself
    // with it, keeping its arguments.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    KioskGateProcess console({ QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                               QStringLiteral("127.0.0.1:0") },
                             QProcessEnvironment::systemEnvironment(),
                             KioskGateProcess::Transport::Plain, KioskGateProcess::Mode::Window);
    QVERIFY2(console.waitReady(20000) != 0, console.log().constData());
#ifdef Q_OS_LINUX
    const QString program
        = QFileInfo(QStringLiteral("/proc/%1/exe").arg(console.processId())).symLinkTarget();
#ifdef KIOSKGATE_SEPARATE_CONSOLE
    QCOMPARE(QFileInfo(program).fileName(), QStringLiteral("kioskgate-console"));
#else
    QCOMPARE(QFileInfo(program).canonicalFilePath(),
             QFileInfo(KioskGateProcess::binary()).canonicalFilePath());
#endif
#endif
    // The other commands find the instance the window runs, whichever
    // program holds the data directory's lock.
    const auto status = KioskGateProcess::run(
        { QStringLiteral("status"), QStringLiteral("--data-dir"), dir.path() });
    QCOMPARE(status.exitCode, 0);
    QVERIFY2(status.out.contains("is serving ws://127.0.0.1:"), status.out.constData());
    console.kill();
}

void TestCommandLine::aMissingConsoleProgramIsNamed()
{
#ifndef KIOSKGATE_SEPARATE_CONSOLE
    QSKIP("the window is in kioskgate itself in this build");
#else
    // kioskgate copied where no console program is: every command works, and
    // asking for the window says what is missing and what to run instead.
    QTemporaryDir alone;
    QVERIFY(alone.isValid());
    const QString copy = alone.filePath(QStringLiteral("kioskgate"));
    QVERIFY(QFile::copy(KioskGateProcess::binary(), copy));
    QVERIFY(QFile::setPermissions(copy, QFile::permissions(copy) | QFileDevice::ExeOwner));

    QProcess process;
    process.start(copy, { QStringLiteral("--version") });
    QVERIFY(process.waitForFinished());
    QCOMPARE(process.readAllStandardOutput().trimmed(), QByteArray("KioskGate " KIOSKGATE_VERSION));

    process.start(copy, { QStringLiteral("--data-dir"), m_dir.path() });
    QVERIFY(process.waitForFinished());
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitCode(), 1);
    QVERIFY2(err.contains("kioskgate-console") && err.contains(alone.path().toUtf8())
                 && err.contains("--headless"),
             err.constData());
#endif
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
