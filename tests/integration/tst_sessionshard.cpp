// SessionShard on the test's own thread, over real loopback connections
// upgraded by a real QWebSocketServer (WebSocketUpgrader without threads),
// with raw POSIX sockets as kiosks so the test controls every byte and can
// reset a connection:
// - a command goes out to the sessions in the order they opened (kernel
//   receive timestamps of each kiosk's frame), which keeps a broadcast's
//   walk through memory in allocation order;
// - a kiosk whose connection was reset before the command is dropped while
//   the command is being written (its send fails at once), and the sessions
//   after it still get the frame.

#include "Clock.h"
#include "DirectWriteSocket.h"
#include "InboundByteBudget.h"
#include "LoopbackListener.h"
#include "MinimalUpgradeHead.h"
#include "SessionShard.h"
#include "WebSocketUpgrader.h"

#include <QSignalSpy>
#include <QWebSocket>
#include <QtTest>
#include <arpa/inet.h>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace KioskGate;

namespace {

const QString CommandText = QStringLiteral(R"({"type":"command","id":"c1","name":"reset"})");

/// A kiosk on a raw socket: what it received, and when the kernel received
/// its last segment (SO_TIMESTAMPNS).
struct RawKiosk
{
    int fd = -1;
    QByteArray received;
    qint64 lastArrivalNs = 0;

    ~RawKiosk()
    {
        if (fd >= 0)
            ::close(fd);
    }

    bool connectTo(quint16 port)
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
            && ::send(fd, MinimalUpgradeHead.constData(), size_t(MinimalUpgradeHead.size()),
                      MSG_NOSIGNAL)
            == MinimalUpgradeHead.size();
    }

    /// Reads what has arrived, without waiting.
    void read()
    {
        for (;;) {
            char data[4096];
            char control[CMSG_SPACE(sizeof(timespec))];
            iovec part { data, sizeof data };
            msghdr message {};
            message.msg_iov = &part;
            message.msg_iovlen = 1;
            message.msg_control = control;
            message.msg_controllen = sizeof control;
            const ssize_t n = ::recvmsg(fd, &message, MSG_DONTWAIT);
            if (n <= 0)
                return;
            received.append(data, qsizetype(n));
            for (cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
                    timespec at;
                    std::memcpy(&at, CMSG_DATA(c), sizeof at);
                    lastArrivalNs = qint64(at.tv_sec) * 1'000'000'000 + at.tv_nsec;
                }
            }
        }
    }

    bool hasText(const QString &text) const { return received.contains(text.toUtf8()); }

    /// Closes with a reset (SO_LINGER 0), as a crashed or unplugged kiosk's
    /// stack may.
    void reset()
    {
        const linger now { 1, 0 };
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
        ::close(fd);
        fd = -1;
    }
};

/// A shard with sessions opened as the server opens them.
class Fixture
{
public:
    Fixture()
        : m_upgrader(
            0, {},
            [this](QWebSocket *webSocket, QTcpSocket *tcp, quint64 ticket) {
                SessionShard::Opening opening;
                opening.decision.accepted = true;
                opening.decision.transport = Protocol::Transport::Header;
                opening.decision.claims.subject = m_kioskOfTicket.value(ticket);
                opening.decision.claims.jti = QStringLiteral("jti-%1").arg(ticket);
                opening.address = QStringLiteral("127.0.0.1");
                opening.budget = m_budgets.take(ticket);
                m_tcpOfTicket.insert(ticket, tcp);
                shard.open(webSocket, tcp, opening);
            },
            [](quint64) { QFAIL("nothing is abandoned"); })
    { }

    bool listen() { return m_listener.listen(QHostAddress::LocalHost); }

    /// Opens a session for `kiosk`; waits until the kiosk has its welcome.
    RawKiosk *open(const QString &kiosk)
    {
        auto raw = std::make_unique<RawKiosk>();
        if (!raw->connectTo(m_listener.serverPort()))
            return nullptr;
        if (!QTest::qWaitFor([&] { return !m_listener.accepted.empty(); }, 5000))
            return nullptr;
        QTcpSocket *tcp = m_listener.accepted.front().release();
        m_listener.accepted.clear();
        if (!QTest::qWaitFor([&] { return tcp->bytesAvailable() >= MinimalUpgradeHead.size(); },
                             5000))
            return nullptr;
        const quint64 ticket = quint64(m_kiosks.size() + 1);
        m_kioskOfTicket.insert(ticket, kiosk);
        m_budgets.insert(ticket,
                         new InboundByteBudget(tcp, &m_clock, 64 * 1024, 256 * 1024, [] {}));
        m_upgrader.upgrade(tcp, ticket);
        RawKiosk *opened = raw.get();
        m_kiosks.push_back(std::move(raw));
        const bool welcomed = QTest::qWaitFor(
            [&] {
                opened->read();
                return opened->received.contains("\"welcome\"");
            },
            5000);
        return welcomed ? opened : nullptr;
    }

    /// The server's end of the `index`-th kiosk's connection.
    QTcpSocket *serverSide(int index) const { return m_tcpOfTicket.value(quint64(index + 1)); }

    SystemClock m_clock;
    SessionShard shard { &m_clock };

private:
    LoopbackListener<DirectWriteSocket> m_listener;
    WebSocketUpgrader m_upgrader;
    QHash<quint64, QString> m_kioskOfTicket;
    QHash<quint64, InboundByteBudget *> m_budgets;
    QHash<quint64, QTcpSocket *> m_tcpOfTicket;
    std::vector<std::unique_ptr<RawKiosk>> m_kiosks;
};

/// Waits (without the event loop) until the kernel has taken the reset on
/// the server's end, so the next send() there fails at once.
bool kernelSawReset(QTcpSocket *serverSide)
{
    pollfd entry { int(serverSide->socketDescriptor()), POLLIN, 0 };
    for (int i = 0; i < 100; ++i) {
        if (::poll(&entry, 1, 10) == 1 && (entry.revents & (POLLHUP | POLLERR)))
            return true;
    }
    return false;
}

} // namespace

class TestSessionShard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void commandGoesOutInOpeningOrder();
    void kioskResetBeforeTheCommandIsDroppedAmidIt();
    void everyKioskOnlineOrANameGivenTwice();
    void aFewKiosksNamedTwiceGetTheFrameOnce();
};

void TestSessionShard::commandGoesOutInOpeningOrder()
{
    Fixture f;
    QVERIFY(f.listen());
    // Two kiosk names, interleaved; two sessions share each name.
    const QStringList names { QStringLiteral("lobby"), QStringLiteral("hall"),
                              QStringLiteral("lobby"), QStringLiteral("hall"),
                              QStringLiteral("atrium") };
    std::vector<RawKiosk *> kiosks;
    for (const QString &name : names) {
        kiosks.push_back(f.open(name));
        QVERIFY(kiosks.back());
    }
    QCOMPARE(f.shard.sendToKiosks({ QStringLiteral("hall"), QStringLiteral("lobby") }, CommandText),
             4);
    for (int i = 0; i < 4; ++i)
        QVERIFY(QTest::qWaitFor(
            [&] {
                kiosks[size_t(i)]->read();
                return kiosks[size_t(i)]->hasText(CommandText);
            },
            5000));
    for (int i = 1; i < 4; ++i)
        QVERIFY2(
            kiosks[size_t(i - 1)]->lastArrivalNs < kiosks[size_t(i)]->lastArrivalNs,
            qPrintable(QStringLiteral("kiosk %1 got the frame before kiosk %2").arg(i).arg(i - 1)));
    QTest::qWait(50);
    kiosks[4]->read();
    QVERIFY(!kiosks[4]->hasText(CommandText)); // not a target

    // The sessions, listed in the same order.
    const QList<SessionInfo> listed = f.shard.snapshot();
    QCOMPARE(listed.size(), names.size());
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(listed.at(i).kiosk, names.at(i));
}

void TestSessionShard::kioskResetBeforeTheCommandIsDroppedAmidIt()
{
    Fixture f;
    QVERIFY(f.listen());
    std::vector<RawKiosk *> kiosks;
    for (int i = 0; i < 4; ++i) {
        kiosks.push_back(f.open(QStringLiteral("lobby")));
        QVERIFY(kiosks.back());
    }
    // A kiosk with a session of its own, as most are.
    RawKiosk *solo = f.open(QStringLiteral("solo"));
    QVERIFY(solo);
    QSignalSpy closed(&f.shard, &SessionShard::sessionClosed);
    // The first and the third reset, and the solo kiosk; the event loop has
    // not seen it when the command goes out.
    kiosks[0]->reset();
    kiosks[2]->reset();
    solo->reset();
    QVERIFY(kernelSawReset(f.serverSide(0)));
    QVERIFY(kernelSawReset(f.serverSide(2)));
    QVERIFY(kernelSawReset(f.serverSide(4)));
    f.shard.sendToKiosks({ QStringLiteral("lobby"), QStringLiteral("solo") }, CommandText);

    for (int i : { 1, 3 })
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         kiosks[size_t(i)]->read();
                         return kiosks[size_t(i)]->hasText(CommandText);
                     },
                     5000),
                 qPrintable(QString::number(i)));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 3, 5000);
    // Lost without a close frame: 1006, which the console's drop alarm counts.
    for (const auto &arguments : closed)
        QCOMPARE(arguments.at(1).toInt(), 1006);
    QCOMPARE(f.shard.snapshot().size(), 2);
    // The shard goes on: a second command reaches the two left.
    const QString second = QStringLiteral(R"({"type":"command","id":"c2","name":"reload"})");
    QCOMPARE(f.shard.sendToKiosks({ QStringLiteral("lobby") }, second), 2);
    for (int i : { 1, 3 })
        QVERIFY(QTest::qWaitFor(
            [&] {
                kiosks[size_t(i)]->read();
                return kiosks[size_t(i)]->hasText(second);
            },
            5000));
}

void TestSessionShard::everyKioskOnlineOrANameGivenTwice()
{
    Fixture f;
    QVERIFY(f.listen());
    const QStringList names { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("a"),
                              QStringLiteral("c") };
    std::vector<RawKiosk *> kiosks;
    for (const QString &name : names) {
        kiosks.push_back(f.open(name));
        QVERIFY(kiosks.back());
    }
    auto reached = [&](int i, const QString &text) {
        return QTest::qWaitFor(
            [&] {
                kiosks[size_t(i)]->read();
                return kiosks[size_t(i)]->hasText(text);
            },
            5000);
    };
    // As many names as kiosks online, but one of them twice: "c" is not a
    // target.
    QCOMPARE(f.shard.sendToKiosks({ QStringLiteral("a"), QStringLiteral("a"), QStringLiteral("b") },
                                  CommandText),
             3);
    for (int i : { 0, 1, 2 })
        QVERIFY2(reached(i, CommandText), qPrintable(QString::number(i)));
    QTest::qWait(50);
    kiosks[3]->read();
    QVERIFY(!kiosks[3]->hasText(CommandText));

    // Every kiosk online, plus one that is not: all four sessions, in
    // opening order.
    const QString second = QStringLiteral(R"({"type":"command","id":"c2","name":"reload"})");
    QCOMPARE(f.shard.sendToKiosks({ QStringLiteral("c"), QStringLiteral("offline"),
                                    QStringLiteral("b"), QStringLiteral("a") },
                                  second),
             4);
    for (int i = 0; i < 4; ++i)
        QVERIFY2(reached(i, second), qPrintable(QString::number(i)));
    for (int i = 1; i < 4; ++i)
        QVERIFY(kiosks[size_t(i - 1)]->lastArrivalNs < kiosks[size_t(i)]->lastArrivalNs);

    // Without names at all: the same four, in the same order.
    const QString third = QStringLiteral(R"({"type":"command","id":"c3","name":"reset"})");
    QCOMPARE(f.shard.sendToAll(third), 4);
    for (int i = 0; i < 4; ++i)
        QVERIFY2(reached(i, third), qPrintable(QString::number(i)));
    for (int i = 1; i < 4; ++i)
        QVERIFY(kiosks[size_t(i - 1)]->lastArrivalNs < kiosks[size_t(i)]->lastArrivalNs);
}

void TestSessionShard::aFewKiosksNamedTwiceGetTheFrameOnce()
{
    // Few targets among many sessions: found by name, not by a walk.
    Fixture f;
    QVERIFY(f.listen());
    for (int i = 0; i < 9; ++i)
        QVERIFY(f.open(QStringLiteral("busy")));
    RawKiosk *solo = f.open(QStringLiteral("solo"));
    QVERIFY(solo);
    QCOMPARE(f.shard.sendToKiosks({ QStringLiteral("solo"), QStringLiteral("solo") }, CommandText),
             1);
    QVERIFY(QTest::qWaitFor(
        [&] {
            solo->read();
            return solo->hasText(CommandText);
        },
        5000));
    QTest::qWait(50);
    solo->read();
    QCOMPARE(solo->received.count(CommandText.toUtf8()), 1);
}

QTEST_GUILESS_MAIN(TestSessionShard)
#include "tst_sessionshard.moc"
