#include "FileSecretStore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace KioskGate {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

FileSecretStore::FileSecretStore(const QString &filePath) : m_filePath(filePath)
{ }

QString FileSecretStore::backendName() const
{
    return QStringLiteral("plain file %1 (insecure)").arg(m_filePath);
}

bool FileSecretStore::read(const QString &key, QByteArray *value, bool *found, QString *error)
{
    *found = false;
    *value = QByteArray();
    QJsonObject entries;
    if (!load(&entries, error))
        return false;
    const auto it = entries.constFind(key);
    if (it == entries.constEnd())
        return true;
    // load() has already checked that every value decodes.
    *value = QByteArray::fromBase64(it.value().toString().toLatin1());
    *found = true;
    return true;
}

bool FileSecretStore::write(const QString &key, const QByteArray &value, QString *error)
{
    QJsonObject entries;
    if (!load(&entries, error))
        return false;
    entries.insert(key, QString::fromLatin1(value.toBase64()));
    return save(entries, error);
}

bool FileSecretStore::remove(const QString &key, QString *error)
{
    QJsonObject entries;
    if (!load(&entries, error))
        return false;
    if (!entries.contains(key))
        return true;
    entries.remove(key);
    return save(entries, error);
}

bool FileSecretStore::checkPermissions(QString *error) const
{
#ifdef Q_OS_UNIX
    // Secrets another account could read (or plant) are worse than none: make
    // the user fix the mode, and think about rotating, rather than go on.
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
        | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
        | QFileDevice::ExeOther;
    if (QFileInfo(m_filePath).permissions() & others) {
        setError(error,
                 QStringLiteral("Refusing to use the secrets file %1: other users can access it. "
                                "Restrict it with 'chmod 600 %1', and treat the secrets in it "
                                "as exposed.")
                     .arg(m_filePath));
        return false;
    }
#else
    // Windows: access is governed by ACLs, which Qt does not report here; the
    // data directory under the user's profile is private by default.
    Q_UNUSED(error)
#endif
    return true;
}

bool FileSecretStore::load(QJsonObject *entries, QString *error) const
{
    *entries = QJsonObject();
    QFile file(m_filePath);
    if (!file.exists())
        return true;
    if (!checkPermissions(error))
        return false;
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error,
                 QStringLiteral("Cannot read the secrets file %1: %2")
                     .arg(m_filePath, file.errorString()));
        return false;
    }

    const auto corrupt = [&](const QString &why) {
        setError(error,
                 QStringLiteral("The secrets file %1 is corrupt (%2). It was left as it "
                                "is: restore it from a backup, or move it away to start "
                                "with new secrets.")
                     .arg(m_filePath, why));
        return false;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return corrupt(parseError.errorString());
    if (!document.isObject())
        return corrupt(QStringLiteral("not a JSON object"));
    const QJsonObject object = document.object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const bool decodes = it.value().isString()
            && QByteArray::fromBase64Encoding(it.value().toString().toLatin1(),
                                              QByteArray::AbortOnBase64DecodingErrors);
        if (!decodes)
            return corrupt(QStringLiteral("the value of \"%1\" is not base64").arg(it.key()));
    }
    *entries = object;
    return true;
}

bool FileSecretStore::save(const QJsonObject &entries, QString *error) const
{
    // QSaveFile writes a temporary file and renames it over the old one, so a
    // crash or a full disk never leaves half a file of secrets.
    QSaveFile file(m_filePath);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error,
                 QStringLiteral("Cannot write the secrets file %1: %2")
                     .arg(m_filePath, file.errorString()));
        return false;
    }
    // Set before any secret is written: the temporary file must never be
    // readable by others, not even until the rename.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        setError(error,
                 QStringLiteral("Cannot make the secrets file %1 private: %2")
                     .arg(m_filePath, file.errorString()));
        return false;
    }
    file.write(QJsonDocument(entries).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        setError(error,
                 QStringLiteral("Cannot write the secrets file %1: %2")
                     .arg(m_filePath, file.errorString()));
        return false;
    }
    return true;
}

} // namespace KioskGate
