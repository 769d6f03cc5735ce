#include "InstanceWiring.h"

#include "AdminHooks.h"
#include "ControlPlane.h"
#include "KioskServer.h"
#include "TlsCommand.h"

namespace KioskGate {

bool makeServerConfig(ControlPlane &plane, const ServerSettings &settings, ServerCore::Config *config,
                      TlsFacts *facts, QString *error)
{
    *config = ServerCore::Config{settings, plane.dataDirectory().databasePath(), plane.issuer(),
                                 ControlPlane::audience(), {}};
    return !settings.tls || plane.tlsStore().load(&config->tls, facts, error);
}

void connectAdmin(ControlPlane &plane, KioskServer &server)
{
    connectAdminToServer(plane.admin(), server);
    plane.admin().setTlsHandler([&plane, &server](const QJsonObject &request) {
        return handleTlsRequest(request, plane, server);
    });
}

} // namespace KioskGate
