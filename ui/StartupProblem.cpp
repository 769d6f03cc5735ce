#include "StartupProblem.h"

#include "AppIcon.h"

#include <QDesktopServices>
#include <QMessageBox>
#include <QPushButton>
#include <QUrl>

namespace KioskGate {

QString StartupProblem::title() const
{
    switch (kind) {
    case Kind::ListenerFailed: return QObject::tr("KioskGate cannot listen for kiosks");
    case Kind::KeychainUnavailable: return QObject::tr("The system keychain is not available");
    case Kind::DatabaseUnreadable: return QObject::tr("The token registry cannot be opened");
    case Kind::AlreadyRunning: return QObject::tr("KioskGate is already running");
    case Kind::SettingsInvalid: return QObject::tr("The settings cannot be used");
    case Kind::Other: break;
    }
    return QObject::tr("KioskGate cannot start");
}

QString StartupProblem::explanation() const
{
    switch (kind) {
    case Kind::ListenerFailed:
        return QObject::tr("The address or port kiosks connect to is not available. Most often another "
                           "program (or another KioskGate) already uses the port.");
    case Kind::KeychainUnavailable:
        return QObject::tr("KioskGate keeps its token signing key in the system keychain, and the keychain "
                           "is locked, missing or refused access.");
    case Kind::DatabaseUnreadable:
        return QObject::tr("The registry of issued tokens could not be opened or read.");
    case Kind::AlreadyRunning:
        return QObject::tr("Another KioskGate serves this data directory. Only one may run at a time.");
    case Kind::SettingsInvalid:
        return QObject::tr("The settings file holds a value KioskGate cannot use.");
    case Kind::Other: break;
    }
    return QObject::tr("Something went wrong while starting.");
}

QString StartupProblem::advice() const
{
    switch (kind) {
    case Kind::ListenerFailed:
        return QObject::tr("Close the program that uses the port and press Retry, or choose another port.");
    case Kind::KeychainUnavailable:
        return QObject::tr("Unlock the keychain (on Linux: log in to the desktop session or unlock the "
                           "\"Login\" keyring in Passwords and Keys; on macOS: Keychain Access) and press "
                           "Retry. A server without a keychain can run `kioskgate --headless "
                           "--insecure-file-secrets` instead.");
    case Kind::DatabaseUnreadable:
        return QObject::tr("Check that the disk is writable and the file belongs to you. If the file is "
                           "damaged, move it away and start again: tokens issued so far then stop working "
                           "and kiosks need new ones.");
    case Kind::AlreadyRunning:
        return QObject::tr("Use the window (or tray icon) of the running KioskGate, or quit it first. "
                           "`kioskgate status` shows what it serves.");
    case Kind::SettingsInvalid:
        return QObject::tr("Correct or delete the file named below and press Retry; deleting it restores "
                           "the defaults.");
    case Kind::Other: break;
    }
    return QObject::tr("Press Retry, or quit and run `kioskgate --headless` in a terminal to see the log.");
}

StartupProblem::Choice StartupProblem::ask(QWidget *parent) const
{
    QMessageBox box(parent);
    box.setWindowTitle(QObject::tr("KioskGate"));
    box.setWindowIcon(AppIcon::icon());
    box.setIcon(QMessageBox::Critical);
    box.setText(QStringLiteral("<b>%1</b><p>%2</p>").arg(title().toHtmlEscaped(), explanation().toHtmlEscaped()));
    QString informative = advice().toHtmlEscaped();
    if (!location.isEmpty())
        informative += QStringLiteral("<p><tt>%1</tt></p>").arg(location.toHtmlEscaped());
    box.setInformativeText(informative);
    box.setDetailedText(detail);
    QPushButton *change = nullptr;
    if (kind == Kind::ListenerFailed)
        change = box.addButton(QObject::tr("Choose Another Port…"), QMessageBox::ActionRole);
    QPushButton *openFolder = nullptr;
    if (!location.isEmpty() && (kind == Kind::DatabaseUnreadable || kind == Kind::SettingsInvalid))
        openFolder = box.addButton(QObject::tr("Show Folder"), QMessageBox::HelpRole);
    QPushButton *retry = kind == Kind::AlreadyRunning ? nullptr : box.addButton(QMessageBox::Retry);
    QPushButton *quit = box.addButton(QObject::tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(retry ? retry : quit);
    for (;;) {
        box.exec();
        if (openFolder && box.clickedButton() == openFolder) {
            QDesktopServices::openUrl(QUrl::fromLocalFile(location).adjusted(QUrl::RemoveFilename));
            continue;
        }
        break;
    }
    if (change && box.clickedButton() == change)
        return Choice::ChangeSettings;
    if (retry && box.clickedButton() == retry)
        return Choice::Retry;
    return Choice::Quit;
}

} // namespace KioskGate
