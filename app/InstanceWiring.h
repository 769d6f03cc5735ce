#pragma once

#include "ServerCore.h"

#include <QString>

namespace KioskGate {

class ControlPlane;
class KioskServer;
struct ServerSettings;
struct TlsFacts;

/// What the headless runner and the console window do alike when they start
/// an instance, so the two never drift apart.

/// The network thread's configuration for `settings`; with TLS on, loads the
/// certificate and its key (keychain) and describes them in `facts`.
bool makeServerConfig(ControlPlane &plane, const ServerSettings &settings, ServerCore::Config *config,
                      TlsFacts *facts, QString *error);

/// Connects the operator's commands (control channel and window alike) to
/// the running server (connectAdminToServer), and `tls.*` to the plane's
/// certificate store and the server. `server` must outlive the plane's
/// AdminService use.
void connectAdmin(ControlPlane &plane, KioskServer &server);

} // namespace KioskGate
