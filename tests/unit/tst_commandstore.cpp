#include "CommandStore.h"
#include "SqlAside.h"
#include "TokenRegistry.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace KioskGate;

class TestCommandStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void insertFindAndReloadInAnotherConnection();
    void targetsOfEveryKindComeBackAsInserted();
    void updatesPersistAndFinishedLeavesUnfinishedList();
    void updatedStatesOfManyTargetsComeBackEach();
    void updatePlanLooksUpEachTargetByKey();
    void recentIsNewestFirstWithCounts();
    void pruneKeepsUnfinishedAndTheNewest();
    void sharesTheFileWithTheRegistry();
    void newerSchemaIsRefused();

    void targetsBecomeRowsOnceTheFramesAreOut();
    void groupsLeftByACrashBecomeRowsAtOpen();
    void versionOneTablesAreMigrated();

private:
    /// The one number `sql` answers, asked over a connection of its own.
    int countOf(const QString &sql) const;
    static CommandRecord command(const QString &id, qint64 issuedAtMs, const QStringList &kiosks,
                                 const QString &state = CommandState::Pending);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString path() const { return m_dir->filePath(QStringLiteral("kioskgate.db")); }
};

CommandRecord TestCommandStore::command(const QString &id, qint64 issuedAtMs, const QStringList &kiosks,
                                        const QString &state)
{
    CommandRecord r;
    r.id = id;
    r.name = QStringLiteral("reset");
    r.issuer = QStringLiteral("test");
    r.issuedAtMs = issuedAtMs;
    r.expiresAtMs = issuedAtMs + 300000;
    r.allKiosks = true;
    for (const QString &kiosk : kiosks)
        r.targets.append({kiosk, state, issuedAtMs, QString()});
    r.recount();
    return r;
}

int TestCommandStore::countOf(const QString &sql) const
{
    QVariant count;
    return SqlAside::exec(path(), sql, &count) && count.isValid() ? count.toInt() : -1;
}

void TestCommandStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCommandStore::insertFindAndReloadInAnotherConnection()
{
    CommandRecord original = command(QStringLiteral("c1"), 1000, {QStringLiteral("b"), QStringLiteral("a")});
    original.targets[1].state = CommandState::Sent;
    original.recount();
    QString error;
    {
        CommandStore store;
        QVERIFY2(store.open(path(), &error), qPrintable(error));
        QVERIFY2(store.insert(original, &error), qPrintable(error));
        QVERIFY2(!store.insert(original, &error), "an id is unique");
    }
    CommandStore reopened;
    QVERIFY2(reopened.open(path(), &error), qPrintable(error));
    CommandRecord found;
    bool exists = false;
    QVERIFY2(reopened.find(QStringLiteral("c1"), &found, &exists, &error), qPrintable(error));
    QVERIFY(exists);
    QCOMPARE(found.name, QStringLiteral("reset"));
    QCOMPARE(found.issuer, QStringLiteral("test"));
    QCOMPARE(found.issuedAtMs, 1000);
    QCOMPARE(found.expiresAtMs, 301000);
    QVERIFY(found.allKiosks);
    QCOMPARE(found.targets.size(), 2);
    QCOMPARE(found.targets.at(0).kiosk, QStringLiteral("a")); // sorted by kiosk
    QCOMPARE(found.targets.at(0).state, CommandState::Sent);
    QCOMPARE(found.targets.at(1).state, CommandState::Pending);
    QCOMPARE(found.counts.value(CommandState::Sent), 1);
    QCOMPARE(found.counts.value(CommandState::Pending), 1);
    QVERIFY(reopened.find(QStringLiteral("nope"), &found, &exists, &error));
    QVERIFY(!exists);
}

void TestCommandStore::targetsOfEveryKindComeBackAsInserted()
{
    // Targets are written a statement per (state, time, error): each must
    // come back with its own, including names JSON would have to escape.
    CommandRecord original = command(QStringLiteral("c1"), 1000, {});
    for (int i = 0; i < 2500; ++i) {
        const QString state = i % 3 == 0 ? CommandState::Sent
            : i % 3 == 1                 ? CommandState::Pending
                                         : CommandState::Failed;
        const QString why
            = state == CommandState::Failed ? QStringLiteral("busy \"%1\"").arg(i % 2) : QString();
        original.targets.append({ QStringLiteral("kiosk-%1").arg(i), state, 1000 + i % 7, why });
    }
    original.targets.append(
        { QStringLiteral("odd.name_with-\\\"quote"), CommandState::Sent, 1000, QString() });
    original.recount();
    QString error;
    CommandStore store;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QVERIFY2(store.insert(original, &error), qPrintable(error));
    CommandRecord found;
    bool exists = false;
    QVERIFY2(store.find(QStringLiteral("c1"), &found, &exists, &error), qPrintable(error));
    QVERIFY(exists);
    QCOMPARE(found.targets.size(), original.targets.size());
    QHash<QString, CommandTarget> byKiosk;
    for (const CommandTarget &target : found.targets)
        byKiosk.insert(target.kiosk, target);
    for (const CommandTarget &target : original.targets) {
        QVERIFY2(byKiosk.contains(target.kiosk), qPrintable(target.kiosk));
        const CommandTarget &back = byKiosk.value(target.kiosk);
        QCOMPARE(back.state, target.state);
        QCOMPARE(back.changedAtMs, target.changedAtMs);
        QCOMPARE(back.error, target.error);
    }
}

void TestCommandStore::updatesPersistAndFinishedLeavesUnfinishedList()
{
    QString error;
    {
        CommandStore store;
        QVERIFY(store.open(path(), &error));
        QVERIFY(store.insert(command(QStringLiteral("c1"), 1000, {QStringLiteral("a"), QStringLiteral("b")}), &error));
        QVERIFY(store.insert(command(QStringLiteral("c2"), 2000, {QStringLiteral("a")}), &error));
        QVERIFY2(store.updateTargets(QStringLiteral("c1"),
                                     {{QStringLiteral("a"), CommandState::Done, 1500, QString()},
                                      {QStringLiteral("b"), CommandState::Failed, 1600, QStringLiteral("no page")}},
                                     true, &error),
                 qPrintable(error));
        QVERIFY(store.updateTargets(QStringLiteral("c2"), {{QStringLiteral("a"), CommandState::Delivered, 2100, QString()}},
                                    false, &error));
    }
    CommandStore store;
    QVERIFY(store.open(path(), &error));
    QList<CommandRecord> unfinished;
    QVERIFY2(store.loadUnfinished(&unfinished, &error), qPrintable(error));
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.first().id, QStringLiteral("c2"));
    QCOMPARE(unfinished.first().targets.first().state, CommandState::Delivered);
    QCOMPARE(unfinished.first().targets.first().changedAtMs, 2100);

    CommandRecord c1;
    bool exists = false;
    QVERIFY(store.find(QStringLiteral("c1"), &c1, &exists, &error));
    QCOMPARE(c1.targets.at(1).state, CommandState::Failed);
    QCOMPARE(c1.targets.at(1).error, QStringLiteral("no page"));
    QVERIFY(c1.isFinished());
}

void TestCommandStore::updatedStatesOfManyTargetsComeBackEach()
{
    // One statement writes every state of a flush: each target gets its
    // own state, time and error (null or text JSON has to escape), and the
    // other command's targets of the same names stay as they were.
    QStringList names;
    for (int i = 0; i < 3000; ++i)
        names.append(QStringLiteral("kiosk-%1").arg(i));
    names.append(QStringLiteral("odd.name_with-\\\"quote"));
    QString error;
    CommandStore store;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QVERIFY2(store.insert(command(QStringLiteral("c1"), 1000, names, CommandState::Sent), &error),
             qPrintable(error));
    QVERIFY2(store.insert(command(QStringLiteral("c2"), 1000, names, CommandState::Sent), &error),
             qPrintable(error));
    QList<CommandTarget> changed;
    for (int i = 0; i < names.size(); i += 2) {
        const bool failed = i % 4 == 0;
        changed.append({ names.at(i), failed ? CommandState::Failed : CommandState::Done, 2000 + i,
                         failed ? QStringLiteral("page said \"no\" \\ %1\n").arg(i) : QString() });
    }
    QVERIFY2(store.updateTargets(QStringLiteral("c1"), changed, false, &error), qPrintable(error));
    // SQLite's JSON functions end a string at a NUL: such a flush is
    // written bound, and the error comes back whole.
    const QList<CommandTarget> withNul { { names.at(1), CommandState::Failed, 2001,
                                           QString::fromUtf16(u"kiosk said \0 and more", 21) } };
    QVERIFY2(store.updateTargets(QStringLiteral("c1"), withNul, false, &error), qPrintable(error));
    changed.append(withNul);

    CommandRecord c1, c2;
    bool exists = false;
    QVERIFY2(store.find(QStringLiteral("c1"), &c1, &exists, &error), qPrintable(error));
    QVERIFY2(store.find(QStringLiteral("c2"), &c2, &exists, &error), qPrintable(error));
    QHash<QString, CommandTarget> byKiosk;
    for (const CommandTarget &target : std::as_const(c1.targets))
        byKiosk.insert(target.kiosk, target);
    QCOMPARE(byKiosk.size(), names.size());
    for (const CommandTarget &target : std::as_const(changed)) {
        const CommandTarget back = byKiosk.take(target.kiosk);
        QCOMPARE(back.state, target.state);
        QCOMPARE(back.changedAtMs, target.changedAtMs);
        QCOMPARE(back.error, target.error);
    }
    for (const CommandTarget &untouched : std::as_const(byKiosk)) // the rest of the odd half
        QCOMPARE(untouched.state, CommandState::Sent);
    for (const CommandTarget &target : std::as_const(c2.targets))
        QCOMPARE(target.state, CommandState::Sent);
}

void TestCommandStore::updatePlanLooksUpEachTargetByKey()
{
    QString error;
    CommandStore store;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("plan"));
    db.setDatabaseName(path());
    QVERIFY(db.open());
    {
        QSqlQuery q(db);
        QVERIFY(q.prepare(QStringLiteral("EXPLAIN QUERY PLAN ")
                          + QString::fromLatin1(CommandStore::UpdateTargetsSql)));
        q.addBindValue(QStringLiteral("[]"));
        q.addBindValue(QStringLiteral("c1"));
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        QStringList plan;
        while (q.next())
            plan.append(q.value(3).toString());
        // The JSON array is walked once, and each of its entries finds its
        // row by the whole key; the other way round, SQLite walked the array
        // once per target of the command.
        const QString joined = plan.join(QStringLiteral(" | "));
        QVERIFY2(joined.contains(QStringLiteral("SEARCH command_targets USING"))
                     && joined.contains(QStringLiteral("(command_id=? AND kiosk=?)")),
                 qPrintable(joined));
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("plan"));
}

void TestCommandStore::recentIsNewestFirstWithCounts()
{
    CommandStore store;
    QString error;
    QVERIFY(store.open(path(), &error));
    QVERIFY(store.insert(command(QStringLiteral("old"), 1000, {QStringLiteral("a"), QStringLiteral("b")}), &error));
    QVERIFY(store.insert(command(QStringLiteral("new"), 5000,
                                 {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, CommandState::Sent),
                         &error));
    QVERIFY(store.updateTargets(QStringLiteral("new"), {{QStringLiteral("c"), CommandState::Done, 5100, QString()}},
                                false, &error));
    QList<CommandRecord> recent;
    QVERIFY2(store.recent(10, &recent, &error), qPrintable(error));
    QCOMPARE(recent.size(), 2);
    QCOMPARE(recent.at(0).id, QStringLiteral("new"));
    QVERIFY(recent.at(0).targets.isEmpty());
    QCOMPARE(recent.at(0).counts.value(CommandState::Sent), 2);
    QCOMPARE(recent.at(0).counts.value(CommandState::Done), 1);
    QCOMPARE(recent.at(0).counts.value(CommandState::Failed), 0);
    QCOMPARE(recent.at(0).targetCount(), 3);
    QCOMPARE(recent.at(1).counts.value(CommandState::Pending), 2);
    QVERIFY(store.recent(1, &recent, &error));
    QCOMPARE(recent.size(), 1);
}

void TestCommandStore::pruneKeepsUnfinishedAndTheNewest()
{
    CommandStore store;
    QString error;
    QVERIFY(store.open(path(), &error));
    // f1..f5 finished (issued 1000..5000), u0 unfinished and the oldest.
    QVERIFY(store.insert(command(QStringLiteral("u0"), 500, {QStringLiteral("a")}), &error));
    for (int i = 1; i <= 5; ++i) {
        const QString id = QStringLiteral("f%1").arg(i);
        QVERIFY(store.insert(command(id, i * 1000, {QStringLiteral("a")}, CommandState::Done), &error));
    }
    int removed = -1;
    // Older than 2500: f1 and f2 go; u0 stays although older.
    QVERIFY2(store.prune(2500, 1000, &removed, &error), qPrintable(error));
    QCOMPARE(removed, 2);
    // Keep the newest 2 of all commands: f3 goes (u0 is unfinished: stays).
    QVERIFY(store.prune(0, 2, &removed, &error));
    QCOMPARE(removed, 1);
    QList<CommandRecord> recent;
    QVERIFY(store.recent(100, &recent, &error));
    QStringList ids;
    for (const CommandRecord &r : recent)
        ids.append(r.id);
    QCOMPARE(ids, QStringList({QStringLiteral("f5"), QStringLiteral("f4"), QStringLiteral("u0")}));
    // Their targets went with them (ON DELETE CASCADE), as rows or groups.
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 0);
    QCOMPARE(
        countOf(QStringLiteral("SELECT SUM(json_array_length(kiosks)) FROM command_target_groups")),
        3);
    for (const QString &id : ids)
        QVERIFY2(store.expandTargets(id, &error), qPrintable(error));
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 3);
    QVERIFY(store.prune(0, 0, &removed, &error));
    QCOMPARE(removed, 2);
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 1); // u0's
}

void TestCommandStore::sharesTheFileWithTheRegistry()
{
    QString error;
    TokenRegistry registry;
    QVERIFY2(registry.open(path(), &error), qPrintable(error));
    CommandStore store;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QVERIFY(store.insert(command(QStringLiteral("c1"), 1000, {QStringLiteral("a")}), &error));
    TokenRecord token;
    token.jti = QStringLiteral("j1");
    token.kiosk = QStringLiteral("a");
    token.keyId = QStringLiteral("k");
    token.created = 1;
    QVERIFY2(registry.insertToken(token, &error), qPrintable(error));
    QVERIFY(!registry.instanceId().isEmpty());
    TokenRegistry again;
    QVERIFY2(again.open(path(), &error), qPrintable(error));
    QCOMPARE(again.instanceId(), registry.instanceId());
}

void TestCommandStore::newerSchemaIsRefused()
{
    QString error;
    {
        CommandStore store;
        QVERIFY(store.open(path(), &error));
    }
    QVERIFY(SqlAside::exec(
        path(),
        QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'commands_schema_version'")));
    // As if version 99 had done without a table of this version.
    QVERIFY(SqlAside::exec(path(), QStringLiteral("DROP TABLE command_target_groups")));
    CommandStore store;
    QVERIFY(!store.open(path(), &error));
    QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
    // Refused untouched: nothing created, the version as it was.
    QCOMPARE(countOf(QStringLiteral(
                 "SELECT COUNT(*) FROM sqlite_master WHERE name = 'command_target_groups'")),
             0);
    QCOMPARE(
        countOf(QStringLiteral("SELECT value FROM meta WHERE key = 'commands_schema_version'")),
        99);
}

void TestCommandStore::targetsBecomeRowsOnceTheFramesAreOut()
{
    CommandRecord original = command(QStringLiteral("c1"), 1000, {});
    for (int i = 0; i < 3000; ++i)
        original.targets.append({ QStringLiteral("kiosk-%1").arg(i, 4, 10, QLatin1Char('0')),
                                  i % 4 == 0 ? CommandState::Pending : CommandState::Sent, 1000,
                                  QString() });
    original.recount();
    CommandStore store;
    QString error;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QVERIFY2(store.insert(original, &error), qPrintable(error));
    // At issue: a row per group (sent, pending), no row per target.
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_target_groups")), 2);
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 0);
    CommandRecord atIssue;
    bool exists = false;
    QVERIFY2(store.find(QStringLiteral("c1"), &atIssue, &exists, &error), qPrintable(error));
    QVERIFY(exists);
    QList<CommandRecord> recent;
    QVERIFY2(store.recent(1, &recent, &error), qPrintable(error));
    QCOMPARE(recent.at(0).counts.value(CommandState::Pending), 750);
    QCOMPARE(recent.at(0).counts.value(CommandState::Sent), 2250);

    QVERIFY2(store.expandTargets(QStringLiteral("c1"), &error), qPrintable(error));
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_target_groups")), 0);
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 3000);
    QVERIFY2(store.expandTargets(QStringLiteral("c1"), &error), "twice is harmless");
    CommandRecord asRows;
    QVERIFY2(store.find(QStringLiteral("c1"), &asRows, &exists, &error), qPrintable(error));
    QCOMPARE(asRows.targets.size(), 3000);
    for (int i = 0; i < 3000; ++i) {
        QCOMPARE(asRows.targets.at(i).kiosk, original.targets.at(i).kiosk);
        QCOMPARE(asRows.targets.at(i).state, original.targets.at(i).state);
        QCOMPARE(atIssue.targets.at(i).kiosk, original.targets.at(i).kiosk);
        QCOMPARE(atIssue.targets.at(i).state, original.targets.at(i).state);
    }
    QVERIFY2(store.recent(1, &recent, &error), qPrintable(error));
    QCOMPARE(recent.at(0).counts.value(CommandState::Pending), 750);
    QCOMPARE(recent.at(0).counts.value(CommandState::Sent), 2250);

    // A state written before the rows (their expansion failed): the update
    // makes the rows first, so it is not lost.
    QVERIFY2(store.insert(command(QStringLiteral("c2"), 2000,
                                  { QStringLiteral("a"), QStringLiteral("b") }, CommandState::Sent),
                          &error),
             qPrintable(error));
    QVERIFY2(store.updateTargets(QStringLiteral("c2"),
                                 { { QStringLiteral("b"), CommandState::Done, 2100, QString() } },
                                 false, &error),
             qPrintable(error));
    CommandRecord updated;
    QVERIFY2(store.find(QStringLiteral("c2"), &updated, &exists, &error), qPrintable(error));
    QCOMPARE(updated.targets.size(), 2);
    QCOMPARE(updated.targets.at(0).state, CommandState::Sent);
    QCOMPARE(updated.targets.at(1).state, CommandState::Done);
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_target_groups")), 0);
}

void TestCommandStore::groupsLeftByACrashBecomeRowsAtOpen()
{
    QString error;
    {
        CommandStore store; // "crashes" after the frames, before the rows
        QVERIFY2(store.open(path(), &error), qPrintable(error));
        CommandRecord record
            = command(QStringLiteral("c1"), 1000, { QStringLiteral("a"), QStringLiteral("b") },
                      CommandState::Sent);
        record.targets[0].state = CommandState::Pending;
        record.recount();
        QVERIFY2(store.insert(record, &error), qPrintable(error));
    }
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_target_groups")), 2);
    CommandStore store;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_target_groups")), 0);
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 2);
    QList<CommandRecord> unfinished;
    QVERIFY2(store.loadUnfinished(&unfinished, &error), qPrintable(error));
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.at(0).targets.size(), 2);
    QCOMPARE(unfinished.at(0).targets.at(0).state, CommandState::Pending);
    QCOMPARE(unfinished.at(0).targets.at(1).state, CommandState::Sent);
}

void TestCommandStore::versionOneTablesAreMigrated()
{
    // The tables as version 1 made them, with a command in them.
    const char *const versionOne[] = {
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE commands (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " issuer TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
        " all_kiosks INTEGER NOT NULL, finished INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX commands_by_issued ON commands (issued_at)",
        "CREATE TABLE command_targets (command_id TEXT NOT NULL"
        " REFERENCES commands (id) ON DELETE CASCADE, kiosk TEXT NOT NULL,"
        " state TEXT NOT NULL, changed_at INTEGER NOT NULL, error TEXT,"
        " PRIMARY KEY (command_id, kiosk))",
        "INSERT INTO meta VALUES ('commands_schema_version', '1')",
        "INSERT INTO commands VALUES ('old', 'reset', 'test', 1000, 301000, 1, 0)",
        "INSERT INTO command_targets VALUES ('old', 'a', 'sent', 1000, NULL)",
    };
    for (const char *statement : versionOne)
        QVERIFY2(SqlAside::exec(path(), QString::fromLatin1(statement)), statement);
    QString error;
    CommandStore store;
    QVERIFY2(store.open(path(), &error), qPrintable(error));
    QCOMPARE(
        countOf(QStringLiteral("SELECT value FROM meta WHERE key = 'commands_schema_version'")), 2);
    CommandRecord old;
    bool exists = false;
    QVERIFY2(store.find(QStringLiteral("old"), &old, &exists, &error), qPrintable(error));
    QVERIFY(exists);
    QCOMPARE(old.targets.size(), 1);
    QCOMPARE(old.targets.at(0).state, CommandState::Sent);
    QVERIFY2(store.insert(command(QStringLiteral("new"), 2000, { QStringLiteral("a") }), &error),
             qPrintable(error));
    QVERIFY2(store.expandTargets(QStringLiteral("new"), &error), qPrintable(error));
    QCOMPARE(countOf(QStringLiteral("SELECT COUNT(*) FROM command_targets")), 2);
}

QTEST_GUILESS_MAIN(TestCommandStore)
#include "tst_commandstore.moc"
