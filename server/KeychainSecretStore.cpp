#include "KeychainSecretStore.h"

#include <QEventLoop>
#include <QRandomGenerator>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace KioskGate {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &byte : bytes)
        byte = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return bytes;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(const QString &service, int timeoutMs)
    : m_service(service), m_timeoutMs(timeoutMs)
{
    Q_ASSERT(!service.isEmpty());
}

QString KeychainSecretStore::backendName() const
{
#if defined(Q_OS_WIN)
    return QStringLiteral("Windows Credential Manager");
#elif defined(Q_OS_MACOS)
    return QStringLiteral("macOS Keychain");
#else
    return QStringLiteral("OS keychain (Secret Service)");
#endif
}

bool KeychainSecretStore::read(const QString &key, QByteArray *value, bool *found, QString *error)
{
    QString reason;
    if (readEntry(key, value, found, &reason))
        return true;
    setError(error,
             QStringLiteral("Cannot read the secret \"%1\" from the %2: %3")
                 .arg(key, backendName(), reason));
    return false;
}

bool KeychainSecretStore::write(const QString &key, const QByteArray &value, QString *error)
{
    QString reason;
    if (writeEntry(key, value, &reason))
        return true;
    setError(error,
             QStringLiteral("Cannot store the secret \"%1\" in the %2: %3")
                 .arg(key, backendName(), reason));
    return false;
}

bool KeychainSecretStore::remove(const QString &key, QString *error)
{
    QString reason;
    if (removeEntry(key, &reason))
        return true;
    setError(error,
             QStringLiteral("Cannot delete the secret \"%1\" from the %2: %3")
                 .arg(key, backendName(), reason));
    return false;
}

bool KeychainSecretStore::probe(QString *error)
{
    const auto unreachable = [&](const QString &reason) {
#if defined(Q_OS_WIN) || defined(Q_OS_MACOS)
        setError(error,
                 QStringLiteral("No OS keychain is reachable (%1). Start the console with "
                                "--insecure-file-secrets to keep secrets in a file in the "
                                "data directory instead.")
                     .arg(reason));
#else
        setError(error,
                 QStringLiteral("No OS keychain is reachable (%1). On a Linux desktop, make "
                                "sure gnome-keyring or KWallet runs and is unlocked; on a "
                                "headless server, start the console with "
                                "--insecure-file-secrets to keep secrets in a file in the "
                                "data directory instead.")
                     .arg(reason));
#endif
        return false;
    };

    const QString key = QStringLiteral("probe-%1").arg(QString::fromLatin1(randomBytes(8).toHex()));
    const QByteArray value = randomBytes(16);
    QString reason;
    if (!writeEntry(key, value, &reason))
        return unreachable(reason);

    QByteArray readBack;
    bool found = false;
    const bool readOk = readEntry(key, &readBack, &found, &reason);
    if (readOk && !found)
        reason = QStringLiteral("a test entry was stored but could not be found again");
    else if (readOk && readBack != value)
        reason = QStringLiteral("a test entry came back with different contents");
    // Delete the test entry even when reading failed, so probes leave no trace.
    QString removeReason;
    const bool removeOk = removeEntry(key, &removeReason);
    if (!readOk || !found || readBack != value)
        return unreachable(reason);
    if (!removeOk)
        return unreachable(removeReason);
    return true;
}

QString KeychainSecretStore::storedKey(const QString &key) const
{
    return m_service + QLatin1Char('/') + key;
}

bool KeychainSecretStore::readEntry(const QString &key, QByteArray *value, bool *found,
                                    QString *reason)
{
    *found = false;
    *value = QByteArray();
    auto *readJob = new QKeychain::ReadPasswordJob(m_service);
    std::unique_ptr<QKeychain::Job> job(readJob);
    job->setKey(storedKey(key));
    if (!runJob(job, reason))
        return false;
    switch (job->error()) {
    case QKeychain::NoError:
        *value = readJob->binaryData();
        *found = true;
        return true;
    case QKeychain::EntryNotFound:
        return true;
    default:
        *reason = job->errorString();
        return false;
    }
}

bool KeychainSecretStore::writeEntry(const QString &key, const QByteArray &value, QString *reason)
{
#ifdef Q_OS_WIN
    if (value.size() > windowsMaxSecretBytes) {
        *reason = QStringLiteral("%1 bytes is more than the %2 bytes the Windows Credential "
                                 "Manager can hold")
                      .arg(value.size())
                      .arg(windowsMaxSecretBytes);
        return false;
    }
#endif
    auto *writeJob = new QKeychain::WritePasswordJob(m_service);
    std::unique_ptr<QKeychain::Job> job(writeJob);
    job->setKey(storedKey(key));
    writeJob->setBinaryData(value);
    if (!runJob(job, reason))
        return false;
    if (job->error() != QKeychain::NoError) {
        *reason = job->errorString();
        return false;
    }
    return true;
}

bool KeychainSecretStore::removeEntry(const QString &key, QString *reason)
{
    std::unique_ptr<QKeychain::Job> job(new QKeychain::DeletePasswordJob(m_service));
    job->setKey(storedKey(key));
    if (!runJob(job, reason))
        return false;
    if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound) {
        *reason = job->errorString();
        return false;
    }
    return true;
}

bool KeychainSecretStore::runJob(std::unique_ptr<QKeychain::Job> &job, QString *reason)
{
    job->setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    // The loop is the context object: once it is gone, a late answer cannot
    // touch this frame any more.
    QObject::connect(job.get(), &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(m_timeoutMs);
    job->start();
    // User input stays queued: a click must not start another keychain call
    // (or anything else) in the middle of this one.
    loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (finished)
        return true;

    // The back-end still holds a pointer to the job (libsecret's callbacks get
    // it raw), so deleting it now could crash later: let it delete itself if
    // an answer ever comes. QtKeychain runs one job at a time, so until then
    // later calls queue behind it and time out as well.
    QKeychain::Job *pending = job.release();
    pending->setAutoDelete(true);
    *reason = QStringLiteral("no answer within %1 s; the keychain may be locked and waiting for "
                             "an unlock prompt, or its service does not start")
                  .arg(m_timeoutMs / 1000.0);
    return false;
}

} // namespace KioskGate
