#pragma once

#include <QJsonObject>
#include <QString>

namespace KioskGate {

/// One text frame from an authenticated kiosk, read as docs/protocol.md
/// ("Kiosk message protocol") says. The decision is data: SessionManager
/// carries it out on its socket, and the fuzz target (kiosk_message) checks
/// it without one.
struct KioskMessage
{
    enum class Kind {
        Malformed,   ///< not JSON, or not an object: one error reply
        UnknownType, ///< an object whose "type" the server does not know: one error reply
        Status,      ///< {"type":"status",...}: updates the session, forwarded
        Ack,         ///< {"type":"ack","id":...,"ok":...}: forwarded to the commands
        Done,        ///< {"type":"done","id":...}: forwarded to the commands
    };

    /// Caps on what a status message may store in the session.
    static constexpr int MaxClientVersionChars = 64;
    static constexpr int MaxPageUrlChars = 2048;

    Kind kind = Kind::Malformed;
    /// The parsed object (empty for Malformed); what the command center gets.
    QJsonObject object;
    /// For Status: the reported client version and page URL, cut to their caps.
    QString clientVersion;
    QString pageUrl;

    static KioskMessage parse(const QString &text);

    /// Malformed and UnknownType are answered with an error frame and go no further.
    bool isError() const { return kind == Kind::Malformed || kind == Kind::UnknownType; }
    /// "malformed_message" or "unknown_type"; empty if this is no error.
    QString errorCode() const;
    /// {"type":"error","error":"<errorCode()>"}, the one reply an error gets.
    QString errorFrame() const;
};

} // namespace KioskGate
