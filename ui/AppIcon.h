#pragma once

#include <QIcon>

namespace KioskGate::AppIcon {

/// The application icon, rendered from resources/icons/kioskgate.svg at the
/// usual sizes (no dependency on the SVG image plugin at run time).
QIcon icon();
QPixmap pixmap(int size);

} // namespace KioskGate::AppIcon
