#pragma once

// Shared by the epoll dispatcher's tests (tst_epolltimers, tst_epollevents):
// socket pairs, timer and event counters, and a main() that installs the
// dispatcher on the main thread before the application exists.

#include "EpollEventDispatcher.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QEvent>
#include <QList>
#include <QObject>
#include <QThread>
#include <QTimerEvent>
#include <QtTest>
#include <atomic>
#include <functional>
#include <sys/socket.h>
#include <unistd.h>

namespace KioskGate::EpollTestKit {

inline constexpr int Slack = 1500; // upper bounds only guard against hangs

struct SocketPair
{
    int fds[2] = { -1, -1 };
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    void closeOne(int i)
    {
        ::close(fds[i]);
        fds[i] = -1;
    }
};

inline EpollEventDispatcher *mainDispatcher()
{
    return dynamic_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

class TimerCounter : public QObject
{
public:
    int fired = 0;
    int lastId = 0;
    std::function<void(TimerCounter *, int)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired;
        lastId = event->timerId();
        if (onTimer)
            onTimer(this, event->timerId());
    }
};

class CustomEvent : public QEvent
{
public:
    static QEvent::Type kind() { return QEvent::Type(QEvent::User + 7); }
    CustomEvent() : QEvent(kind()) { }
};

class EventCounter : public QObject
{
public:
    std::atomic<int> received { 0 };
    QList<QThread *> threads;

protected:
    bool event(QEvent *event) override
    {
        if (event->type() == CustomEvent::kind()) {
            ++received;
            threads.append(QThread::currentThread());
            return true;
        }
        return QObject::event(event);
    }
};

} // namespace KioskGate::EpollTestKit

// Before the application exists: the main thread runs on the dispatcher.
#define KIOSKGATE_EPOLL_TEST_MAIN(TestClass)                                                       \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        QCoreApplication::setEventDispatcher(new KioskGate::EpollEventDispatcher);                 \
        QCoreApplication app(argc, argv);                                                          \
        TestClass test;                                                                            \
        return QTest::qExec(&test, argc, argv);                                                    \
    }
