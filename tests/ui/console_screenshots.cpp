// Renders the console's main views with real kiosks connected over wss://
// (the default), a reset of all kiosks that they ack and report done, and
// the Kiosk Setup dialog, for the docs: scripts/screenshots.sh runs it
// under Xvfb. Usage:
//   console_screenshots OUTPUT_DIR

#include "CommandController.h"
#include "CommandKiosk.h"
#include "CommandProgressDialog.h"
#include "ActivityView.h"
#include "ConsoleFixture.h"
#include "IssueTokenDialog.h"
#include "KioskTableModel.h"
#include "KiosksView.h"
#include "KioskSetupDialog.h"
#include "MainWindow.h"
#include "SettingsDialog.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <memory>
#include <vector>

#include <cstdio>

using namespace KioskGate;

namespace {

struct Kiosk
{
    const char *name;
    const char *origin; // nullptr: native client with the header transport
    const char *page;
    const char *version;
    bool leaves;
};

const Kiosk Kiosks[] = {
    {"cityhall-lobby-1", "https://kiosk.cityhall.example", "https://kiosk.cityhall.example/welcome", "kioskgate.js 0.1.0", false},
    {"cityhall-lobby-2", "https://kiosk.cityhall.example", "https://kiosk.cityhall.example/welcome", "kioskgate.js 0.1.0", false},
    {"cityhall-permits", "https://kiosk.cityhall.example", "https://kiosk.cityhall.example/permits", "kioskgate.js 0.1.0", false},
    {"cityhall-queue", "https://kiosk.cityhall.example", "https://kiosk.cityhall.example/queue", "kioskgate.js 0.1.0", true},
    {"library-checkout-1", "https://kiosk.library.example", "https://kiosk.library.example/checkout", "kioskgate.js 0.1.0", false},
    {"library-checkout-2", "https://kiosk.library.example", "https://kiosk.library.example/checkout", "kioskgate.js 0.1.0", false},
    {"library-catalogue", "https://kiosk.library.example", "https://kiosk.library.example/search", "kioskgate.js 0.1.0", false},
    {"museum-entrance", "https://guide.museum.example", "https://guide.museum.example/tickets", "kioskgate.js 0.1.0", false},
    {"museum-hall-a", "https://guide.museum.example", "https://guide.museum.example/rooms/a", "kioskgate.js 0.1.0", false},
    {"museum-hall-b", "https://guide.museum.example", "https://guide.museum.example/rooms/b", "kioskgate.js 0.1.0", true},
    {"museum-hall-c", "https://guide.museum.example", "https://guide.museum.example/rooms/c", "kioskgate.js 0.1.0", false},
    {"museum-shop", "https://guide.museum.example", "https://guide.museum.example/shop", "kioskgate.js 0.0.9", false},
    {"signage-atrium", nullptr, "file:///opt/signage/index.html", "signage-agent 3.2 (node)", false},
    {"signage-cafe", nullptr, "file:///opt/signage/index.html", "signage-agent 3.2 (node)", false},
    {"visitor-survey", "https://kiosk.cityhall.example", "https://kiosk.cityhall.example/survey", "kioskgate.js 0.1.0", false},
    {"wayfinding-north", "https://maps.campus.example", "https://maps.campus.example/north", "kioskgate.js 0.1.0", false},
    {"wayfinding-south", "https://maps.campus.example", "https://maps.campus.example/south", "kioskgate.js 0.1.0", false},
    {"wayfinding-east", "https://maps.campus.example", "https://maps.campus.example/east", "kioskgate.js 0.1.0", true},
};

void settle(int ms)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
}

bool save(QWidget *widget, const QString &path)
{
    settle(200);
    const bool ok = widget->grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("KioskGate"));
    if (argc < 2) {
        std::fprintf(stderr, "usage: console_screenshots OUTPUT_DIR\n");
        return 2;
    }
    const QDir out(QString::fromLocal8Bit(argv[1]));
    QDir().mkpath(out.path());

    ConsoleFixture console(150, ConsoleFixture::Transport::Tls);
    ServerSettings settings = console.server().settings();
    settings.allowedOrigins = {QStringLiteral("https://kiosk.cityhall.example"), QStringLiteral("https://kiosk.library.example"),
                               QStringLiteral("https://guide.museum.example"), QStringLiteral("https://maps.campus.example")};
    settings.heartbeatIntervalMs = 1000;
    // Short, so the kiosks that left time out and the reset shows its final
    // summary within the run; restored before the settings picture.
    settings.commandFreshnessSeconds = 8;
    QString error;
    if (!console.server().applySettings(settings, &error)) {
        std::fprintf(stderr, "settings: %s\n", qPrintable(error));
        return 1;
    }

    MainWindow window(console.services());
    window.resize(1480, 760);
    window.show();

    auto trust = [&console](QWebSocket *socket) { console.trustServedCertificate(socket); };
    std::vector<std::unique_ptr<CommandKiosk>> kiosks;
    for (const Kiosk &k : Kiosks) {
        CommandKiosk::Options options{QString(), false, QString()};
        options.origin = k.origin ? QString::fromLatin1(k.origin) : QString();
        options.subprotocol = k.origin != nullptr;
        options.status = QStringLiteral("{\"type\":\"status\",\"clientVersion\":\"%1\",\"pageUrl\":\"%2\"}")
                             .arg(QString::fromLatin1(k.version), QString::fromLatin1(k.page));
        kiosks.push_back(std::make_unique<CommandKiosk>(console.url(), console.issue(QString::fromLatin1(k.name)), trust, options));
        kiosks.back()->open();
        settle(40);
    }
    // Turned away: an origin not on the list, a forged token.
    QList<QWebSocket *> refused;
    const QByteArray borrowed = console.issue(QStringLiteral("cityhall-spare"));
    for (const char *origin : {"https://evil.example", "http://kiosk.cityhall.example"}) {
        auto *socket = new QWebSocket(QString::fromLatin1(origin));
        trust(socket);
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QStringLiteral("kioskgate.v1"), QStringLiteral("kioskgate.bearer.") + QString::fromLatin1(borrowed)});
        socket->open(QNetworkRequest(QUrl(console.url())), options);
        refused.append(socket);
    }
    {
        auto *socket = new QWebSocket(QStringLiteral("https://kiosk.library.example"));
        trust(socket);
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QStringLiteral("kioskgate.v1"), QStringLiteral("kioskgate.bearer.eyJhbGciOiJub25lIn0.e30.")});
        socket->open(QNetworkRequest(QUrl(console.url())), options);
        refused.append(socket);
    }
    settle(2500); // pongs give round-trip times
    for (int i = 0; i < int(std::size(Kiosks)); ++i) {
        if (Kiosks[i].leaves)
            kiosks.at(size_t(i))->abort();
    }
    settle(1500);

    bool ok = true;
    // Earlier commands, from the command line: `kioskgate reload museum-shop`,
    // `kioskgate reset library-checkout-1 library-checkout-2`.
    console.admin().handle({{QStringLiteral("command"), QStringLiteral("command.issue")},
                            {QStringLiteral("name"), QStringLiteral("reload")},
                            {QStringLiteral("kiosks"), QJsonArray{QStringLiteral("museum-shop")}}});
    settle(1200);
    console.admin().handle({{QStringLiteral("command"), QStringLiteral("command.issue")},
                            {QStringLiteral("name"), QStringLiteral("reset")},
                            {QStringLiteral("kiosks"), QJsonArray{QStringLiteral("library-checkout-1"), QStringLiteral("library-checkout-2")}}});
    settle(1200);
    // Reset all: the online kiosks ack, reload and report done; the ones
    // that left are offline and time out when the (short) window ends.
    window.resetAllAction()->trigger();
    // The record arrives from the network thread a moment later.
    QElapsedTimer issuing;
    issuing.start();
    while (!window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog"))
           && issuing.elapsed() < 5000)
        settle(50);
    auto *progress = window.findChild<CommandProgressDialog *>(QStringLiteral("commandProgressDialog"));
    if (!progress) {
        std::fprintf(stderr, "no progress dialog\n");
        return 1;
    }
    settle(1500);
    progress->setDetailsVisible(true);
    progress->resize(760, 580);
    ok &= save(progress, out.filePath(QStringLiteral("console-reset-progress.png")));
    QElapsedTimer waiting;
    waiting.start();
    while (!progress->record().isFinished() && waiting.elapsed() < 20000)
        settle(200);
    ok &= save(progress, out.filePath(QStringLiteral("console-reset-done.png")));
    progress->close();
    settings.commandFreshnessSeconds = 300;
    console.server().applySettings(settings, &error);

    window.kiosksView()->table()->selectRow(2);
    window.showPage(MainWindow::Page::Kiosks);
    ok &= save(&window, out.filePath(QStringLiteral("console-kiosks.png")));
    window.showPage(MainWindow::Page::Commands);
    ok &= save(&window, out.filePath(QStringLiteral("console-commands.png")));
    window.showPage(MainWindow::Page::Tokens);
    window.refreshTokens();
    ok &= save(&window, out.filePath(QStringLiteral("console-tokens.png")));
    window.showPage(MainWindow::Page::Activity);
    // Operator actions: the commands and the tokens, whether from the window
    // or the command line (the reconnects of a reset would fill the page).
    window.activityView()->findChild<QComboBox *>(QStringLiteral("activityCategory"))->setCurrentIndex(3);
    ok &= save(&window, out.filePath(QStringLiteral("console-activity.png")));
    window.activityView()->findChild<QComboBox *>(QStringLiteral("activityCategory"))->setCurrentIndex(0);
    window.showPage(MainWindow::Page::Kiosks);

    KioskSetupDialog *setup = window.openKioskSetup();
    setup->resize(setup->minimumWidth(), setup->sizeHint().height());
    ok &= save(setup, out.filePath(QStringLiteral("console-kiosk-setup.png")));
    setup->close();

    IssueTokenDialog *issue = window.openIssueToken();
    issue->findChild<QLineEdit *>(QStringLiteral("kioskNameField"))->setText(QStringLiteral("cityhall-lobby-3"));
    issue->issue();
    ok &= save(issue, out.filePath(QStringLiteral("console-issue-token.png")));
    issue->reject();

    SettingsDialog *settingsDialog = window.openSettings();
    settingsDialog->findChild<QTabWidget *>()->setCurrentIndex(1); // the origins: the page people visit
    ok &= save(settingsDialog, out.filePath(QStringLiteral("console-settings.png")));
    settingsDialog->reject();

    kiosks.clear();
    for (QWebSocket *socket : refused)
        socket->abort();
    qDeleteAll(refused);
    return ok ? 0 : 1;
}
