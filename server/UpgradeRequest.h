#pragma once

#include <QByteArray>

class QIODevice;

namespace KioskGate {

class HttpRequestHead;

/// The request head QWebSocketServer is handed in place of the kiosk's own.
///
/// Why: QWebSocket keeps every header and the URL of the request it was
/// upgraded from (as its QNetworkRequest) for the whole life of the session.
/// That would keep the kiosk's token (the Authorization header or the bearer
/// subprotocol), a ticket or query token in the URL, and a browser's dozen
/// other headers in memory for every live kiosk, where nothing reads them:
/// the gate has already checked and recorded all it needs.
namespace UpgradeRequest {

/// `GET /v1/kiosk` with only what the upgrade itself uses: Host, Upgrade,
/// Connection, Sec-WebSocket-Key and -Version, and `Sec-WebSocket-Protocol:
/// kioskgate.v1` when the kiosk offered it (the answer names the same
/// subprotocol as before). `head` must be an upgrade the gate accepted.
QByteArray minimalHead(const HttpRequestHead &head);

/// Replaces the first `headLength` bytes waiting in `device` (the head it
/// was parsed from) with `replacement`; whatever followed the head stays
/// after it, in order. One copy where Qt's read buffer can be reached
/// (IdleReadBuffer::prepend), else QIODevice's ungetChar byte by byte.
void substituteHead(QIODevice *device, int headLength, const QByteArray &replacement);

} // namespace UpgradeRequest

} // namespace KioskGate
