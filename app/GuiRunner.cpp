#include "GuiRunner.h"

#include "InstanceWiring.h"
#include "TlsCertificates.h"

#include "AppIcon.h"
#include "CommandLine.h"
#include "ConsoleLog.h"
#include "ControlPlane.h"
#include "ControlServer.h"
#include "KioskServer.h"
#include "Logging.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "SettingsStore.h"
#include "StartupProblem.h"
#include "TlsAdmin.h"
#include "UserPrompts.h"

#include <QApplication>

#include <memory>

namespace KioskGate {

namespace {

// One running console; members are destroyed in reverse order (control
// channel, server, then the control plane holding the lock).
struct Console
{
    std::unique_ptr<ControlPlane> plane;
    ServerSettings settings;
    std::unique_ptr<KioskServer> server;
    std::unique_ptr<ControlServer> control;
};

StartupProblem::Kind kindOf(ControlPlane::Failure failure)
{
    switch (failure) {
    case ControlPlane::Failure::Database: return StartupProblem::Kind::DatabaseUnreadable;
    case ControlPlane::Failure::Keychain:
    case ControlPlane::Failure::SigningKey: return StartupProblem::Kind::KeychainUnavailable;
    default: return StartupProblem::Kind::Other;
    }
}

bool start(const HeadlessOptions &options, Console *console, StartupProblem *problem)
{
    console->plane = std::make_unique<ControlPlane>(ControlPlane::Options{options.dataDir, options.insecureFileSecrets});
    ControlPlane &plane = *console->plane;
    QString error;
    if (!plane.dataDirectory().prepare(&error)) {
        *problem = {StartupProblem::Kind::Other, error, options.dataDir};
        return false;
    }
    if (!plane.dataDirectory().lock(&error)) {
        *problem = {StartupProblem::Kind::AlreadyRunning, error, options.dataDir};
        return false;
    }
    if (!plane.open(&error)) {
        *problem = {kindOf(plane.failure()), error, plane.dataDirectory().databasePath()};
        if (problem->kind != StartupProblem::Kind::DatabaseUnreadable)
            problem->location.clear();
        return false;
    }
    const SettingsStore store(plane.dataDirectory().path());
    console->settings = ServerSettings();
    if (!store.load(&console->settings, &error)
        || (options.overrideSettings && !options.overrideSettings(&console->settings, &error))) {
        *problem = {StartupProblem::Kind::SettingsInvalid, error, store.filePath()};
        return false;
    }
    ServerCore::Config config;
    TlsFacts facts;
    if (!makeServerConfig(plane, console->settings, &config, &facts, &error)) {
        *problem = {StartupProblem::Kind::Other, error, {}};
        return false;
    }
    console->server = std::make_unique<KioskServer>(config, &plane.keyRing(), &plane.clock());
    if (!console->server->start(&error)) {
        const bool listener = error.startsWith(QLatin1String("cannot listen"));
        *problem = {listener ? StartupProblem::Kind::ListenerFailed : StartupProblem::Kind::DatabaseUnreadable,
                    error, listener ? QString() : plane.dataDirectory().databasePath()};
        return false;
    }
    connectAdmin(plane, *console->server);
    AdminService &admin = plane.admin();
    console->control = std::make_unique<ControlServer>(
        [&admin](const QJsonObject &request, QObject *context,
                 std::function<void(const QJsonObject &)> answer) {
            admin.handleAsync(request, context, std::move(answer));
        });
    if (!console->control->listen(plane.dataDirectory().controlSocketName(), &error)) {
        *problem = {StartupProblem::Kind::Other, error, {}};
        return false;
    }
    return true;
}

// "Choose Another Port…" before the server runs: edit and store settings.ini.
bool editSettingsBeforeStart(const QString &dataDir)
{
    const SettingsStore store(dataDir);
    ServerSettings settings;
    QString error;
    store.load(&settings, &error); // a broken file is shown with defaults, and replaced on save
    SettingsDialog dialog(settings, [&store](const ServerSettings &s, SettingsDialog::Applied applied) {
        QString saveError;
        const bool saved = store.save(s, &saveError);
        applied(saved, saveError);
    });
    dialog.focusListener();
    return dialog.exec() == QDialog::Accepted;
}

} // namespace

int runGui(const HeadlessOptions &options)
{
    const ConsoleLog::Guard consoleLog; // until every line of this run is out
    QApplication::setWindowIcon(AppIcon::icon());
    QApplication::setApplicationDisplayName(QStringLiteral("KioskGate"));
    // Closing the window may keep serving from the tray; quitting is explicit.
    QApplication::setQuitOnLastWindowClosed(false);

    Console console;
    for (;;) {
        StartupProblem problem;
        if (start(options, &console, &problem))
            break;
        qCCritical(lcServer).noquote() << "cannot start:" << problem.detail;
        console = Console();
        switch (problem.ask()) {
        case StartupProblem::Choice::Retry:
            continue;
        case StartupProblem::Choice::ChangeSettings:
            if (!editSettingsBeforeStart(options.dataDir))
                return ExitFailure;
            continue;
        case StartupProblem::Choice::Quit:
            return ExitFailure;
        }
    }

    DialogPrompts prompts;
    TlsAdmin tls(&console.plane->tlsStore(), console.server.get());
    MainWindow window({console.server.get(), &console.plane->admin(), console.plane->dataDirectory().path(), &prompts,
                       &tls});
    window.show();
    qCInfo(lcServer).noquote() << "console ready:" << console.server->listenUrl() << "- data directory"
                               << console.plane->dataDirectory().path();
    const int status = QApplication::exec();
    console.server->stop();
    return status == 0 ? ExitOk : ExitFailure;
}

} // namespace KioskGate
