#pragma once

// Shared by the abuse tests (tst_gateabuse, tst_sessionabuse): attackers on
// other loopback addresses, hand-made WebSocket frames and connections, and
// the proof that a legitimate kiosk is still served.

#include "KioskClient.h"
#include "ServerFixture.h"
#include "TlsCertificates.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QtTest>
#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace KioskGate::AbuseKit {

inline QHostAddress attacker(int n)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(n));
}

// `count` plain connections to `port`, spread over 127.0.0.2-5, still
// connecting when this returns.
inline QList<QTcpSocket *> openConnections(int count, quint16 port)
{
    QList<QTcpSocket *> sockets;
    for (int i = 0; i < count; ++i) {
        auto *socket = new QTcpSocket;
        socket->bind(attacker(2 + i % 4), 0);
        socket->connectToHost(QHostAddress::LocalHost, port);
        sockets.append(socket);
    }
    return sockets;
}

inline int connectedCount(const QList<QTcpSocket *> &sockets)
{
    return int(std::count_if(sockets.cbegin(), sockets.cend(), [](const QTcpSocket *s) {
        return s->state() == QAbstractSocket::ConnectedState;
    }));
}

// A certificate for the console and a client configuration that trusts it
// alone; false (with `error`) if the certificate could not be made.
inline bool makeTlsPair(TlsIdentity *identity, QSslConfiguration *trusting, QString *error)
{
    if (!TlsCertificates::generate(TlsCertificates::defaultRequest(), identity, error))
        return false;
    *trusting = QSslConfiguration::defaultConfiguration();
    trusting->setCaCertificates(QSslCertificate::fromData(identity->certificatePem));
    trusting->setPeerVerifyMode(QSslSocket::VerifyPeer);
    return true;
}

// VmRSS / VmHWM of this process in KiB (the server runs in it), or -1.
inline qint64 procStatusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field)) + 1).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// One masked client frame (RFC 6455 5.2).
inline QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0x00) | opcode));
    const qint64 n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(n >> 8)).append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((n >> shift) & 0xff));
    }
    const char mask[4] = { 0x11, 0x22, 0x33, 0x44 };
    frame.append(mask, 4);
    for (qint64 i = 0; i < n; ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

// A frame header announcing `length` bytes, without the bytes.
inline QByteArray clientFrameHeader(quint8 opcode, quint64 length)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    frame.append(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        frame.append(char((length >> shift) & 0xff));
    frame.append("\x11\x22\x33\x44", 4);
    return frame;
}

// Finds the close code in the server frames after the 101 head, or -1.
inline int closeCodeIn(const QByteArray &stream)
{
    int pos = stream.indexOf("\r\n\r\n");
    if (pos < 0)
        return -1;
    pos += 4;
    while (pos + 2 <= stream.size()) {
        const quint8 opcode = quint8(stream.at(pos)) & 0x0f;
        quint64 length = quint8(stream.at(pos + 1)) & 0x7f;
        int header = 2;
        if (length == 126) {
            if (pos + 4 > stream.size())
                return -1;
            length = (quint8(stream.at(pos + 2)) << 8) | quint8(stream.at(pos + 3));
            header = 4;
        } else if (length == 127) {
            return -1; // the server never sends frames that big here
        }
        if (pos + header + qint64(length) > stream.size())
            return -1;
        if (opcode == 0x8 && length >= 2)
            return (quint8(stream.at(pos + header)) << 8) | quint8(stream.at(pos + header + 1));
        pos += header + int(length);
    }
    return -1;
}

// A raw WebSocket connection from `local`: the upgrade is done by hand so
// the test controls every byte (and whether it ever reads again).
struct RawKiosk
{
    QTcpSocket socket;
    QByteArray received;

    bool open(quint16 port, const QByteArray &token, const QHostAddress &local,
              int receiveBuffer = 0)
    {
        socket.bind(local, 0);
#ifdef Q_OS_UNIX
        if (receiveBuffer > 0) {
            // Before connect, so the window stays small: the server's
            // frames pile up on its side once this one stops reading.
            const int fd = int(socket.socketDescriptor());
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        }
#endif
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(5000))
            return false;
        socket.write(ServerFixture::upgrade("Authorization: Bearer " + token + "\r\n"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 5000 && !received.contains("\"welcome\"")) {
            socket.waitForReadyRead(50);
            received += socket.readAll();
        }
        if (receiveBuffer > 0)
            socket.setReadBufferSize(receiveBuffer); // Qt stops draining the kernel too
        return received.startsWith("HTTP/1.1 101") && received.contains("\"welcome\"");
    }

    // Reads until the server's close frame or the connection end.
    int waitClose(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            socket.waitForReadyRead(50);
            received += socket.readAll();
            const int code = closeCodeIn(received);
            if (code != -1)
                return code;
            if (socket.state() == QAbstractSocket::UnconnectedState)
                return 1006;
        }
        return -1;
    }
};

// Starts a new VmHWM period (Linux: "5" to clear_refs), so the peak
// measured by one case is not an earlier case's peak; false if it cannot.
inline bool resetPeakRss()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

// A fresh kiosk on 127.0.0.1 connects, gets a reload command and acks it.
inline void proveKioskServed(ServerFixture &f, const QByteArray &token, const QString &kiosk,
                             const QSslConfiguration *tls = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    KioskClient client;
    if (tls)
        client.socket.setSslConfiguration(*tls);
    client.open(f.server().kioskUrl(), token);
    QTRY_COMPARE_WITH_TIMEOUT(client.kiosk, kiosk, 10000);
    QString error;
    const CommandRecord record = f.server().issueCommand(QStringLiteral("reload"), { kiosk },
                                                         QStringLiteral("abuse test"), &error);
    QVERIFY2(!record.id.isEmpty(), qPrintable(error));
    auto gotCommand = [&] {
        for (const QJsonObject &m : client.messages) {
            if (m.value(QStringLiteral("type")) == QLatin1String("command")
                && m.value(QStringLiteral("id")).toString() == record.id)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(gotCommand(), 10000);
    client.socket.sendTextMessage(
        QStringLiteral("{\"type\":\"ack\",\"id\":\"%1\",\"ok\":true}").arg(record.id));
    QTRY_VERIFY_WITH_TIMEOUT(
        f.server().command(record.id).has_value()
            && f.server().command(record.id)->counts.value(CommandState::Delivered) == 1,
        10000);
    client.socket.close();
    qInfo("legitimate kiosk %s connected and acked a command in %lld ms", qPrintable(kiosk),
          timer.elapsed());
}

} // namespace KioskGate::AbuseKit
