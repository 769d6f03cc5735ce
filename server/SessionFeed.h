#pragma once

#include "SessionBatch.h"

#include <QHash>
#include <QObject>

class QTimer;

namespace KioskGate {

/// Coalesces session events on the network thread and hands them to the
/// control thread in batches, one queued signal per interval at most, so a
/// window showing 10,000 kiosks never receives 10,000 signals: a reconnect
/// storm becomes a handful of batches, and a session that reported ten
/// heartbeats in one interval is sent once with its latest state.
class SessionFeed : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 150;
    static constexpr int MaxRefusalsPerBatch = 500;

    explicit SessionFeed(QObject *parent = nullptr);

    void setIntervalMs(int ms);
    int intervalMs() const;

    void recordOpened(const SessionInfo &session);
    void recordUpdated(const SessionInfo &session);
    void recordClosed(const SessionInfo &session, int closeCode, const QString &reason, qint64 atMs);
    void recordRefused(const HandshakeRefusal &refusal);

    /// Emits what is pending now (shutdown, tests).
    void flush();

Q_SIGNALS:
    void batchReady(const KioskGate::SessionBatch &batch);

private:
    void schedule();

    QTimer *m_timer;
    SessionBatch m_pending;
    QHash<QString, int> m_openedIndex;           // session id -> index in m_pending.opened
    QHash<QString, SessionInfo> m_updated;       // session id -> latest state
};

} // namespace KioskGate
