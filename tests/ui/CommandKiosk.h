#pragma once

// A kiosk that acts on commands the way the browser client does: on a
// command frame it acks, "reloads" (closes its connection with 1001 and
// opens a new one with the same token) and, after the next welcome, sends
// done. Real QWebSocket connections; plain or TLS.

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <functional>

class CommandKiosk
{
public:
    /// How it connects: a browser (origin, subprotocol) or a native client
    /// (header); `status` is sent after every welcome, as the browser
    /// client reports its version and page.
    struct Options
    {
        QString origin;
        bool subprotocol;
        QString status;
    };

    /// `configure` is called on every new socket (e.g. to trust a certificate).
    CommandKiosk(QString url, QByteArray token, std::function<void(QWebSocket *)> configure = {},
                 Options options = Options{QString(), false, QString()})
        : m_url(std::move(url)), m_token(std::move(token)), m_configure(std::move(configure)),
          m_options(std::move(options))
    {
    }
    /// Cuts the connection without a close frame (power or network lost).
    void abort()
    {
        if (m_socket)
            m_socket->abort();
    }
    ~CommandKiosk()
    {
        if (m_socket) {
            m_socket->abort();
            delete m_socket;
        }
    }
    CommandKiosk(const CommandKiosk &) = delete;
    CommandKiosk &operator=(const CommandKiosk &) = delete;

    QList<QJsonObject> commands; ///< every command frame received
    int welcomes = 0;
    int dones = 0;
    bool connected() const { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }

    void open()
    {
        if (m_socket) {
            m_socket->abort();
            m_socket->deleteLater();
        }
        m_socket = new QWebSocket(m_options.origin);
        if (m_configure)
            m_configure(m_socket);
        QWebSocket *socket = m_socket;
        QObject::connect(socket, &QWebSocket::textMessageReceived, socket, [this, socket](const QString &text) {
            if (socket == m_socket)
                onMessage(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        QNetworkRequest request{QUrl(m_url)};
        if (m_options.subprotocol) {
            QWebSocketHandshakeOptions handshake;
            handshake.setSubprotocols({QStringLiteral("kioskgate.v1"),
                                       QStringLiteral("kioskgate.bearer.") + QString::fromLatin1(m_token)});
            socket->open(request, handshake);
            return;
        }
        request.setRawHeader("Authorization", "Bearer " + m_token);
        socket->open(request);
    }

private:
    void send(const QJsonObject &message)
    {
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    }

    void onMessage(const QJsonObject &message)
    {
        const QString type = message.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("welcome")) {
            ++welcomes;
            if (!m_options.status.isEmpty())
                m_socket->sendTextMessage(m_options.status);
            if (!m_doneId.isEmpty()) {
                send({{QStringLiteral("type"), QStringLiteral("done")}, {QStringLiteral("id"), m_doneId}});
                ++dones;
                m_doneId.clear();
            }
        } else if (type == QLatin1String("command")) {
            commands.append(message);
            const QString id = message.value(QStringLiteral("id")).toString();
            send({{QStringLiteral("type"), QStringLiteral("ack")}, {QStringLiteral("id"), id}, {QStringLiteral("ok"), true}});
            m_doneId = id;
            // The page unloads (1001) and the reloaded page connects again.
            m_socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("reloading"));
            QTimer::singleShot(50, m_socket, [this] { open(); });
        }
    }

    QString m_url;
    QByteArray m_token;
    std::function<void(QWebSocket *)> m_configure;
    Options m_options;
    QPointer<QWebSocket> m_socket;
    QString m_doneId;
};
