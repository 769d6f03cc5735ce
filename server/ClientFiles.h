#pragma once

#include <QByteArray>
#include <QList>

namespace KioskGate {

class HandshakeGate;

/// Serves the browser client library (resources/client/kioskgate.js and,
/// when present, kioskgate.d.ts), compiled into the server library as a Qt
/// resource, at /kioskgate.js and /kioskgate.d.ts.
///
/// Public files without secrets: `Access-Control-Allow-Origin: *` so any
/// kiosk page can import the module, `Cache-Control: no-cache` with a
/// strong ETag (If-None-Match -> 304) so browsers revalidate instead of
/// running a stale client after an upgrade.
class ClientFiles
{
public:
    struct File
    {
        QByteArray path;        ///< URL path, e.g. "/kioskgate.js"
        QByteArray contentType; ///< full Content-Type value
        QByteArray body;
        QByteArray etag;        ///< quoted, e.g. "\"3f2a...\""
    };

    /// Loads the files compiled in; missing optional ones are skipped.
    ClientFiles();

    const QList<File> &files() const { return m_files; }
    void install(HandshakeGate *gate) const;

private:
    QList<File> m_files;
};

} // namespace KioskGate
