#pragma once

#include <QHostAddress>
#include <QString>

namespace KioskGate::KioskSnippet {

/// The console's base URL as kiosks on the LAN reach it: the listen
/// address, or this machine's first LAN address when listening on all
/// interfaces. "http://192.168.1.10:8765".
QString consoleBase(const QHostAddress &listenAddress, quint16 port);

/// A ready-to-paste <script type="module"> for a kiosk page, connecting
/// with the subprotocol transport.
QString pageSnippet(const QString &consoleBase, const QString &token);

/// What the QR code carries: {"url":"ws://…/v1/kiosk","token":"…"}.
QByteArray qrPayload(const QString &consoleBase, const QString &token);

/// ws://… from http://… (wss from https).
QString kioskUrl(const QString &consoleBase);

} // namespace KioskGate::KioskSnippet
