#pragma once

#include <QObject>

namespace KioskGate {

/// Turns SIGINT and SIGTERM (Ctrl+C / console close on Windows) into a
/// Qt signal delivered on the main thread, so shutdown runs as ordinary
/// event-loop code instead of inside a signal handler.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void stopRequested();
};

} // namespace KioskGate
