#pragma once

// The smallest upgrade QWebSocketServer accepts, as the gate hands it on
// (UpgradeRequest::minimalHead): for tests that drive the upgrade without
// the gate in front.

#include <QByteArray>

inline const QByteArray MinimalUpgradeHead
    = "GET /v1/kiosk HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
