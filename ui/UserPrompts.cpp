#include "UserPrompts.h"

#include "ConsoleFormat.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>

namespace KioskGate {

bool DialogPrompts::confirm(QWidget *parent, const QString &title, const QString &text,
                            const QString &acceptLabel)
{
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::NoButton, parent);
    QPushButton *accept = box.addButton(acceptLabel, QMessageBox::AcceptRole);
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(cancel);
    box.exec();
    return box.clickedButton() == accept;
}

void DialogPrompts::error(QWidget *parent, const QString &title, const QString &text, const QString &advice)
{
    QMessageBox box(QMessageBox::Critical, title, text, QMessageBox::Ok, parent);
    box.setInformativeText(advice);
    box.exec();
}

UserPrompts::CloseChoice DialogPrompts::askClose(QWidget *parent, int onlineKiosks, bool trayAvailable,
                                                 bool *remember)
{
    QMessageBox box(parent);
    box.setIcon(QMessageBox::Question);
    box.setWindowTitle(QObject::tr("Close KioskGate"));
    const QString kiosks = QObject::tr("%1 kiosk(s) are connected.").arg(ConsoleFormat::count(onlineKiosks));
    QPushButton *keep = nullptr;
    if (trayAvailable) {
        box.setText(QObject::tr("Keep serving kiosks in the background?"));
        box.setInformativeText(kiosks + QLatin1Char(' ')
                               + QObject::tr("KioskGate can keep running in the system tray; "
                                             "quitting disconnects every kiosk (close code 1001)."));
        keep = box.addButton(QObject::tr("Keep Running in Tray"), QMessageBox::AcceptRole);
    } else {
        box.setText(QObject::tr("Quit KioskGate?"));
        box.setInformativeText(kiosks + QLatin1Char(' ')
                               + QObject::tr("Quitting disconnects every kiosk (close code 1001)."));
    }
    QPushButton *quit = box.addButton(QObject::tr("Quit KioskGate"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    auto *rememberBox = new QCheckBox(QObject::tr("Do not ask again"), &box);
    if (trayAvailable)
        box.setCheckBox(rememberBox);
    box.setDefaultButton(keep ? keep : quit);
    box.exec();
    if (remember)
        *remember = rememberBox->isChecked();
    if (keep && box.clickedButton() == keep)
        return CloseChoice::KeepServing;
    if (box.clickedButton() == quit)
        return CloseChoice::Quit;
    return CloseChoice::Cancel;
}

QString DialogPrompts::saveFileName(QWidget *parent, const QString &title, const QString &suggested,
                                    const QString &filter)
{
    return QFileDialog::getSaveFileName(parent, title, suggested, filter);
}

} // namespace KioskGate
