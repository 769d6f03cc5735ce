#pragma once

namespace KioskGate {

class AdminService;
class KioskServer;

/// Connects the operator's commands (control channel and window alike) to
/// the running server: its activity log, revocation closes sessions,
/// `status` describes it, `command.*` act on it, each also without waiting
/// for the network thread (AdminService::handleAsync). The program and the
/// console tests wire it the same way. `server` must outlive `admin`'s use.
void connectAdminToServer(AdminService &admin, KioskServer &server);

} // namespace KioskGate
