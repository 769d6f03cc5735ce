#pragma once

#include "HeadlessRunner.h"

namespace KioskGate {

/// `kioskgate` with no command: the console window over the same server the
/// headless mode runs, plus the control channel so that `kioskgate token
/// revoke` and friends act on this instance. Start-up problems are shown as
/// dialogs with Retry / Choose Another Port / Quit. Needs a QApplication.
int runGui(const HeadlessOptions &options);

} // namespace KioskGate
