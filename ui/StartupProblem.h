#pragma once

#include <QString>

class QWidget;

namespace KioskGate {

/// Why the console could not start, sorted into the cases a person can act
/// on, and the dialog that says what happened and what to do.
struct StartupProblem
{
    enum class Kind {
        ListenerFailed,      ///< e.g. the port is in use
        KeychainUnavailable, ///< locked, missing, or the key cannot be read
        DatabaseUnreadable,  ///< the registry cannot be opened
        AlreadyRunning,      ///< another instance holds the data directory
        SettingsInvalid,     ///< settings.ini cannot be used
        Other,
    };
    enum class Choice { Retry, ChangeSettings, Quit };

    Kind kind = Kind::Other;
    QString detail;   ///< the technical reason, shown under the explanation
    QString location; ///< a file or folder that matters (database, data dir)

    QString title() const;
    QString explanation() const;
    QString advice() const;
    /// Shows the dialog; blocks until the person chooses.
    Choice ask(QWidget *parent = nullptr) const;
};

} // namespace KioskGate
