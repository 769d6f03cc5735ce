#include "CommandCenter.h"

#include "Clock.h"
#include "CommandStore.h"
#include "JsonTime.h"
#include "Logging.h"
#include "RandomId.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimer>
#include <algorithm>
#include <iterator>
#include <vector>

namespace KioskGate {

namespace {

struct KnownKiosk
{
    QString name;
    bool online = false;
};

bool byName(const KnownKiosk &a, const KnownKiosk &b)
{
    return a.name < b.name;
}

// What a kiosk says of a failure is shown to operators and kept in SQLite,
// which cannot hold every QString as it is: control characters and halves
// of surrogate pairs (a JSON escape of one, or a pair the 200-character cut
// split) become U+FFFD, so the store keeps exactly what the console shows.
QString printableError(QString text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t u = text.at(i).unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < text.size()
            && QChar::isLowSurrogate(text.at(i + 1).unicode())) {
            ++i;
            continue;
        }
        if (QChar::isSurrogate(u) || u < 0x20 || u == 0x7f)
            text[i] = QChar(QChar::ReplacementCharacter);
    }
    return text;
}

void sortNames(QStringList *names)
{
    if (!std::is_sorted(names->cbegin(), names->cend()))
        std::sort(names->begin(), names->end());
}

/// The kiosks online or with an active token, each once, sorted by name.
/// Walks the kiosks with a token (the registry answers sorted) and asks the
/// live sessions' table for each: at 10,000 kiosks about 1 ms in a running
/// console (0.15 ms with every name in the processor's caches), where
/// sorting the names online took 1.7 ms and sets of both longer, all of it
/// before a command's first frame. Only kiosks online without an active
/// token (it expired or was revoked while they stayed connected) are listed
/// and sorted.
std::vector<KnownKiosk> onlineOrWithToken(const CommandCenter::Fleet &fleet)
{
    QStringList withTokens = fleet.knownKiosks();
    sortNames(&withTokens);
    std::vector<KnownKiosk> known;
    known.reserve(size_t(withTokens.size()));
    int onlineWithToken = 0;
    for (const QString &name : std::as_const(withTokens)) {
        if (!known.empty() && known.back().name == name)
            continue;
        const bool online = fleet.isOnline(name);
        onlineWithToken += online ? 1 : 0;
        known.push_back({ name, online });
    }
    if (onlineWithToken == fleet.onlineCount())
        return known;

    std::vector<KnownKiosk> withoutToken;
    const QStringList online = fleet.onlineKiosks();
    for (const QString &name : online) {
        if (!std::binary_search(withTokens.cbegin(), withTokens.cend(), name))
            withoutToken.push_back({ name, true });
    }
    std::sort(withoutToken.begin(), withoutToken.end(), byName);
    std::vector<KnownKiosk> all;
    all.reserve(known.size() + withoutToken.size());
    std::merge(known.cbegin(), known.cend(), withoutToken.cbegin(), withoutToken.cend(),
               std::back_inserter(all), byName);
    return all;
}

/// The kiosks `names` gives that are online or have an active token, each
/// once, sorted by name; the others go to `unknown`, in the order given.
/// Asks the sessions' table about these names only: a command to one kiosk
/// of 10,000 looks up one name, not the whole fleet.
std::vector<KnownKiosk> namedKiosks(const CommandCenter::Fleet &fleet, const QStringList &names,
                                    QStringList *unknown)
{
    QStringList withTokens = fleet.knownKiosks();
    sortNames(&withTokens);
    std::vector<KnownKiosk> found;
    QSet<QString> seen;
    for (const QString &name : names) {
        if (seen.contains(name))
            continue;
        seen.insert(name);
        const bool online = fleet.isOnline(name);
        if (online || std::binary_search(withTokens.cbegin(), withTokens.cend(), name))
            found.push_back({ name, online });
        else
            unknown->append(name);
    }
    std::sort(found.begin(), found.end(), byName);
    return found;
}

constexpr int MaxIdChars = 64;
constexpr int MaxErrorChars = 200;
constexpr int MaxNamesInError = 10;
} // namespace

CommandCenter::CommandCenter(CommandStore *store, const Clock *clock, Fleet fleet, QObject *parent)
    : QObject(parent), m_store(store), m_clock(clock), m_fleet(std::move(fleet)),
      m_flushTimer(new QTimer(this)), m_reportTimer(new QTimer(this)), m_sweepTimer(new QTimer(this))
{
    qRegisterMetaType<KioskGate::CommandRecord>();
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(FlushDelayMs);
    connect(m_flushTimer, &QTimer::timeout, this, &CommandCenter::flush);
    m_reportTimer->setSingleShot(true);
    m_reportTimer->setInterval(ReportIntervalMs);
    connect(m_reportTimer, &QTimer::timeout, this, &CommandCenter::report);
    connect(m_sweepTimer, &QTimer::timeout, this, &CommandCenter::sweep);
    m_sweepTimer->start(SweepIntervalMs);
}

CommandCenter::~CommandCenter()
{
    flush();
}

QString CommandCenter::frameFor(const CommandRecord &record)
{
    const QJsonObject frame{{QStringLiteral("type"), QStringLiteral("command")},
                            {QStringLiteral("id"), record.id},
                            {QStringLiteral("name"), record.name},
                            {QStringLiteral("issuedAt"), isoTimeMs(record.issuedAtMs)},
                            {QStringLiteral("expiresAt"), isoTimeMs(record.expiresAtMs)}};
    return QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact));
}

bool CommandCenter::load(QString *error)
{
    QList<CommandRecord> records;
    if (!m_store->loadUnfinished(&records, error))
        return false;
    for (const CommandRecord &record : records) {
        Active active;
        active.record = record;
        active.frame = frameFor(record);
        for (int i = 0; i < record.targets.size(); ++i)
            active.indexOf.insert(record.targets.at(i).kiosk, i);
        m_active.insert(record.id, active);
        m_order.append(record.id);
    }
    if (!records.isEmpty())
        qCInfo(lcCommands) << "resumed" << records.size() << "unfinished command(s)";
    sweep();
    prune();
    return true;
}

CommandRecord CommandCenter::issue(const QString &name, const QStringList &kiosks, const QString &issuer,
                                   QString *error)
{
    auto failWith = [error](const QString &text) {
        if (error)
            *error = text;
        return CommandRecord();
    };
    if (!isCommandName(name))
        return failWith(QStringLiteral("unknown command \"%1\": use reset or reload").arg(name.left(32)));

    std::vector<KnownKiosk> targets;
    if (kiosks.isEmpty()) {
        targets = onlineOrWithToken(m_fleet);
        if (targets.empty())
            return failWith(QStringLiteral("there are no kiosks to command: no active token and no "
                                           "kiosk online"));
    } else {
        QStringList unknown;
        targets = namedKiosks(m_fleet, kiosks, &unknown);
        if (!unknown.isEmpty()) {
            QStringList shown = unknown.mid(0, MaxNamesInError);
            for (QString &n : shown)
                n = n.left(64);
            return failWith(QStringLiteral("unknown kiosk%1 (no active token and not connected): %2%3")
                                .arg(unknown.size() == 1 ? QString() : QStringLiteral("s"),
                                     shown.join(QStringLiteral(", ")),
                                     unknown.size() > MaxNamesInError ? QStringLiteral(", …") : QString()));
        }
    }

    const qint64 now = m_clock->nowMs();
    Active active;
    CommandRecord &record = active.record;
    record.id = RandomId::hex(8);
    record.name = name;
    record.issuer = issuer.left(128);
    record.issuedAtMs = now;
    record.expiresAtMs = now + m_freshnessMs;
    record.allKiosks = kiosks.isEmpty();
    record.targets.reserve(qsizetype(targets.size()));
    for (const KnownKiosk &kiosk : targets) {
        record.targets.append({ kiosk.name,
                                kiosk.online ? CommandState::Sent : CommandState::Pending, now,
                                QString() });
    }
    record.recount();
    active.frame = frameFor(record);

    // Recorded first: a crash after this sends nothing twice that the
    // console does not know about.
    flush();
    QString storeError;
    if (!m_store->insert(record, &storeError))
        return failWith(storeError);
    const int reachable = record.counts.value(CommandState::Sent);
    int sessions = 0;
    if (reachable > 0 && reachable == m_fleet.onlineCount()) {
        // Every kiosk online is a target (a command to all, or names that
        // cover them): one walk through the sessions, where looking up
        // 10,000 names took 1.1 ms before the first frame.
        sessions = m_fleet.sendToAll(active.frame);
    } else if (reachable > 0) {
        QStringList names;
        names.reserve(reachable);
        for (const CommandTarget &target : std::as_const(record.targets)) {
            if (target.state == CommandState::Sent)
                names.append(target.kiosk);
        }
        sessions = m_fleet.sendToKiosks(names, active.frame);
    }
    // The targets were recorded as groups, so the first frame did not wait
    // for a row per kiosk; the rows go in now (or with the next flush, or
    // at the next start, should this fail).
    if (!m_store->expandTargets(record.id, &storeError))
        qCWarning(lcCommands).noquote() << storeError;
    // Built once the frames are out: only acks, which come later, look
    // kiosks up in it (1.5 ms at 10,000 targets).
    active.indexOf.reserve(record.targets.size());
    for (int i = 0; i < record.targets.size(); ++i)
        active.indexOf.insert(record.targets.at(i).kiosk, i);
    qCInfo(lcCommands).noquote() << QStringLiteral("command %1 %2 by %3 to %4 kiosk(s): %5 online (%6 session(s)), %7 offline")
                                        .arg(record.id, record.name, record.issuer)
                                        .arg(record.targets.size())
                                        .arg(record.counts.value(CommandState::Sent))
                                        .arg(sessions)
                                        .arg(record.counts.value(CommandState::Pending));
    m_active.insert(record.id, active);
    m_order.append(record.id);
    scheduleReport(record.id);

    prune();
    return record;
}

void CommandCenter::prune()
{
    int removed = 0;
    QString error;
    if (!m_store->prune(m_clock->nowMs() - KeepFinishedMs, KeepFinishedCount, &removed, &error))
        qCWarning(lcCommands).noquote() << error;
    else if (removed > 0)
        qCInfo(lcCommands) << "pruned" << removed << "old finished command(s)";
}

void CommandCenter::setState(Active &active, int index, const QString &state, const QString &error)
{
    CommandTarget &target = active.record.targets[index];
    --active.record.counts[target.state];
    ++active.record.counts[state];
    target.state = state;
    target.error = printableError(error.left(MaxErrorChars));
    target.changedAtMs = m_clock->nowMs();
    active.dirty.insert(index);
    m_dirtyCommands.insert(active.record.id);
    scheduleFlush();
}

void CommandCenter::scheduleFlush()
{
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void CommandCenter::scheduleReport(const QString &id)
{
    m_toReport.insert(id);
    if (!m_reportTimer->isActive())
        m_reportTimer->start();
}

void CommandCenter::flush()
{
    m_flushTimer->stop();
    for (const QString &id : std::as_const(m_dirtyCommands)) {
        auto it = m_active.find(id);
        if (it == m_active.end())
            continue;
        QList<CommandTarget> changed;
        changed.reserve(it->dirty.size());
        for (int index : std::as_const(it->dirty))
            changed.append(it->record.targets.at(index));
        it->dirty.clear();
        QString error;
        // Nothing better to do on a failed write than to say so: the
        // states stay in memory and are written with the next change.
        if (!m_store->updateTargets(id, changed, it->record.isFinished(), &error))
            qCCritical(lcCommands).noquote() << "cannot record states of command" << id << "-" << error;
        scheduleReport(id);
    }
    m_dirtyCommands.clear();
    const auto actions = std::exchange(m_afterFlush, {});
    for (const auto &action : actions)
        action();
}

void CommandCenter::report()
{
    const QSet<QString> ids = std::exchange(m_toReport, {});
    for (const QString &id : ids) {
        auto it = m_active.find(id);
        if (it == m_active.end())
            continue;
        Q_EMIT commandUpdated(it->record);
        if (it->record.isFinished() && it->dirty.isEmpty()) {
            qCInfo(lcCommands).noquote() << "command" << id << "finished:"
                                         << it->record.counts.value(CommandState::Done) << "done,"
                                         << it->record.counts.value(CommandState::Failed) << "failed,"
                                         << it->record.counts.value(CommandState::TimedOut) << "timed out";
            m_active.erase(it);
            m_order.removeOne(id);
        }
    }
}

void CommandCenter::sweep()
{
    const qint64 now = m_clock->nowMs();
    bool changed = false;
    for (const QString &id : std::as_const(m_order)) {
        Active &active = m_active[id];
        if (now < active.record.expiresAtMs || active.record.isFinished())
            continue;
        for (int i = 0; i < active.record.targets.size(); ++i) {
            const QString state = active.record.targets.at(i).state;
            if (CommandState::isFinal(state))
                continue;
            setState(active, i, CommandState::TimedOut,
                     state == CommandState::Pending ? OfflineTimeoutError : QString());
            changed = true;
        }
    }
    if (changed)
        flush();
}

std::optional<CommandRecord> CommandCenter::command(const QString &id)
{
    flush();
    const auto it = m_active.constFind(id);
    if (it != m_active.cend())
        return it->record;
    CommandRecord record;
    bool found = false;
    QString error;
    if (!m_store->find(id, &record, &found, &error)) {
        qCWarning(lcCommands).noquote() << error;
        return std::nullopt;
    }
    return found ? std::optional<CommandRecord>(record) : std::nullopt;
}

QList<CommandRecord> CommandCenter::recent(int limit)
{
    flush();
    QList<CommandRecord> records;
    QString error;
    if (!m_store->recent(limit, &records, &error))
        qCWarning(lcCommands).noquote() << error;
    return records;
}

void CommandCenter::onSessionOpened(const SessionInfo &session)
{
    m_sessionKiosk.insert(session.id, session.kiosk);
    const qint64 now = m_clock->nowMs();
    for (const QString &id : std::as_const(m_order)) {
        Active &active = m_active[id];
        const auto found = active.indexOf.constFind(session.kiosk);
        // Never after the window: a reset an hour late would surprise.
        if (found == active.indexOf.cend() || now >= active.record.expiresAtMs)
            continue;
        const QString state = active.record.targets.at(*found).state;
        // Once acked, never again: deliveries are idempotent by id.
        if (state != CommandState::Pending && state != CommandState::Sent)
            continue;
        if (state == CommandState::Pending)
            setState(active, *found, CommandState::Sent);
        const QString kiosk = session.kiosk;
        const QString sessionId = session.id;
        const QString frame = active.frame;
        m_afterFlush.append([this, kiosk, sessionId, frame] {
            if (m_fleet.sendToSession)
                m_fleet.sendToSession(kiosk, sessionId, frame);
        });
        scheduleFlush();
    }
}

void CommandCenter::onSessionClosed(const SessionInfo &session)
{
    m_sessionKiosk.remove(session.id);
}

void CommandCenter::onMessage(const QString &sessionId, const QJsonObject &message)
{
    const QString type = message.value(QStringLiteral("type")).toString();
    if (type != QLatin1String("ack") && type != QLatin1String("done"))
        return;
    const QString id = message.value(QStringLiteral("id")).toString();
    const QString kiosk = m_sessionKiosk.value(sessionId);
    if (id.isEmpty() || id.size() > MaxIdChars || kiosk.isEmpty())
        return;
    auto it = m_active.find(id);
    if (it == m_active.end())
        return; // finished, pruned or never ours: nothing to change
    const auto found = it->indexOf.constFind(kiosk);
    if (found == it->indexOf.cend())
        return;
    const QString state = it->record.targets.at(*found).state;
    if (type == QLatin1String("ack")) {
        const bool ok = message.value(QStringLiteral("ok")).toBool(true);
        if (ok && (state == CommandState::Pending || state == CommandState::Sent)) {
            setState(*it, *found, CommandState::Delivered);
        } else if (!ok && !CommandState::isFinal(state)) {
            QString reason = message.value(QStringLiteral("error")).toString();
            if (reason.isEmpty())
                reason = QStringLiteral("refused by the kiosk");
            setState(*it, *found, CommandState::Failed, reason);
            qCInfo(lcCommands).noquote() << "kiosk" << kiosk << "could not run command" << id;
        }
    } else if (state == CommandState::Sent || state == CommandState::Delivered) {
        setState(*it, *found, CommandState::Done);
    }
}

} // namespace KioskGate
