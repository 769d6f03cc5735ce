#pragma once

#include <QMetaType>
#include <QString>

namespace KioskGate {

/// One line of the console's activity log: who connected, who was turned
/// away and what the operator did. Holds names, addresses and reasons only,
/// never a token, a ticket or a key.
struct ActivityEvent
{
    enum class Kind {
        HandshakeRefused,  ///< a request answered with an HTTP status instead of an upgrade
        KioskConnected,
        KioskDisconnected,
        TokenIssued,
        TokenRevoked,
        KeyRotated,
        SettingsChanged,
        ListenerRestarted, ///< the listen address or port changed
        ResetIssued,       ///< a recorded "reset" command (window or command line)
        ReloadIssued,      ///< a recorded "reload" command
        CertificateChanged, ///< the TLS certificate was regenerated or imported and reloaded
        Notice,            ///< anything else worth a line (e.g. refusals left out in a flood)
    };

    qint64 atMs = 0;
    Kind kind = Kind::Notice;
    QString kiosk;
    QString address;
    QString origin;
    QString transport;
    QString detail;

    /// A short label for people ("Refused", "Connected", ...).
    static QString kindLabel(Kind kind);
    /// True for events the operator caused.
    static bool isAdminAction(Kind kind);
};

} // namespace KioskGate

Q_DECLARE_METATYPE(KioskGate::ActivityEvent)
