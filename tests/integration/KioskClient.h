#pragma once

// A kiosk as the integration tests see it: a real QWebSocket that presents
// its token in the Authorization header and records what the server sends
// and how the connection ended.

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QWebSocket>

struct KioskClient
{
    QWebSocket socket;
    QList<QJsonObject> messages;
    QString kiosk; ///< the name the welcome message gave
    int closeCode = -1;
    QString closeReason;
    qint64 closedAtMs = 0;

    KioskClient()
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
            if (message.value(QStringLiteral("type")) == QLatin1String("welcome"))
                kiosk = message.value(QStringLiteral("kiosk")).toString();
            messages.append(message);
        });
        QObject::connect(&socket, &QWebSocket::disconnected, [this] {
            closeCode = int(socket.closeCode());
            closeReason = socket.closeReason();
            closedAtMs = QDateTime::currentMSecsSinceEpoch();
        });
    }

    void open(const QString &url, const QByteArray &token)
    {
        QNetworkRequest request{QUrl(url)};
        request.setRawHeader("Authorization", "Bearer " + token);
        socket.open(request);
    }

    void open(quint16 port, const QByteArray &token)
    {
        open(QStringLiteral("ws://127.0.0.1:%1/v1/kiosk").arg(port), token);
    }
};
