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
    using Handler = std::function<QJsonObject(const QJsonObject &request)>;

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
