// Fuzz target: text frames from an authenticated kiosk, through the code a
// session runs on them: KioskMessage::parse (what SessionManager answers or
// forwards) and CommandCenter::onMessage / onSessionOpened (ack, done and
// everything else) over a real CommandStore (SQLite, in memory).
//
// Input: lines (the first 64 count); each line is one text frame from one session. The line's
// first character picks the session: 'a', 'b', 'c' are live sessions of
// kiosks a, b, c; 'd' is kiosk d, whose session opens on its first line;
// anything else is a session the center never saw. In the rest of the line
// "$0" and "$1" stand for the ids of the two commands issued per input:
//   $0 = reset to a and b (both online: sent),
//   $1 = reload to a and d (a sent, d offline: pending);
// kiosk c is online but a target of neither.
// Properties:
// - never crashes or leaks (sanitizers);
// - a malformed or unknown-type frame is one well-formed error reply
//   ({"type":"error","error":"malformed_message"|"unknown_type"}) and goes
//   no further; even if it reached the command center it would change
//   nothing;
// - a status frame stores at most 64 / 2048 characters, prefixes of what
//   the kiosk sent;
// - a frame changes at most one target: the one whose command id it names
//   exactly, of the kiosk whose session sent it; and only along the
//   contract: ack ok -> delivered from pending/sent, ack ok:false -> failed
//   from any non-final state, done -> done from sent/delivered; an ack or
//   done for an unknown id, another kiosk's command or from an unknown
//   session changes nothing;
// - every frame is idempotent: the same frame again changes nothing;
// - kiosk messages never make the center send a frame; a session opening
//   gets each fresh unacked command of its kiosk exactly once;
// - the store holds exactly the states the center reports, and the sweep
//   after the window times out every target that was not final.

#include "Clock.h"
#include "CommandCenter.h"
#include "CommandStore.h"
#include "FuzzApplication.h"
#include "FuzzCheck.h"
#include "KioskMessage.h"

#include <QJsonDocument>
#include <QMultiHash>

#include <memory>

using namespace KioskGate;

namespace {

constexpr qint64 FreshnessMs = 60'000;
constexpr int MaxFrames = 64;
const QStringList Kiosks = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};

void quiet(QtMsgType, const QMessageLogContext &, const QString &) {}

struct Fleet
{
    QStringList online;
    int framesSent = 0;
    QMultiHash<QString, QString> framesTo; // session id -> frame

    CommandCenter::Fleet fleet()
    {
        CommandCenter::Fleet f;
        f.knownKiosks = [] { return Kiosks; };
        f.onlineKiosks = [this] { return online; };
        f.isOnline = [this](const QString &kiosk) { return online.contains(kiosk); };
        f.onlineCount = [this] { return int(online.size()); };
        f.sendToKiosks = [this](const QStringList &kiosks, const QString &text) {
            int sent = 0;
            for (const QString &kiosk : kiosks) {
                if (!online.contains(kiosk))
                    continue;
                ++sent;
                framesTo.insert(QStringLiteral("s-") + kiosk, text);
            }
            framesSent += sent;
            return sent;
        };
        f.sendToSession = [this](const QString &kiosk, const QString &session, const QString &text) {
            if (!online.contains(kiosk))
                return false;
            ++framesSent;
            framesTo.insert(session, text);
            return true;
        };
        return f;
    }
};

// Built once: the application object QtSql needs and one store. Each input
// gets its own center and commands; its clock starts past the previous
// input's retention, so issuing prunes the last input's (finished) commands
// and the store stays a few rows big.
struct Fixture
{
    Fuzz::Application application;
    CommandStore store;
    qint64 nextStartMs = 1'800'000'000'000;

    Fixture()
    {
        qInstallMessageHandler(quiet);
        QString error;
        if (!store.open(QStringLiteral(":memory:"), &error)) {
            std::fprintf(stderr, "cannot open the command store: %s\n", qPrintable(error));
            std::abort();
        }
    }
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

using States = QList<CommandTarget>; // all targets of both commands, in order

States statesOf(CommandCenter &center, const QStringList &ids)
{
    States states;
    for (const QString &id : ids) {
        const std::optional<CommandRecord> record = center.command(id);
        FUZZ_CHECK(record.has_value());
        states.append(record->targets);
    }
    return states;
}

bool sameTarget(const CommandTarget &x, const CommandTarget &y)
{
    return x.kiosk == y.kiosk && x.state == y.state && x.error == y.error && x.changedAtMs == y.changedAtMs;
}

// The target a frame may change: (command index, target index), or -1.
int changeableIndex(const QJsonObject &message, const QString &kiosk, const QStringList &ids,
                    const QList<CommandRecord> &records, int *commandIndex)
{
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (kiosk.isEmpty() || !id.isString())
        return -1;
    const int command = int(ids.indexOf(id.toString()));
    if (command < 0)
        return -1;
    for (int i = 0; i < records.at(command).targets.size(); ++i) {
        if (records.at(command).targets.at(i).kiosk == kiosk) {
            *commandIndex = command;
            return i;
        }
    }
    return -1;
}

// The state the contract allows after `message` on a target in `state`.
// As the center keeps a kiosk's error text: control characters and unpaired
// surrogates replaced by U+FFFD (written here without the center's code).
QString printable(const QString &text)
{
    QString out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        const bool pairStart
            = c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate();
        if (pairStart) {
            out += c;
            out += text.at(++i);
        } else if (c.isSurrogate() || c.unicode() < 0x20 || c.unicode() == 0x7f) {
            out += QChar(0xfffd);
        } else {
            out += c;
        }
    }
    return out;
}

CommandTarget expectedAfter(const QJsonObject &message, const CommandTarget &before, qint64 now)
{
    CommandTarget after = before;
    const QString type = message.value(QStringLiteral("type")).toString();
    const bool changeable = !CommandState::isFinal(before.state);
    if (type == QLatin1String("ack")) {
        // Parsed acks carry a boolean "ok" or none (true); a non-boolean one
        // is malformed and never reaches the center.
        const bool ok = message.value(QStringLiteral("ok")).toBool(true);
        if (ok && (before.state == CommandState::Pending || before.state == CommandState::Sent)) {
            after.state = CommandState::Delivered;
            after.error.clear();
        } else if (!ok && changeable) {
            after.state = CommandState::Failed;
            const QString reason = message.value(QStringLiteral("error")).toString();
            after.error = printable(
                (reason.isEmpty() ? QStringLiteral("refused by the kiosk") : reason).left(200));
        } else {
            return after;
        }
        after.changedAtMs = now;
    } else if (type == QLatin1String("done")
               && (before.state == CommandState::Sent || before.state == CommandState::Delivered)) {
        after.state = CommandState::Done;
        after.error.clear();
        after.changedAtMs = now;
    }
    return after;
}

void checkParse(const QString &text, const KioskMessage &message)
{
    FUZZ_CHECK(KioskMessage::parse(text).kind == message.kind); // deterministic
    FUZZ_CHECK(message.isError() == !message.errorCode().isEmpty());
    if (message.isError()) {
        const QJsonObject reply = QJsonDocument::fromJson(message.errorFrame().toUtf8()).object();
        FUZZ_CHECK(reply.size() == 2);
        FUZZ_CHECK(reply.value(QStringLiteral("type")).toString() == QLatin1String("error"));
        const QString code = reply.value(QStringLiteral("error")).toString();
        FUZZ_CHECK(code == (message.kind == KioskMessage::Kind::Malformed ? QLatin1String("malformed_message")
                                                                          : QLatin1String("unknown_type")));
    }
    const QString type = message.object.value(QStringLiteral("type")).toString();
    switch (message.kind) {
    case KioskMessage::Kind::Malformed:
        FUZZ_CHECK(message.object.isEmpty());
        break;
    case KioskMessage::Kind::UnknownType:
        FUZZ_CHECK(type != QLatin1String("status") && type != QLatin1String("ack") && type != QLatin1String("done"));
        break;
    case KioskMessage::Kind::Status: {
        FUZZ_CHECK(type == QLatin1String("status"));
        FUZZ_CHECK(message.clientVersion.size() <= KioskMessage::MaxClientVersionChars);
        FUZZ_CHECK(message.pageUrl.size() <= KioskMessage::MaxPageUrlChars);
        FUZZ_CHECK(message.object.value(QStringLiteral("clientVersion")).toString().startsWith(message.clientVersion));
        FUZZ_CHECK(message.object.value(QStringLiteral("pageUrl")).toString().startsWith(message.pageUrl));
        break;
    }
    case KioskMessage::Kind::Ack: {
        FUZZ_CHECK(type == QLatin1String("ack"));
        const QJsonValue ok = message.object.value(QStringLiteral("ok"));
        FUZZ_CHECK(ok.isUndefined() || ok.isBool());
        break;
    }
    case KioskMessage::Kind::Done:
        FUZZ_CHECK(type == QLatin1String("done"));
        break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fixture &f = fixture();
    ManualClock clock(f.nextStartMs);
    f.nextStartMs += CommandCenter::KeepFinishedMs + 3'600'000;
    Fleet fleet;
    fleet.online = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    auto center = std::make_unique<CommandCenter>(&f.store, &clock, fleet.fleet());
    center->setFreshnessMs(FreshnessMs);
    for (const QString &kiosk : std::as_const(fleet.online)) {
        SessionInfo session;
        session.kiosk = kiosk;
        session.id = QStringLiteral("s-") + kiosk;
        center->onSessionOpened(session);
    }
    QString error;
    const CommandRecord reset = center->issue(QStringLiteral("reset"), {QStringLiteral("a"), QStringLiteral("b")},
                                              QStringLiteral("fuzz"), &error);
    const CommandRecord reload = center->issue(QStringLiteral("reload"), {QStringLiteral("a"), QStringLiteral("d")},
                                               QStringLiteral("fuzz"), &error);
    FUZZ_CHECK(reset.isValid() && reload.isValid());
    const QStringList ids = {reset.id, reload.id};
    const QList<CommandRecord> records = {reset, reload};
    FUZZ_CHECK(fleet.framesSent == 3); // a and b for the reset, a for the reload
    bool dOnline = false;

    const QList<QByteArray> lines = Fuzz::bytes(data, size).split('\n');
    int frames = 0;
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        // A few dozen frames reach every state of both commands; longer
        // inputs would only slow the fuzzer down.
        if (++frames > MaxFrames)
            break;
        clock.advanceMs(1); // 8 KiB of lines stay well inside the window
        const char who = line.at(0);
        QString sessionId = QStringLiteral("s-unknown");
        QString kiosk; // empty: a session the center never saw
        if (who >= 'a' && who <= 'd') {
            kiosk = QString(QLatin1Char(who));
            sessionId = QStringLiteral("s-") + kiosk;
        }
        if (who == 'd' && !dOnline) {
            // Kiosk d connects: its pending reload goes out once, after the
            // state change is stored.
            dOnline = true;
            fleet.online.append(QStringLiteral("d"));
            const int before = fleet.framesSent;
            SessionInfo session;
            session.kiosk = kiosk;
            session.id = sessionId;
            center->onSessionOpened(session);
            const States now = statesOf(*center, ids); // flushes
            FUZZ_CHECK(fleet.framesSent == before + (now.at(3).state == CommandState::Sent ? 1 : 0));
            FUZZ_CHECK(now.at(3).state != CommandState::Pending);
        }
        QString text = QString::fromUtf8(line.mid(1));
        text.replace(QLatin1String("$0"), reset.id).replace(QLatin1String("$1"), reload.id);

        const KioskMessage message = KioskMessage::parse(text);
        checkParse(text, message);

        const States before = statesOf(*center, ids);
        const int framesBefore = fleet.framesSent;
        // What SessionManager forwards (errors go nowhere); an error's
        // object is forwarded here anyway: the center must ignore it too.
        center->onMessage(sessionId, message.object);
        const States after = statesOf(*center, ids);
        FUZZ_CHECK(fleet.framesSent == framesBefore);

        int command = -1;
        const int index = message.isError() || message.kind == KioskMessage::Kind::Status
            ? -1
            : changeableIndex(message.object, kiosk, ids, records, &command);
        int flat = -1;
        if (index >= 0)
            flat = (command == 0 ? 0 : int(reset.targets.size())) + index;
        for (int i = 0; i < after.size(); ++i) {
            if (i == flat)
                FUZZ_CHECK(sameTarget(after.at(i), expectedAfter(message.object, before.at(i), clock.nowMs())));
            else
                FUZZ_CHECK(sameTarget(after.at(i), before.at(i)));
        }
        // Idempotent: the same frame again changes nothing.
        clock.advanceMs(1);
        center->onMessage(sessionId, message.object);
        const States again = statesOf(*center, ids);
        for (int i = 0; i < again.size(); ++i)
            FUZZ_CHECK(sameTarget(again.at(i), after.at(i)));
    }

    // The store says what the center says.
    const States reported = statesOf(*center, ids);
    for (int c = 0; c < 2; ++c) {
        CommandRecord record;
        bool found = false;
        FUZZ_CHECK(f.store.find(ids.at(c), &record, &found, &error) && found);
        const std::optional<CommandRecord> live = center->command(ids.at(c));
        FUZZ_CHECK(live && live->targets.size() == record.targets.size());
        for (const CommandTarget &target : live->targets) {
            bool match = false;
            for (const CommandTarget &s : std::as_const(record.targets))
                match = match || (s.kiosk == target.kiosk && s.state == target.state && s.error == target.error);
            FUZZ_CHECK(match);
        }
    }

    // After the window every target is final; final ones stayed as they were.
    clock.advanceMs(FreshnessMs + 1);
    center->sweep();
    const States swept = statesOf(*center, ids);
    for (int i = 0; i < swept.size(); ++i) {
        FUZZ_CHECK(CommandState::isFinal(swept.at(i).state));
        if (CommandState::isFinal(reported.at(i).state))
            FUZZ_CHECK(sameTarget(swept.at(i), reported.at(i)));
        else
            FUZZ_CHECK(swept.at(i).state == CommandState::TimedOut);
    }
    center.reset();
    return 0;
}
