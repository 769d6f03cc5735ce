#pragma once

#include <QStringList>

namespace KioskGate {

/// True if these arguments open the console window (no command, no
/// --headless, --help or --version), so that the program needs a
/// QApplication and a display.
bool opensWindow(const QStringList &arguments);

/// False when the window certainly cannot open: on X11/Wayland systems with
/// neither DISPLAY nor WAYLAND_DISPLAY and no QT_QPA_PLATFORM chosen.
bool displayAvailable();

/// Says on stderr that there is no display and what to run instead; returns
/// the exit status for it. Qt would abort without a word.
int reportNoDisplay();

} // namespace KioskGate
