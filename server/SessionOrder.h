#pragma once

#include <QHash>
#include <QString>

namespace KioskGate {

/// What a session needs to be kept in a SessionOrder (its base class).
struct SessionLinks
{
    SessionLinks *older = nullptr; // all sessions
    SessionLinks *newer = nullptr;
    SessionLinks *olderOfKiosk = nullptr; // sessions of the same kiosk name
    SessionLinks *newerOfKiosk = nullptr;
    quint64 sequence = 0; // the order it opened in
};

/// Sessions in the order they opened, all of them and per kiosk name:
/// lists through the sessions themselves, so adding and removing are O(1)
/// and allocate nothing but a kiosk name's first entry.
///
/// Why an order: a broadcast that walks sessions as they were allocated
/// touches their memory, their sockets' and the kernel's socket structures
/// in that order too; at 10,000 kiosks that took a quarter to a third off
/// the time to the last ack against a walk in hash order
/// (docs/performance.md). Why not a QSet per kiosk name: in a fleet where
/// every kiosk has a name of its own, each one-element set took about half
/// a KiB.
class SessionOrder
{
public:
    struct Kiosk
    {
        SessionLinks *oldest = nullptr;
        SessionLinks *newest = nullptr;
        qsizetype count = 0;
    };

    /// Adds `session` as the newest, under `kiosk`.
    void append(SessionLinks *session, const QString &kiosk);
    /// Takes out `session`, which was appended under `kiosk`.
    void remove(SessionLinks *session, const QString &kiosk);

    SessionLinks *oldest() const { return m_oldest; }
    SessionLinks *newest() const { return m_newest; }
    qsizetype size() const { return m_size; }
    /// How many kiosk names have sessions.
    qsizetype kioskCount() const { return m_byKiosk.size(); }
    /// The sessions of `kiosk`, or null if it has none.
    const Kiosk *kiosk(const QString &name) const;

private:
    SessionLinks *m_oldest = nullptr;
    SessionLinks *m_newest = nullptr;
    qsizetype m_size = 0;
    quint64 m_nextSequence = 0;
    QHash<QString, Kiosk> m_byKiosk;
};

} // namespace KioskGate
