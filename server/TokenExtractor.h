#pragma once

#include "Protocol.h"

#include <QByteArray>

namespace KioskGate {

class HttpRequestHead;

/// The credential a handshake presented, and how.
struct ExtractedToken
{
    bool ok = false;
    Protocol::Transport transport = Protocol::Transport::None;
    /// The token or ticket. Secret: compare and verify it, never log it.
    QByteArray value;
    /// Why extraction failed, when !ok.
    Protocol::Refusal refusal = Protocol::Refusal::MissingToken;
    /// A stable sub-reason for the error body, e.g. "unsupported_scheme".
    QString detail;
};

/// Finds the one credential in a request head. Exactly one transport may
/// carry exactly one credential; anything else is refused, because a request
/// that says two things leaves the server guessing which one to believe.
class TokenExtractor
{
public:
    static ExtractedToken extract(const HttpRequestHead &head, bool allowQueryToken);
};

} // namespace KioskGate
