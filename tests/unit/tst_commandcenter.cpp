#include "Clock.h"
#include "CommandCenter.h"
#include "CommandStore.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace KioskGate;

namespace {

/// Kiosks as the center sees them: names with tokens, live sessions, and
/// every frame "sent" to a session, recorded.
struct FakeFleet
{
    QStringList known;
    QMultiHash<QString, QString> sessions; // kiosk -> session id
    QList<QPair<QString, QString>> frames; // (session id, frame)
    int isOnlineCalls = 0;
    QList<QStringList> sentByName; // the names of each sendToKiosks call
    int sentToAll = 0; // sendToAll calls

    CommandCenter::Fleet fleet()
    {
        CommandCenter::Fleet f;
        f.knownKiosks = [this] { return known; };
        f.onlineKiosks = [this] { return sessions.uniqueKeys(); };
        f.isOnline = [this](const QString &kiosk) {
            ++isOnlineCalls;
            return sessions.contains(kiosk);
        };
        f.onlineCount = [this] { return int(sessions.uniqueKeys().size()); };
        f.sendToKiosks = [this](const QStringList &kiosks, const QString &text) {
            sentByName.append(kiosks);
            return sendTo(kiosks, text);
        };
        f.sendToAll = [this](const QString &text) {
            ++sentToAll;
            return sendTo(sessions.uniqueKeys(), text);
        };
        f.sendToSession = [this](const QString &kiosk, const QString &id, const QString &text) {
            if (!sessions.contains(kiosk, id))
                return false;
            frames.append({id, text});
            return true;
        };
        return f;
    }
    int sendTo(const QStringList &kiosks, const QString &text)
    {
        int sent = 0;
        for (const QString &kiosk : kiosks) {
            const QStringList ids = sessions.values(kiosk);
            for (const QString &id : ids)
                frames.append({ id, text });
            sent += int(ids.size());
        }
        return sent;
    }
    /// Command ids of the frames session `id` received.
    QStringList receivedBy(const QString &id) const
    {
        QStringList ids;
        for (const auto &frame : frames) {
            if (frame.first == id)
                ids.append(QJsonDocument::fromJson(frame.second.toUtf8()).object().value(QStringLiteral("id")).toString());
        }
        return ids;
    }
};

SessionInfo session(const QString &kiosk, const QString &id)
{
    SessionInfo s;
    s.kiosk = kiosk;
    s.id = id;
    return s;
}

QJsonObject ack(const QString &id, bool ok = true)
{
    QJsonObject m{{QStringLiteral("type"), QStringLiteral("ack")}, {QStringLiteral("id"), id}, {QStringLiteral("ok"), ok}};
    if (!ok)
        m.insert(QStringLiteral("error"), QStringLiteral("busy"));
    return m;
}

QJsonObject done(const QString &id)
{
    return {{QStringLiteral("type"), QStringLiteral("done")}, {QStringLiteral("id"), id}};
}

QString stateOf(const CommandRecord &record, const QString &kiosk)
{
    for (const CommandTarget &t : record.targets) {
        if (t.kiosk == kiosk)
            return t.state;
    }
    return QStringLiteral("(not a target)");
}

} // namespace

class TestCommandCenter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void issueToAllSendsOnlineAndHoldsOffline();
    void unknownKioskNamesAreAnErrorThatNamesThem();
    void everyKioskOnlineIsReachedWithoutNames();
    void someKiosksOnlineAreReachedByName();
    void namedKiosksAreTheOnlyOnesLookedUp();
    void ackAndDoneFinishTheCommand();
    void offlineKioskGetsItOnConnectWhileFresh();
    void neverAfterTheWindowAndSweepTimesOut();
    void resentWhileUnackedNeverAfterAck();
    void failedAckAndStrayMessages();
    void failedAckErrorIsKeptPrintableAndStoredAsShown();
    void restartResumesFromTheStore();
    void updatesAreCoalesced();

private:
    void openCenter();
    std::unique_ptr<QTemporaryDir> m_dir;
    ManualClock m_clock;
    FakeFleet m_fleet;
    std::unique_ptr<CommandStore> m_store;
    std::unique_ptr<CommandCenter> m_center;
};

void TestCommandCenter::init()
{
    m_center.reset();
    m_store.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_fleet = FakeFleet();
    m_fleet.known = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    m_clock.setNowMs(1'800'000'000'000);
    openCenter();
}

void TestCommandCenter::openCenter()
{
    m_center.reset();
    m_store = std::make_unique<CommandStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->filePath(QStringLiteral("kioskgate.db")), &error), qPrintable(error));
    m_center = std::make_unique<CommandCenter>(m_store.get(), &m_clock, m_fleet.fleet());
    m_center->setFreshnessMs(60'000);
    QVERIFY2(m_center->load(&error), qPrintable(error));
}

void TestCommandCenter::issueToAllSendsOnlineAndHoldsOffline()
{
    // "bb" and "d" have no token but are online (e.g. a token revoked a
    // moment ago). The names come in any order; the targets are kept sorted
    // by name, those without a token merged in among the others.
    m_fleet.known = { QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b") };
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s-a"));
    m_fleet.sessions.insert(QStringLiteral("d"), QStringLiteral("s-d1"));
    m_fleet.sessions.insert(QStringLiteral("d"), QStringLiteral("s-d2"));
    m_fleet.sessions.insert(QStringLiteral("bb"), QStringLiteral("s-bb"));
    QString error;
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {}, QStringLiteral("tester"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QVERIFY(record.allKiosks);
    QCOMPARE(record.targets.size(), 5);
    QStringList order;
    for (const CommandTarget &target : record.targets)
        order.append(target.kiosk);
    QCOMPARE(order,
             QStringList({ QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("bb"),
                           QStringLiteral("c"), QStringLiteral("d") }));
    QCOMPARE(stateOf(record, QStringLiteral("a")), CommandState::Sent);
    QCOMPARE(stateOf(record, QStringLiteral("b")), CommandState::Pending);
    QCOMPARE(stateOf(record, QStringLiteral("bb")), CommandState::Sent);
    QCOMPARE(stateOf(record, QStringLiteral("c")), CommandState::Pending);
    QCOMPARE(stateOf(record, QStringLiteral("d")), CommandState::Sent);
    QCOMPARE(record.expiresAtMs - record.issuedAtMs, 60'000);
    // Every live session of an online kiosk, once.
    QCOMPARE(m_fleet.frames.size(), 4);
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s-d2")), QStringList{record.id});

    const QJsonObject frame = QJsonDocument::fromJson(m_fleet.frames.first().second.toUtf8()).object();
    QCOMPARE(frame.value(QStringLiteral("type")).toString(), QStringLiteral("command"));
    QCOMPARE(frame.value(QStringLiteral("name")).toString(), QStringLiteral("reset"));
    QCOMPARE(frame.value(QStringLiteral("id")).toString(), record.id);
    QCOMPARE(frame.value(QStringLiteral("issuedAt")).toString(), QStringLiteral("2027-01-15T08:00:00.000Z"));
    QCOMPARE(frame.value(QStringLiteral("expiresAt")).toString(), QStringLiteral("2027-01-15T08:01:00.000Z"));
    QCOMPARE(frame.size(), 5);

    // Recorded before anything was sent: a second connection sees it.
    CommandStore other;
    QVERIFY(other.open(m_dir->filePath(QStringLiteral("kioskgate.db")), &error));
    CommandRecord stored;
    bool found = false;
    QVERIFY(other.find(record.id, &stored, &found, &error));
    QVERIFY(found);
    QCOMPARE(stored.counts.value(CommandState::Pending), 2);
}

void TestCommandCenter::everyKioskOnlineIsReachedWithoutNames()
{
    // A command to all (and a named one that covers every kiosk online):
    // one walk through the sessions, no list of names to look up.
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s-a"));
    m_fleet.sessions.insert(QStringLiteral("c"), QStringLiteral("s-c1"));
    m_fleet.sessions.insert(QStringLiteral("c"), QStringLiteral("s-c2"));
    QString error;
    CommandRecord record
        = m_center->issue(QStringLiteral("reset"), {}, QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(m_fleet.sentToAll, 1);
    QVERIFY(m_fleet.sentByName.isEmpty());
    QCOMPARE(m_fleet.frames.size(), 3);
    QCOMPARE(stateOf(record, QStringLiteral("b")), CommandState::Pending);

    record = m_center->issue(QStringLiteral("reload"),
                             { QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b") },
                             QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(m_fleet.sentToAll, 2);
    QVERIFY(m_fleet.sentByName.isEmpty());
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s-c2")).size(), 2);
}

void TestCommandCenter::someKiosksOnlineAreReachedByName()
{
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s-a"));
    m_fleet.sessions.insert(QStringLiteral("b"), QStringLiteral("s-b"));
    m_fleet.sessions.insert(QStringLiteral("c"), QStringLiteral("s-c"));
    QString error;
    const CommandRecord record
        = m_center->issue(QStringLiteral("reset"), { QStringLiteral("c"), QStringLiteral("a") },
                          QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(m_fleet.sentToAll, 0);
    QCOMPARE(m_fleet.sentByName,
             QList<QStringList> { QStringList({ QStringLiteral("a"), QStringLiteral("c") }) });
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s-b")), QStringList());
}

void TestCommandCenter::namedKiosksAreTheOnlyOnesLookedUp()
{
    // A command to two kiosks of a fleet of 1,000 asks about those two, not
    // about every kiosk with a token.
    m_fleet.known.clear();
    for (int i = 0; i < 1000; ++i)
        m_fleet.known.append(QStringLiteral("kiosk-%1").arg(i, 4, 10, QLatin1Char('0')));
    m_fleet.sessions.insert(QStringLiteral("kiosk-0500"), QStringLiteral("s-500"));
    m_fleet.sessions.insert(QStringLiteral("no-token"), QStringLiteral("s-nt"));
    QString error;
    const CommandRecord record
        = m_center->issue(QStringLiteral("reset"),
                          { QStringLiteral("no-token"), QStringLiteral("kiosk-0999"),
                            QStringLiteral("kiosk-0500"), QStringLiteral("kiosk-0999") },
                          QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(m_fleet.isOnlineCalls, 3);
    QStringList order;
    for (const CommandTarget &target : record.targets)
        order.append(target.kiosk);
    QCOMPARE(order,
             QStringList({ QStringLiteral("kiosk-0500"), QStringLiteral("kiosk-0999"),
                           QStringLiteral("no-token") }));
    QCOMPARE(stateOf(record, QStringLiteral("kiosk-0999")), CommandState::Pending);
    QCOMPARE(stateOf(record, QStringLiteral("no-token")), CommandState::Sent);
    QCOMPARE(m_fleet.sentToAll, 1); // both kiosks online are targets
}

void TestCommandCenter::unknownKioskNamesAreAnErrorThatNamesThem()
{
    QString error;
    CommandRecord record = m_center->issue(QStringLiteral("reload"), {QStringLiteral("a"), QStringLiteral("x1"), QStringLiteral("x2")},
                                           QStringLiteral("t"), &error);
    QVERIFY(!record.isValid());
    QVERIFY2(error.endsWith(QLatin1String(": x1, x2")), qPrintable(error));
    record = m_center->issue(QStringLiteral("explode"), {}, QStringLiteral("t"), &error);
    QVERIFY(!record.isValid());
    QVERIFY2(error.contains(QLatin1String("reset or reload")), qPrintable(error));
    QVERIFY(m_center->recent(10).isEmpty());
    // Duplicates collapse; a named list is not "all".
    record = m_center->issue(QStringLiteral("reload"), {QStringLiteral("b"), QStringLiteral("b")}, QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(record.targets.size(), 1);
    QVERIFY(!record.allKiosks);
    // Online without a token is known too; named in any order, kept sorted.
    m_fleet.sessions.insert(QStringLiteral("d"), QStringLiteral("s-d"));
    record = m_center->issue(QStringLiteral("reload"), { QStringLiteral("d"), QStringLiteral("a") },
                             QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(record.targets.size(), 2);
    QCOMPARE(record.targets.at(0).kiosk, QStringLiteral("a"));
    QCOMPARE(record.targets.at(1).kiosk, QStringLiteral("d"));
    QCOMPARE(record.targets.at(1).state, CommandState::Sent);
}

void TestCommandCenter::ackAndDoneFinishTheCommand()
{
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s1"));
    m_center->onSessionOpened(session(QStringLiteral("a"), QStringLiteral("s1")));
    QString error;
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {QStringLiteral("a")}, QStringLiteral("t"), &error);
    QVERIFY(record.isValid());
    m_center->onMessage(QStringLiteral("s1"), ack(record.id));
    QCOMPARE(stateOf(*m_center->command(record.id), QStringLiteral("a")), CommandState::Delivered);
    // The kiosk reloads: its session goes, a new one reports done.
    m_center->onSessionClosed(session(QStringLiteral("a"), QStringLiteral("s1")));
    m_fleet.sessions.clear();
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s2"));
    m_center->onSessionOpened(session(QStringLiteral("a"), QStringLiteral("s2")));
    m_center->onMessage(QStringLiteral("s2"), done(record.id));
    const CommandRecord after = *m_center->command(record.id);
    QCOMPARE(stateOf(after, QStringLiteral("a")), CommandState::Done);
    QVERIFY(after.isFinished());
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s2")), QStringList());

    // Written: a fresh store reads the final state and the finished flag.
    CommandStore other;
    QVERIFY(other.open(m_dir->filePath(QStringLiteral("kioskgate.db")), &error));
    QList<CommandRecord> unfinished;
    QVERIFY(other.loadUnfinished(&unfinished, &error));
    QVERIFY(unfinished.isEmpty());
    CommandRecord stored;
    bool found = false;
    QVERIFY(other.find(record.id, &stored, &found, &error));
    QCOMPARE(stateOf(stored, QStringLiteral("a")), CommandState::Done);
}

void TestCommandCenter::offlineKioskGetsItOnConnectWhileFresh()
{
    QString error;
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {}, QStringLiteral("t"), &error);
    QVERIFY(record.isValid());
    QVERIFY(m_fleet.frames.isEmpty());
    m_clock.advanceMs(59'000);
    m_fleet.sessions.insert(QStringLiteral("b"), QStringLiteral("s-b"));
    m_center->onSessionOpened(session(QStringLiteral("b"), QStringLiteral("s-b")));
    // Not before the state is written.
    QVERIFY(m_fleet.frames.isEmpty());
    m_center->flush();
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s-b")), QStringList{record.id});
    QCOMPARE(stateOf(*m_center->command(record.id), QStringLiteral("b")), CommandState::Sent);
}

void TestCommandCenter::neverAfterTheWindowAndSweepTimesOut()
{
    QString error;
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s-a"));
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {}, QStringLiteral("t"), &error);
    QVERIFY(record.isValid());
    m_clock.advanceMs(60'000); // the window is [issuedAt, expiresAt)
    m_fleet.sessions.insert(QStringLiteral("b"), QStringLiteral("s-b"));
    m_center->onSessionOpened(session(QStringLiteral("b"), QStringLiteral("s-b")));
    m_center->flush();
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s-b")), QStringList());
    m_center->sweep();
    const CommandRecord after = *m_center->command(record.id);
    QVERIFY(after.isFinished());
    QCOMPARE(after.counts.value(CommandState::TimedOut), 3);
    for (const CommandTarget &t : after.targets)
        QCOMPARE(t.error, t.kiosk == QLatin1String("a") ? QString() : OfflineTimeoutError);
    // Late messages change nothing.
    m_center->onSessionOpened(session(QStringLiteral("a"), QStringLiteral("s-a")));
    m_center->onMessage(QStringLiteral("s-a"), done(record.id));
    QCOMPARE(stateOf(*m_center->command(record.id), QStringLiteral("a")), CommandState::TimedOut);
}

void TestCommandCenter::resentWhileUnackedNeverAfterAck()
{
    QString error;
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {QStringLiteral("b")}, QStringLiteral("t"), &error);
    QVERIFY(record.isValid());
    // Connects, gets it, drops before acking: the next session gets it again.
    m_fleet.sessions.insert(QStringLiteral("b"), QStringLiteral("s1"));
    m_center->onSessionOpened(session(QStringLiteral("b"), QStringLiteral("s1")));
    m_center->flush();
    m_center->onSessionClosed(session(QStringLiteral("b"), QStringLiteral("s1")));
    m_fleet.sessions.clear();
    m_fleet.sessions.insert(QStringLiteral("b"), QStringLiteral("s2"));
    m_center->onSessionOpened(session(QStringLiteral("b"), QStringLiteral("s2")));
    m_center->flush();
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s1")), QStringList{record.id});
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("s2")), QStringList{record.id});
    // Acked: later sessions never get it, even while fresh and not done.
    m_center->onMessage(QStringLiteral("s2"), ack(record.id));
    m_center->onSessionClosed(session(QStringLiteral("b"), QStringLiteral("s2")));
    m_fleet.sessions.clear();
    for (const QString &id : {QStringLiteral("s3"), QStringLiteral("s4")}) {
        m_fleet.sessions.insert(QStringLiteral("b"), id);
        m_center->onSessionOpened(session(QStringLiteral("b"), id));
        m_center->flush();
        QCOMPARE(m_fleet.receivedBy(id), QStringList());
    }
    QCOMPARE(stateOf(*m_center->command(record.id), QStringLiteral("b")), CommandState::Delivered);
}

void TestCommandCenter::failedAckAndStrayMessages()
{
    QString error;
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s-a"));
    m_fleet.sessions.insert(QStringLiteral("c"), QStringLiteral("s-c"));
    m_center->onSessionOpened(session(QStringLiteral("a"), QStringLiteral("s-a")));
    m_center->onSessionOpened(session(QStringLiteral("c"), QStringLiteral("s-c")));
    const CommandRecord record = m_center->issue(QStringLiteral("reload"), {QStringLiteral("a"), QStringLiteral("b")},
                                                 QStringLiteral("t"), &error);
    QVERIFY(record.isValid());
    m_center->onMessage(QStringLiteral("s-a"), ack(record.id, false));
    // c is no target; an unknown id and an unknown session change nothing.
    m_center->onMessage(QStringLiteral("s-c"), ack(record.id));
    m_center->onMessage(QStringLiteral("s-a"), ack(QStringLiteral("0000000000000000")));
    m_center->onMessage(QStringLiteral("nobody"), done(record.id));
    // done from pending (b never got it) is ignored too.
    m_fleet.sessions.insert(QStringLiteral("b"), QStringLiteral("s-b"));
    m_center->onSessionOpened(session(QStringLiteral("b"), QStringLiteral("s-b")));
    const CommandRecord after = *m_center->command(record.id);
    QCOMPARE(stateOf(after, QStringLiteral("a")), CommandState::Failed);
    QCOMPARE(after.targets.at(0).error, QStringLiteral("busy"));
    QCOMPARE(stateOf(after, QStringLiteral("b")), CommandState::Sent);
    QCOMPARE(stateOf(after, QStringLiteral("c")), QStringLiteral("(not a target)"));
    // A failed kiosk's later done does not turn it into done.
    m_center->onMessage(QStringLiteral("s-a"), done(record.id));
    QCOMPARE(stateOf(*m_center->command(record.id), QStringLiteral("a")), CommandState::Failed);
}

void TestCommandCenter::failedAckErrorIsKeptPrintableAndStoredAsShown()
{
    // A kiosk's error text may hold anything JSON can escape: controls, a
    // NUL, half of a surrogate pair, or a pair the 200-character cut splits.
    QString error;
    const QStringList kiosks { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") };
    for (const QString &kiosk : kiosks) {
        m_fleet.sessions.insert(kiosk, QStringLiteral("s-") + kiosk);
        m_center->onSessionOpened(session(kiosk, QStringLiteral("s-") + kiosk));
    }
    const CommandRecord record
        = m_center->issue(QStringLiteral("reload"), kiosks, QStringLiteral("t"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    auto failWith = [&](const QString &kiosk, const QString &text) {
        QJsonObject message = ack(record.id, false);
        message.insert(QStringLiteral("error"), text);
        m_center->onMessage(QStringLiteral("s-") + kiosk, message);
    };
    const QChar replacement(0xfffd);
    failWith(QStringLiteral("a"), QString::fromUtf16(u"line\nnul\0end\x7f", 13));
    failWith(QStringLiteral("b"), QString::fromUtf16(u"half \xd800 pair \U0001F600 kept"));
    failWith(QStringLiteral("c"), QString(199, u'x') + QString::fromUtf16(u"\U0001F600", 2));
    const QHash<QString, QString> expected {
        { QStringLiteral("a"),
          QStringLiteral("line") + replacement + QStringLiteral("nul") + replacement
              + QStringLiteral("end") + replacement },
        { QStringLiteral("b"),
          QStringLiteral("half ") + replacement + QStringLiteral(" pair ")
              + QString::fromUtf16(u"\U0001F600", 2) + QStringLiteral(" kept") },
        { QStringLiteral("c"), QString(199, u'x') + replacement },
    };
    m_center->flush();
    CommandStore other;
    QVERIFY(other.open(m_dir->filePath(QStringLiteral("kioskgate.db")), &error));
    CommandRecord stored;
    bool found = false;
    QVERIFY(other.find(record.id, &stored, &found, &error) && found);
    const CommandRecord shown = *m_center->command(record.id);
    for (const CommandRecord &r : { shown, stored }) {
        for (const CommandTarget &target : r.targets)
            QCOMPARE(target.error, expected.value(target.kiosk));
    }
}

void TestCommandCenter::restartResumesFromTheStore()
{
    QString error;
    m_fleet.sessions.insert(QStringLiteral("a"), QStringLiteral("s-a"));
    m_center->onSessionOpened(session(QStringLiteral("a"), QStringLiteral("s-a")));
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {}, QStringLiteral("t"), &error);
    m_center->onMessage(QStringLiteral("s-a"), ack(record.id));
    m_center->flush();
    // The console restarts: every session is gone.
    m_fleet.sessions.clear();
    openCenter();
    const CommandRecord resumed = *m_center->command(record.id);
    QCOMPARE(stateOf(resumed, QStringLiteral("a")), CommandState::Delivered);
    QCOMPARE(stateOf(resumed, QStringLiteral("b")), CommandState::Pending);
    m_clock.advanceMs(1000);
    for (const QString &kiosk : {QStringLiteral("a"), QStringLiteral("b")}) {
        m_fleet.sessions.insert(kiosk, QStringLiteral("n-") + kiosk);
        m_center->onSessionOpened(session(kiosk, QStringLiteral("n-") + kiosk));
    }
    m_center->flush();
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("n-a")), QStringList());
    QCOMPARE(m_fleet.receivedBy(QStringLiteral("n-b")), QStringList{record.id});
    m_center->onMessage(QStringLiteral("n-a"), done(record.id));
    QCOMPARE(stateOf(*m_center->command(record.id), QStringLiteral("a")), CommandState::Done);

    // A restart after the window times the rest out at load.
    m_clock.advanceMs(60'000);
    openCenter();
    const CommandRecord expired = *m_center->command(record.id);
    QVERIFY(expired.isFinished());
    QCOMPARE(stateOf(expired, QStringLiteral("a")), CommandState::Done);
    QCOMPARE(stateOf(expired, QStringLiteral("b")), CommandState::TimedOut);
    QCOMPARE(stateOf(expired, QStringLiteral("c")), CommandState::TimedOut);
}

void TestCommandCenter::updatesAreCoalesced()
{
    QStringList names;
    for (int i = 0; i < 500; ++i) {
        const QString kiosk = QStringLiteral("k%1").arg(i);
        const QString id = QStringLiteral("s%1").arg(i);
        names.append(kiosk);
        m_fleet.sessions.insert(kiosk, id);
        m_center->onSessionOpened(session(kiosk, id));
    }
    m_fleet.known = names;
    QSignalSpy spy(m_center.get(), &CommandCenter::commandUpdated);
    QString error;
    const CommandRecord record = m_center->issue(QStringLiteral("reset"), {}, QStringLiteral("t"), &error);
    QVERIFY(record.isValid());
    for (int i = 0; i < 500; ++i)
        m_center->onMessage(QStringLiteral("s%1").arg(i), ack(record.id));
    for (int i = 0; i < 500; ++i)
        m_center->onMessage(QStringLiteral("s%1").arg(i), done(record.id));
    QTRY_VERIFY_WITH_TIMEOUT(!spy.isEmpty()
                                 && spy.last().first().value<CommandRecord>().counts.value(CommandState::Done) == 500,
                             5000);
    // 1,000 kiosk events, a handful of updates.
    QVERIFY2(spy.size() <= 3, qPrintable(QString::number(spy.size())));
    QVERIFY(spy.last().first().value<CommandRecord>().isFinished());
}

QTEST_GUILESS_MAIN(TestCommandCenter)
#include "tst_commandcenter.moc"
