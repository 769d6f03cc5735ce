#include "KioskMessage.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace KioskGate {

KioskMessage KioskMessage::parse(const QString &text)
{
    KioskMessage message;
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return message; // Malformed
    message.object = document.object();
    const QString type = message.object.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("status")) {
        message.kind = Kind::Status;
        message.clientVersion =
            message.object.value(QStringLiteral("clientVersion")).toString().left(MaxClientVersionChars);
        message.pageUrl = message.object.value(QStringLiteral("pageUrl")).toString().left(MaxPageUrlChars);
    } else if (type == QLatin1String("ack")) {
        // "ok" is true or false (missing means true); a string "false" or a 0
        // must not count as success, nor silently as failure.
        const QJsonValue ok = message.object.value(QStringLiteral("ok"));
        if (!ok.isUndefined() && !ok.isBool())
            return KioskMessage(); // Malformed, and nothing of it goes further
        message.kind = Kind::Ack;
    } else if (type == QLatin1String("done")) {
        message.kind = Kind::Done;
    } else {
        message.kind = Kind::UnknownType;
    }
    return message;
}

QString KioskMessage::errorCode() const
{
    switch (kind) {
    case Kind::Malformed:
        return QStringLiteral("malformed_message");
    case Kind::UnknownType:
        return QStringLiteral("unknown_type");
    case Kind::Status:
    case Kind::Ack:
    case Kind::Done:
        break;
    }
    return {};
}

QString KioskMessage::errorFrame() const
{
    const QJsonObject reply{{QStringLiteral("type"), QStringLiteral("error")},
                            {QStringLiteral("error"), errorCode()}};
    return QString::fromUtf8(QJsonDocument(reply).toJson(QJsonDocument::Compact));
}

} // namespace KioskGate
