#include "ActivityEvent.h"

namespace KioskGate {

QString ActivityEvent::kindLabel(Kind kind)
{
    switch (kind) {
    case Kind::HandshakeRefused:
        return QStringLiteral("Refused");
    case Kind::KioskConnected:
        return QStringLiteral("Connected");
    case Kind::KioskDisconnected:
        return QStringLiteral("Disconnected");
    case Kind::TokenIssued:
        return QStringLiteral("Token issued");
    case Kind::TokenRevoked:
        return QStringLiteral("Token revoked");
    case Kind::KeyRotated:
        return QStringLiteral("Key rotated");
    case Kind::SettingsChanged:
        return QStringLiteral("Settings changed");
    case Kind::ListenerRestarted:
        return QStringLiteral("Listener restarted");
    case Kind::ResetIssued:
        return QStringLiteral("Reset issued");
    case Kind::ReloadIssued:
        return QStringLiteral("Reload issued");
    case Kind::CertificateChanged:
        return QStringLiteral("Certificate changed");
    case Kind::Notice:
        break;
    }
    return QStringLiteral("Notice");
}

bool ActivityEvent::isAdminAction(Kind kind)
{
    return kind == Kind::TokenIssued || kind == Kind::TokenRevoked || kind == Kind::KeyRotated
        || kind == Kind::SettingsChanged || kind == Kind::ListenerRestarted || kind == Kind::ResetIssued
        || kind == Kind::ReloadIssued || kind == Kind::CertificateChanged;
}

} // namespace KioskGate
