// The control channel as `kioskgate reset-all` uses it, against a real local
// socket: a command that waits on the network thread is answered when the
// network thread answers, and the thread serving the channel (the console
// window's) keeps running meanwhile. Requests that need no network thread
// are answered at once.
#include "AdminService.h"
#include "Clock.h"
#include "CommandRecord.h"
#include "ControlServer.h"

#include <QJsonArray>
#include <QPointer>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <memory>
#include <thread>

using namespace KioskGate;

namespace {

// What the network thread would hand back: held until the test releases it,
// delivered only while the caller's context lives (KioskServer's contract).
struct HeldReply
{
    QPointer<QObject> context;
    std::function<void(const CommandRecord &, const QString &)> done;
    QString asked; // the command name or id asked for

    bool waiting() const { return bool(done); }
    void release(const CommandRecord &record, const QString &error = {})
    {
        if (context)
            done(record, error);
        done = nullptr;
    }
};

CommandRecord recordNamed(const QString &id)
{
    CommandRecord record;
    record.id = id;
    record.name = QStringLiteral("reset");
    record.issuer = QStringLiteral("test");
    record.issuedAtMs = 1'700'000'000'000;
    record.expiresAtMs = record.issuedAtMs + 300'000;
    record.allKiosks = true;
    record.targets.append(
        { QStringLiteral("lobby-1"), CommandState::Sent, record.issuedAtMs, QString() });
    record.recount();
    return record;
}

// What `kioskgate reset-all` sends.
QJsonObject resetAll()
{
    return { { QStringLiteral("command"), QStringLiteral("command.issue") },
             { QStringLiteral("name"), QStringLiteral("reset") },
             { QStringLiteral("kiosks"), QJsonArray() },
             { QStringLiteral("issuer"), QStringLiteral("test") } };
}

// One request from another thread, as the command-line tool sends it.
class ClientThread
{
public:
    ClientThread(const QString &name, const QJsonObject &request, int timeoutMs = 30000)
        : m_thread([this, name, request, timeoutMs] {
              m_ok = ControlClient::request(name, request, &m_answer, &m_error, timeoutMs);
              m_finished.store(true);
          })
    { }
    ~ClientThread() { m_thread.join(); }
    bool finished() const { return m_finished.load(); }
    // Valid once finished() (the store above happens after these writes).
    bool ok() const { return m_ok; }
    QJsonObject answer() const { return m_answer; }
    QString error() const { return m_error; }

private:
    bool m_ok = false;
    QJsonObject m_answer;
    QString m_error;
    std::atomic<bool> m_finished { false };
    std::thread m_thread;
};

} // namespace

class TestControlChannel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        // Command requests touch no registry, token service or key store.
        m_admin = std::make_unique<AdminService>(nullptr, nullptr, nullptr, &m_clock);
        AdminService::CommandHooks hooks;
        hooks.issueAsync
            = [this](const QString &name, const QStringList &, const QString &, QObject *context,
                     std::function<void(const CommandRecord &, const QString &)> done) {
                  m_held = { context, std::move(done), name };
              };
        hooks.getAsync = [this](const QString &id, QObject *context,
                                std::function<void(const CommandRecord &, const QString &)> done) {
            m_held = { context, std::move(done), id };
        };
        m_admin->setCommandHooks(hooks);
        m_admin->setStatusSource([] {
            return QJsonObject { { QStringLiteral("running"), true } };
        });
        AdminService *admin = m_admin.get();
        m_control = std::make_unique<ControlServer>(
            [admin](const QJsonObject &request, QObject *context,
                    std::function<void(const QJsonObject &)> answer) {
                admin->handleAsync(request, context, std::move(answer));
            });
        QString error;
        QVERIFY2(m_control->listen(m_dir.filePath(QStringLiteral("control.sock")), &error),
                 qPrintable(error));
        m_held = {};
        m_heldStatus = {};
    }

    void cleanup()
    {
        m_control.reset();
        m_admin.reset();
    }

    void issueIsAnsweredWhenTheNetworkThreadAnswers()
    {
        ClientThread client(m_control->fullServerName(), resetAll());
        // This thread's event loop runs while the command is out: it takes
        // the request and keeps serving events.
        QTRY_VERIFY_WITH_TIMEOUT(m_held.waiting(), 10000);
        QCOMPARE(m_held.asked, QStringLiteral("reset"));
        QTest::qWait(200);
        QVERIFY2(!client.finished(), "answered before the network thread did");

        m_held.release(recordNamed(QStringLiteral("c0ffee0123456789")));
        QTRY_VERIFY_WITH_TIMEOUT(client.finished(), 10000);
        QVERIFY2(client.ok(), qPrintable(client.error()));
        QCOMPARE(client.answer().value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(client.answer()
                     .value(QStringLiteral("command"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
                 QStringLiteral("c0ffee0123456789"));
        // Asked without "targets": the list comes along.
        QVERIFY(client.answer()
                    .value(QStringLiteral("command"))
                    .toObject()
                    .contains(QStringLiteral("targets")));
    }

    void issueAnswersWithCountsWhenAsked()
    {
        // `kioskgate reset-all` asks so: a fleet's list is 10,000 entries.
        QJsonObject request = resetAll();
        request.insert(QStringLiteral("targets"), false);
        ClientThread client(m_control->fullServerName(), request);
        QTRY_VERIFY_WITH_TIMEOUT(m_held.waiting(), 10000);
        m_held.release(recordNamed(QStringLiteral("c0ffee0123456789")));
        QTRY_VERIFY_WITH_TIMEOUT(client.finished(), 10000);
        const QJsonObject command = client.answer().value(QStringLiteral("command")).toObject();
        QCOMPARE(command.value(QStringLiteral("id")).toString(),
                 QStringLiteral("c0ffee0123456789"));
        QCOMPARE(
            command.value(QStringLiteral("counts")).toObject().value(CommandState::Sent).toInt(),
            1);
        QVERIFY2(!command.contains(QStringLiteral("targets")), "asked for counts only");
    }

    void issueFailureIsAnsweredWithTheReason()
    {
        ClientThread client(m_control->fullServerName(), resetAll());
        QTRY_VERIFY_WITH_TIMEOUT(m_held.waiting(), 10000);
        m_held.release(CommandRecord(), QStringLiteral("there are no kiosks to command"));
        QTRY_VERIFY_WITH_TIMEOUT(client.finished(), 10000);
        QCOMPARE(client.answer().value(QStringLiteral("ok")).toBool(), false);
        QVERIFY(client.answer()
                    .value(QStringLiteral("error"))
                    .toString()
                    .contains(QStringLiteral("no kiosks")));
    }

    void getIsAnsweredWhenTheNetworkThreadAnswers()
    {
        // `kioskgate reset-all --wait` polls with command.get.
        ClientThread client(m_control->fullServerName(),
                            { { QStringLiteral("command"), QStringLiteral("command.get") },
                              { QStringLiteral("id"), QStringLiteral("c0ffee0123456789") },
                              { QStringLiteral("targets"), false } });
        QTRY_VERIFY_WITH_TIMEOUT(m_held.waiting(), 10000);
        QCOMPARE(m_held.asked, QStringLiteral("c0ffee0123456789"));
        QTest::qWait(200);
        QVERIFY(!client.finished());
        m_held.release(recordNamed(QStringLiteral("c0ffee0123456789")));
        QTRY_VERIFY_WITH_TIMEOUT(client.finished(), 10000);
        const QJsonObject command = client.answer().value(QStringLiteral("command")).toObject();
        QCOMPARE(command.value(QStringLiteral("id")).toString(),
                 QStringLiteral("c0ffee0123456789"));
        QVERIFY2(!command.contains(QStringLiteral("targets")), "asked for counts only");
    }

    void getOfAnUnknownCommandSaysSo()
    {
        ClientThread client(m_control->fullServerName(),
                            { { QStringLiteral("command"), QStringLiteral("command.get") },
                              { QStringLiteral("id"), QStringLiteral("feedfacefeedface") } });
        QTRY_VERIFY_WITH_TIMEOUT(m_held.waiting(), 10000);
        m_held.release(CommandRecord(),
                       QStringLiteral("command feedfacefeedface is no longer kept"));
        QTRY_VERIFY_WITH_TIMEOUT(client.finished(), 10000);
        QCOMPARE(client.answer().value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(client.answer().value(QStringLiteral("error")).toString(),
                 QStringLiteral("no command has the id \"feedfacefeedface\""));
    }

    void otherRequestsAreAnsweredAtOnce()
    {
        ClientThread status(m_control->fullServerName(),
                            { { QStringLiteral("command"), QStringLiteral("status") } });
        QTRY_VERIFY_WITH_TIMEOUT(status.finished(), 10000);
        QCOMPARE(status.answer().value(QStringLiteral("running")).toBool(), true);
        QVERIFY(!m_held.waiting());

        ClientThread noId(m_control->fullServerName(),
                          { { QStringLiteral("command"), QStringLiteral("command.get") } });
        QTRY_VERIFY_WITH_TIMEOUT(noId.finished(), 10000);
        QCOMPARE(noId.answer().value(QStringLiteral("ok")).toBool(), false);
        QVERIFY2(!m_held.waiting(), "a request without an id never reaches the network thread");
    }

    void clientGoneBeforeTheAnswer()
    {
        // The tool gives up (timeout, Ctrl-C) while the fan-out runs: the
        // answer finds no connection and is dropped; the channel still serves.
        {
            ClientThread impatient(m_control->fullServerName(), resetAll(), 300);
            QTRY_VERIFY_WITH_TIMEOUT(impatient.finished(), 10000);
            QVERIFY(!impatient.ok());
        }
        QVERIFY(m_held.waiting());
        QTRY_VERIFY_WITH_TIMEOUT(m_held.context.isNull(), 10000);
        m_held.release(recordNamed(QStringLiteral("c0ffee0123456789")));

        ClientThread next(m_control->fullServerName(),
                          { { QStringLiteral("command"), QStringLiteral("status") } });
        QTRY_VERIFY_WITH_TIMEOUT(next.finished(), 10000);
        QVERIFY(next.ok());
    }

private:
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::unique_ptr<AdminService> m_admin;
    std::unique_ptr<ControlServer> m_control;
    HeldReply m_held;
    struct
    {
        QPointer<QObject> context;
        AdminService::StatusDone done;
    } m_heldStatus;
};

QTEST_GUILESS_MAIN(TestControlChannel)
#include "tst_controlchannel.moc"
