#pragma once

#include <QString>
#include <memory>

class QLockFile;

namespace KioskGate {

/// The folder that holds one instance's state: registry, settings, lock and
/// control socket. Two instances never share one; tests give each run its own.
class DataDirectory
{
public:
    explicit DataDirectory(QString path);
    ~DataDirectory();

    /// The platform's application-data folder (e.g. ~/.local/share/KioskGate).
    static QString defaultPath();

    /// Creates the folder (owner-only on Unix) and checks it is writable.
    bool prepare(QString *error);

    QString path() const { return m_path; }
    QString databasePath() const;
    QString filePath(const QString &name) const;
    /// The local-socket name of the control channel of an instance running here.
    QString controlSocketName() const;

    /// Takes the instance lock; fails if a live process holds it.
    bool lock(QString *error);
    /// True if a live process other than this one holds the lock.
    bool isLockedByOther() const;

private:
    QString m_path;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace KioskGate
