#include "KioskSnippet.h"

#include "Protocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkInterface>

namespace KioskGate::KioskSnippet {

QString consoleBase(const QHostAddress &listenAddress, quint16 port)
{
    QHostAddress address = listenAddress;
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::Any || address == QHostAddress::AnyIPv6) {
        for (const QHostAddress &candidate : QNetworkInterface::allAddresses()) {
            if (!candidate.isLoopback() && candidate.protocol() == QAbstractSocket::IPv4Protocol) {
                address = candidate;
                break;
            }
        }
        if (address.isNull() || address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
            address = QHostAddress(QHostAddress::LocalHost);
    }
    QString host = address.toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("http://%1:%2").arg(host).arg(port);
}

QString kioskUrl(const QString &consoleBase)
{
    QString url = consoleBase;
    if (url.startsWith(QLatin1String("https://")))
        url.replace(0, 5, QStringLiteral("wss"));
    else if (url.startsWith(QLatin1String("http://")))
        url.replace(0, 4, QStringLiteral("ws"));
    return url + QLatin1String(Protocol::KioskPath);
}

QString pageSnippet(const QString &consoleBase, const QString &token)
{
    return QStringLiteral("<script type=\"module\">\n"
                          "  import { KioskGate } from \"%1/kioskgate.js\";\n"
                          "  KioskGate.connect({\n"
                          "    url: \"%2\",\n"
                          "    token: \"%3\",\n"
                          "    transport: \"subprotocol\",\n"
                          "  });\n"
                          "</script>\n")
        .arg(consoleBase, kioskUrl(consoleBase), token);
}

QByteArray qrPayload(const QString &consoleBase, const QString &token)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("url"), kioskUrl(consoleBase)},
                                     {QStringLiteral("token"), token}})
        .toJson(QJsonDocument::Compact);
}

} // namespace KioskGate::KioskSnippet
