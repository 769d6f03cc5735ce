#pragma once

#include <QString>

namespace KioskGate {

class AdminService;
class KioskServer;
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
};

} // namespace KioskGate
