#pragma once

#include "ServerSettings.h"

#include <QString>

namespace KioskGate {

/// Reads and writes ServerSettings as `settings.ini` in a data directory.
/// One table (in SettingsStore.cpp) names every key, its default and its
/// range, so the file, the command line and the docs cannot drift apart.
class SettingsStore
{
public:
    explicit SettingsStore(QString dataDir);

    static QString fileName() { return QStringLiteral("settings.ini"); }
    QString filePath() const;

    /// Loads the file over the defaults; a missing file is not an error, an
    /// unreadable file or an out-of-range value is.
    bool load(ServerSettings *settings, QString *error) const;
    bool save(const ServerSettings &settings, QString *error) const;

private:
    QString m_dataDir;
};

} // namespace KioskGate
