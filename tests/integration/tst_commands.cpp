// Commands through KioskServer's public API, with real kiosks on loopback
// sockets: the frame after the welcome, ack and done over the wire, the
// blocking-queued calls from the control thread, and commandUpdated arriving
// there.

#include "KioskClient.h"
#include "ServerFixture.h"

#include <QSignalSpy>

using namespace KioskGate;

namespace {

QString stateOf(const CommandRecord &record, const QString &kiosk)
{
    for (const CommandTarget &t : record.targets) {
        if (t.kiosk == kiosk)
            return t.state;
    }
    return QStringLiteral("(not a target)");
}

QList<QJsonObject> commandsIn(const KioskClient &client)
{
    QList<QJsonObject> found;
    for (const QJsonObject &m : client.messages) {
        if (m.value(QStringLiteral("type")) == QLatin1String("command"))
            found.append(m);
    }
    return found;
}

void send(KioskClient &client, const QJsonObject &message)
{
    client.socket.sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

} // namespace

class TestCommands : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void resetReachesOnlineKiosksAndWaitsForOffline();
    void unknownNamesAndNamesAreRefused();
};

void TestCommands::resetReachesOnlineKiosksAndWaitsForOffline()
{
    ServerFixture f;
    KioskClient a;
    KioskClient b;
    a.open(f.url(), f.issue(QStringLiteral("lobby-a")));
    b.open(f.url(), f.issue(QStringLiteral("lobby-b")));
    const QByteArray offlineToken = f.issue(QStringLiteral("lobby-c"));
    QTRY_COMPARE_WITH_TIMEOUT(a.messages.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(b.messages.size(), 1, 5000);

    QSignalSpy updates(&f.server(), &KioskServer::commandUpdated);
    QString error;
    const CommandRecord record = f.server().issueCommand(QStringLiteral("reset"), {}, QStringLiteral("test"), &error);
    QVERIFY2(record.isValid(), qPrintable(error));
    QCOMPARE(record.targets.size(), 3);
    QCOMPARE(stateOf(record, QStringLiteral("lobby-c")), CommandState::Pending);

    QTRY_COMPARE_WITH_TIMEOUT(commandsIn(a).size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(commandsIn(b).size(), 1, 5000);
    const QJsonObject frame = commandsIn(a).first();
    QCOMPARE(frame.value(QStringLiteral("id")).toString(), record.id);
    QCOMPARE(frame.value(QStringLiteral("name")).toString(), QStringLiteral("reset"));

    send(a, {{QStringLiteral("type"), QStringLiteral("ack")}, {QStringLiteral("id"), record.id}, {QStringLiteral("ok"), true}});
    send(a, {{QStringLiteral("type"), QStringLiteral("done")}, {QStringLiteral("id"), record.id}});
    send(b, {{QStringLiteral("type"), QStringLiteral("ack")}, {QStringLiteral("id"), record.id}, {QStringLiteral("ok"), false},
             {QStringLiteral("error"), QStringLiteral("kiosk busy")}});
    QTRY_VERIFY_WITH_TIMEOUT(stateOf(*f.server().command(record.id), QStringLiteral("lobby-a")) == CommandState::Done, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(stateOf(*f.server().command(record.id), QStringLiteral("lobby-b")) == CommandState::Failed, 5000);
    // `done` is part of the protocol now: no error reply.
    for (const QJsonObject &m : a.messages)
        QVERIFY2(m.value(QStringLiteral("type")) != QLatin1String("error"), QJsonDocument(m).toJson().constData());

    // The offline kiosk connects: welcome first, then the command.
    KioskClient c;
    c.open(f.url(), offlineToken);
    QTRY_COMPARE_WITH_TIMEOUT(c.messages.size(), 2, 5000);
    QCOMPARE(c.messages.at(0).value(QStringLiteral("type")).toString(), QStringLiteral("welcome"));
    QCOMPARE(c.messages.at(1).value(QStringLiteral("id")).toString(), record.id);
    send(c, {{QStringLiteral("type"), QStringLiteral("ack")}, {QStringLiteral("id"), record.id}, {QStringLiteral("ok"), true}});
    send(c, {{QStringLiteral("type"), QStringLiteral("done")}, {QStringLiteral("id"), record.id}});

    // The control thread hears about it, coalesced, ending finished.
    QTRY_VERIFY_WITH_TIMEOUT(!updates.isEmpty() && updates.last().first().value<CommandRecord>().isFinished(), 5000);
    const CommandRecord last = updates.last().first().value<CommandRecord>();
    QCOMPARE(last.counts.value(CommandState::Done), 2);
    QCOMPARE(last.counts.value(CommandState::Failed), 1);
    QVERIFY2(updates.size() <= 8, qPrintable(QString::number(updates.size())));

    const QList<CommandRecord> recent = f.server().recentCommands(5);
    QCOMPARE(recent.size(), 1);
    QCOMPARE(recent.first().id, record.id);
    QCOMPARE(recent.first().counts.value(CommandState::Done), 2);
    QVERIFY(!f.server().command(QStringLiteral("0123456789abcdef")).has_value());
}

void TestCommands::unknownNamesAndNamesAreRefused()
{
    ServerFixture f;
    f.issue(QStringLiteral("lobby-a"));
    QString error;
    CommandRecord record = f.server().issueCommand(QStringLiteral("reset"), {QStringLiteral("lobby-z")},
                                                   QStringLiteral("test"), &error);
    QVERIFY(!record.isValid());
    QVERIFY2(error.contains(QLatin1String("lobby-z")), qPrintable(error));
    record = f.server().issueCommand(QStringLiteral("format-disk"), {}, QStringLiteral("test"), &error);
    QVERIFY(!record.isValid());
    // A revoked kiosk is no longer a target of "all".
    QStringList jtis;
    QVERIFY(f.registry().revoke(QStringLiteral("lobby-a"), QDateTime::currentSecsSinceEpoch(), QStringLiteral("t"), &jtis, &error));
    record = f.server().issueCommand(QStringLiteral("reload"), {}, QStringLiteral("test"), &error);
    QVERIFY(!record.isValid());
    QVERIFY2(error.contains(QLatin1String("no kiosks")), qPrintable(error));
    QVERIFY(f.server().recentCommands(10).isEmpty());
}

QTEST_GUILESS_MAIN(TestCommands)
#include "tst_commands.moc"
