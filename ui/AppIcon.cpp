#include "AppIcon.h"

#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

namespace KioskGate::AppIcon {

QPixmap pixmap(int size)
{
    QSvgRenderer renderer(QStringLiteral(":/icons/kioskgate.svg"));
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    renderer.render(&painter);
    return pixmap;
}

QIcon icon()
{
    static QIcon cached;
    if (cached.isNull()) {
        for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
            cached.addPixmap(pixmap(size));
    }
    return cached;
}

} // namespace KioskGate::AppIcon
