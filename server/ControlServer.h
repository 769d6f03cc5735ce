#pragma once

#include <QJsonObject>
#include <QObject>
#include <functional>

class QLocalServer;
class QLocalSocket;

namespace KioskGate {

/// The local control channel of a running instance: `kioskgate token ...`,
/// `status` and friends reach the running server through it, so that a
/// revoke closes live sessions at once.
///
/// A local socket restricted to the user that runs the console; one JSON
/// request per line, one JSON answer per line.
class ControlServer : public QObject
{
    Q_OBJECT
public:
    /// Answers a request, at once or later: `answer` is called once, on this
    /// object's thread, while `context` (the client's connection) lives. A
    /// handler that waits for the network thread this way keeps the console
    /// window live while `kioskgate reset-all` fans out to the fleet.
    using Handler = std::function<void(const QJsonObject &request, QObject *context,
                                       std::function<void(const QJsonObject &answer)> answer)>;

    explicit ControlServer(Handler handler, QObject *parent = nullptr);
    ~ControlServer() override;

    bool listen(const QString &name, QString *error);
    QString fullServerName() const;

    static constexpr int MaxRequestBytes = 64 * 1024;

private:
    void onNewConnection();
    void onReadyRead(QLocalSocket *socket);

    Handler m_handler;
    QLocalServer *m_server;
};

/// The other end: sends one request to a running instance.
class ControlClient
{
public:
    /// False if no instance answers on `name` (or the answer is not JSON).
    static bool request(const QString &name, const QJsonObject &request, QJsonObject *answer,
                        QString *error, int timeoutMs = 30000);
};

} // namespace KioskGate
