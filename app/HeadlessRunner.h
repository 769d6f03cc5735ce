#pragma once

#include "ServerSettings.h"

#include <QString>

#include <functional>

namespace KioskGate {

struct HeadlessOptions
{
    QString dataDir;
    bool insecureFileSecrets = false;
    /// Applied over settings.ini for this run only.
    std::function<bool(ServerSettings *, QString *)> overrideSettings;
};

/// `kioskgate --headless`: the server without a window, logging to stdout,
/// until SIGINT or SIGTERM. Returns the process exit status.
int runHeadless(const HeadlessOptions &options);

} // namespace KioskGate
