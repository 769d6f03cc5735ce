#include "ConsoleFormat.h"

#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace KioskGate::ConsoleFormat {

QString dateTime(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("–");
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ms);
    if (when.date() == QDate::currentDate())
        return when.toString(QStringLiteral("HH:mm:ss"));
    return QLocale().toString(when, QStringLiteral("d MMM HH:mm"));
}

QString ago(qint64 ms, qint64 nowMs)
{
    if (ms <= 0)
        return QStringLiteral("–");
    const qint64 secs = qMax<qint64>(0, (nowMs - ms) / 1000);
    if (secs < 5)
        return QObject::tr("just now");
    if (secs < 60)
        return QObject::tr("%1 s ago").arg(secs);
    if (secs < 3600)
        return QObject::tr("%1 min ago").arg(secs / 60);
    if (secs < 86400)
        return QObject::tr("%1 h ago").arg(secs / 3600);
    return QObject::tr("%1 d ago").arg(secs / 86400);
}

QIcon stateDot(bool online)
{
    static QIcon cached[2];
    QIcon &icon = cached[online ? 1 : 0];
    if (icon.isNull()) {
        for (int size : {16, 32}) {
            QPixmap pixmap(size, size);
            pixmap.fill(Qt::transparent);
            QPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            const QColor fill = online ? QColor(0x1f, 0x9d, 0x55) : QColor(0xa0, 0xa4, 0xab);
            painter.setPen(QPen(fill.darker(125), size / 16.0));
            painter.setBrush(fill);
            const qreal d = size * 0.5;
            painter.drawEllipse(QRectF((size - d) / 2, (size - d) / 2, d, d));
            icon.addPixmap(pixmap);
        }
    }
    return icon;
}

QString transportTip(const QString &transport)
{
    if (transport == QLatin1String("header"))
        return QObject::tr("Authorization header (native client)");
    if (transport == QLatin1String("subprotocol"))
        return QObject::tr("WebSocket subprotocol (browser)");
    if (transport == QLatin1String("ticket"))
        return QObject::tr("One-time ticket (browser)");
    if (transport == QLatin1String("query"))
        return QObject::tr("Query-string token (legacy; leaks into logs)");
    return transport;
}

QString count(qint64 n)
{
    return QLocale().toString(n);
}

} // namespace KioskGate::ConsoleFormat
