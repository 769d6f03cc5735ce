#include "ControlServer.h"

#include "Logging.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>

namespace KioskGate {

ControlServer::ControlServer(Handler handler, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_server(new QLocalServer(this))
{
    // Only the user running the console may talk to it: the channel can
    // issue tokens.
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    connect(m_server, &QLocalServer::newConnection, this, &ControlServer::onNewConnection);
}

ControlServer::~ControlServer() = default;

bool ControlServer::listen(const QString &name, QString *error)
{
    // A socket file left by a crashed instance would block the name; the
    // caller holds the instance lock, so no live instance owns it.
    QLocalServer::removeServer(name);
    if (!m_server->listen(name)) {
        if (error)
            *error = QStringLiteral("cannot open the control channel %1: %2").arg(name, m_server->errorString());
        return false;
    }
    return true;
}

QString ControlServer::fullServerName() const
{
    return m_server->fullServerName();
}

void ControlServer::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void ControlServer::onReadyRead(QLocalSocket *socket)
{
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > MaxRequestBytes)
            socket->abort();
        return;
    }
    // One request per connection: later lines are not read.
    QObject::disconnect(socket, &QLocalSocket::readyRead, this, nullptr);
    const QByteArray line = socket->readLine(MaxRequestBytes);
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    auto answer = [socket](const QJsonObject &reply) {
        socket->write(QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n');
        socket->disconnectFromServer();
    };
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        answer({ { QStringLiteral("ok"), false },
                 { QStringLiteral("error"), QStringLiteral("malformed request") } });
        return;
    }
    const QJsonObject request = document.object();
    qCInfo(lcControl).noquote() << "control request:"
                                << request.value(QStringLiteral("command")).toString();
    m_handler(request, socket, answer);
}

bool ControlClient::request(const QString &name, const QJsonObject &request, QJsonObject *answer,
                            QString *error, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(qMin(timeoutMs, 5000))) {
        if (error)
            *error = QStringLiteral("no running instance answers on %1 (%2)").arg(name, socket.errorString());
        return false;
    }
    socket.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    socket.flush();
    QElapsedTimer timer;
    timer.start();
    while (!socket.canReadLine()) {
        const int left = timeoutMs - int(timer.elapsed());
        if (left <= 0 || (!socket.waitForReadyRead(left) && !socket.canReadLine())) {
            if (error)
                *error = QStringLiteral("the running instance did not answer in time");
            return false;
        }
    }
    const QJsonDocument document = QJsonDocument::fromJson(socket.readLine());
    if (!document.isObject()) {
        if (error)
            *error = QStringLiteral("the running instance sent an unreadable answer");
        return false;
    }
    *answer = document.object();
    return true;
}

} // namespace KioskGate
