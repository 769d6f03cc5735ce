#pragma once

#include <QString>

namespace KioskGate {

class AdminService;
class KioskServer;
class TlsAdmin;
class UserPrompts;

/// What the main window works with, built by app/ (or a test) and passed in.
struct ConsoleServices
{
    KioskServer *server = nullptr;
    /// Token commands: the same code path as `kioskgate token …`.
    AdminService *admin = nullptr;
    /// The instance's data directory: settings.ini and console.ini live here.
    QString dataDir;
    UserPrompts *prompts = nullptr;
    /// Certificate show/regenerate/import: the code `kioskgate tls …` runs
    /// against a running console. Null when the console has no certificate
    /// store (tests of other parts).
    TlsAdmin *tls = nullptr;
};

} // namespace KioskGate
