#include "DataDirectory.h"

#include "TokenRegistry.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QStandardPaths>

namespace KioskGate {

namespace {
QString lockPath(const QString &dir)
{
    return QDir(dir).filePath(QStringLiteral("kioskgate.lock"));
}
} // namespace

DataDirectory::DataDirectory(QString path) : m_path(QDir(path).absolutePath()) {}

DataDirectory::~DataDirectory() = default;

QString DataDirectory::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
}

bool DataDirectory::prepare(QString *error)
{
    QDir dir(m_path);
    if (!dir.exists() && !dir.mkpath(QStringLiteral("."))) {
        if (error)
            *error = QStringLiteral("cannot create the data directory %1").arg(m_path);
        return false;
    }
    // The registry and settings are not secrets, but nobody else needs them.
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QFileInfo info(m_path);
    if (!info.isDir() || !info.isWritable()) {
        if (error)
            *error = QStringLiteral("the data directory %1 is not writable").arg(m_path);
        return false;
    }
    return true;
}

QString DataDirectory::databasePath() const
{
    return filePath(TokenRegistry::fileName());
}

QString DataDirectory::filePath(const QString &name) const
{
    return QDir(m_path).filePath(name);
}

QString DataDirectory::controlSocketName() const
{
#ifdef Q_OS_WIN
    const bool useFile = false;
#else
    // Unix socket paths are limited to ~104 bytes; fall back to a name Qt
    // places in the temp folder for deep data directories.
    const bool useFile = filePath(QStringLiteral("control.sock")).toUtf8().size() < 100;
#endif
    if (useFile)
        return filePath(QStringLiteral("control.sock"));
    const QByteArray digest = QCryptographicHash::hash(m_path.toUtf8(), QCryptographicHash::Sha256);
    return QStringLiteral("kioskgate-") + QString::fromLatin1(digest.toHex().left(24));
}

bool DataDirectory::lock(QString *error)
{
    m_lock = std::make_unique<QLockFile>(lockPath(m_path));
    // A lock left by a crashed instance is detected by its dead PID.
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return true;
    if (error) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        *error = m_lock->error() == QLockFile::LockFailedError
                     ? QStringLiteral("another KioskGate instance (pid %1) is using the data directory %2")
                           .arg(pid).arg(m_path)
                     : QStringLiteral("cannot create the lock file in %1").arg(m_path);
    }
    m_lock.reset();
    return false;
}

bool DataDirectory::isLockedByOther() const
{
    if (m_lock)
        return false;
    QLockFile probe(lockPath(m_path));
    probe.setStaleLockTime(0);
    if (probe.tryLock(0)) {
        probe.unlock();
        return false;
    }
    return probe.error() == QLockFile::LockFailedError;
}

} // namespace KioskGate
