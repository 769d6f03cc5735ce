#include "SignalWatcher.h"

#include <QCoreApplication>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#else
#include <windows.h>
#endif

namespace KioskGate {

namespace {
#ifdef Q_OS_UNIX
int s_fds[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // write() is async-signal-safe; nothing else happens in the handler.
    [[maybe_unused]] const ssize_t n = ::write(s_fds[0], &byte, 1);
}
#else
SignalWatcher *s_watcher = nullptr;

BOOL WINAPI onConsoleEvent(DWORD)
{
    if (s_watcher)
        QMetaObject::invokeMethod(s_watcher, &SignalWatcher::stopRequested, Qt::QueuedConnection);
    return TRUE;
}
#endif
} // namespace

SignalWatcher::SignalWatcher(QObject *parent) : QObject(parent)
{
#ifdef Q_OS_UNIX
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_fds) == 0) {
        auto *notifier = new QSocketNotifier(s_fds[1], QSocketNotifier::Read, this);
        connect(notifier, &QSocketNotifier::activated, this, [this] {
            char byte = 0;
            [[maybe_unused]] const ssize_t n = ::read(s_fds[1], &byte, 1);
            Q_EMIT stopRequested();
        });
        struct sigaction action = {};
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
    }
#else
    s_watcher = this;
    SetConsoleCtrlHandler(onConsoleEvent, TRUE);
#endif
}

SignalWatcher::~SignalWatcher()
{
#ifdef Q_OS_UNIX
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
#else
    SetConsoleCtrlHandler(onConsoleEvent, FALSE);
    s_watcher = nullptr;
#endif
}

} // namespace KioskGate
