#pragma once

#include "HeadlessRunner.h"

#include <QStringList>

namespace KioskGate {

/// `kioskgate` with no command: the console window over the same server the
/// headless mode runs, plus the control channel so that `kioskgate token
/// revoke` and friends act on this instance. Start-up problems are shown as
/// dialogs with Retry / Choose Another Port / Quit. Needs a QApplication.
int runGui(const HeadlessOptions &options);

/// True if these arguments open the window (so main() must create a
/// QApplication rather than a QCoreApplication).
bool opensWindow(const QStringList &arguments);

/// False when the window certainly cannot open: on X11/Wayland systems with
/// neither DISPLAY nor WAYLAND_DISPLAY and no QT_QPA_PLATFORM chosen.
bool displayAvailable();

} // namespace KioskGate
