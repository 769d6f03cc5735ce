#include "ClientFiles.h"

#include "HandshakeGate.h"
#include "Logging.h"
#include "Protocol.h"

#include <QCryptographicHash>
#include <QFile>

// The resource lives in a static library: make sure its registration runs
// (outside any namespace, as Q_INIT_RESOURCE requires).
static void initClientResources()
{
    Q_INIT_RESOURCE(kioskgate_client);
}

namespace KioskGate {

namespace {

constexpr char ResourcePrefix[] = ":/kioskgate/client";

// RFC 9110 13.1.2: If-None-Match uses the weak comparison, and "*" matches
// any current representation.
bool matchesEtag(const QList<QByteArray> &ifNoneMatch, const QByteArray &etag)
{
    for (QByteArray candidate : ifNoneMatch) {
        if (candidate == "*")
            return true;
        if (candidate.startsWith("W/"))
            candidate = candidate.mid(2);
        if (candidate == etag)
            return true;
    }
    return false;
}

} // namespace

ClientFiles::ClientFiles()
{
    initClientResources();
    const struct
    {
        const char *path;
        const char *contentType;
    } known[] = {
        {Protocol::ClientScriptPath, "text/javascript; charset=utf-8"},
        {Protocol::ClientTypesPath, "text/plain; charset=utf-8"},
    };
    for (const auto &entry : known) {
        QFile file(QLatin1String(ResourcePrefix) + QLatin1String(entry.path));
        if (!file.open(QIODevice::ReadOnly)) {
            qCDebug(lcServer) << "client file not built in:" << entry.path;
            continue;
        }
        File served;
        served.path = entry.path;
        served.contentType = entry.contentType;
        served.body = file.readAll();
        served.etag = '"' + QCryptographicHash::hash(served.body, QCryptographicHash::Sha256).toHex().left(32) + '"';
        m_files.append(served);
    }
    if (m_files.isEmpty() || m_files.first().path != Protocol::ClientScriptPath)
        qCWarning(lcServer) << "the browser client kioskgate.js is missing from this build";
}

void ClientFiles::install(HandshakeGate *gate) const
{
    for (const File &file : m_files) {
        gate->addGetRoute(file.path, [file](const HttpRequestHead &head, const QString &) {
            const bool fresh = matchesEtag(head.headerList("if-none-match"), file.etag);
            HttpResponse response(fresh ? 304 : 200);
            if (!fresh)
                response.setBody(file.contentType, file.body);
            response.setHeader("ETag", file.etag);
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("Access-Control-Allow-Origin", "*");
            response.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
            return response;
        });
    }
}

} // namespace KioskGate
