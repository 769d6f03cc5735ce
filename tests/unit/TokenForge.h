#pragma once

// Test-only helpers that hand-build JWTs, including attack tokens, without
// going through libjwt. Product code never does this.

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMessageAuthenticationCode>

namespace TokenForge {

inline QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

inline QByteArray unb64(const QByteArray &data)
{
    return QByteArray::fromBase64(data, QByteArray::Base64UrlEncoding);
}

inline QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// header.payload.signature over raw JSON bytes; a null `key` leaves the
/// signature empty ("x.y.").
inline QByteArray forgeRaw(const QByteArray &header, const QByteArray &payload,
                           const QByteArray &key,
                           QCryptographicHash::Algorithm hmac = QCryptographicHash::Sha256)
{
    const QByteArray input = b64(header) + '.' + b64(payload);
    if (key.isNull()) {
        return input + '.';
    }
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, key, hmac));
}

inline QByteArray forge(const QJsonObject &header, const QJsonObject &payload,
                        const QByteArray &key,
                        QCryptographicHash::Algorithm hmac = QCryptographicHash::Sha256)
{
    return forgeRaw(json(header), json(payload), key, hmac);
}

inline QList<QByteArray> segments(const QByteArray &token)
{
    return token.split('.');
}

inline QJsonObject decodeSegment(const QByteArray &token, int index)
{
    return QJsonDocument::fromJson(unb64(segments(token).value(index))).object();
}

} // namespace TokenForge
