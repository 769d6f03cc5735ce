#include "UpgradeRequest.h"

#include "HttpRequestHead.h"
#include "IdleReadBuffer.h"
#include "Protocol.h"

#include <QIODevice>

namespace KioskGate::UpgradeRequest {

QByteArray minimalHead(const HttpRequestHead &head)
{
    QByteArray out;
    out.reserve(160 + head.header("host").size());
    out += "GET ";
    out += Protocol::KioskPath;
    out += " HTTP/1.1\r\nHost: ";
    out += head.header("host");
    out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    out += head.header("sec-websocket-key");
    out += "\r\nSec-WebSocket-Version: 13\r\n";
    if (head.headerList("sec-websocket-protocol").contains(Protocol::SubprotocolV1)) {
        out += "Sec-WebSocket-Protocol: ";
        out += Protocol::SubprotocolV1;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

void substituteHead(QIODevice *device, int headLength, const QByteArray &replacement)
{
    // Reading the head to the end lets the buffer reuse its space in front
    // of what follows; ungetChar() fills it backwards.
    device->skip(headLength);
    if (IdleReadBuffer::prepend(device, replacement))
        return;
    for (qsizetype i = replacement.size() - 1; i >= 0; --i)
        device->ungetChar(replacement.at(i));
}

} // namespace KioskGate::UpgradeRequest
