#pragma once

#include "CliCommands.h"

#include <QJsonObject>

namespace KioskGate {

class ControlPlane;
class KioskServer;
struct ServerSettings;

/// `kioskgate tls show|regenerate|import ...`
int runTlsCommand(const QStringList &arguments, const CliContext &context);

/// The running instance's answer to `tls.show` and `tls.reload` (the
/// certificate was replaced in the keychain and data directory: serve it to
/// new connections now).
QJsonObject handleTlsRequest(const QJsonObject &request, ControlPlane &plane, KioskServer &server);

/// The page a kiosk opens, for the Chromium command line: the first allowed
/// origin, or a placeholder.
QString kioskPageUrl(const ServerSettings &settings);

} // namespace KioskGate
