#pragma once

#include "SecretStore.h"

#include <QJsonObject>

namespace KioskGate {

/// A SecretStore kept in a plain JSON file (an object of base64 values).
///
/// Insecure by design: anyone who can read the file as its owner, or read a
/// backup of it, has the secrets. It exists only for headless servers without
/// an OS keychain, and is used only when the user passes
/// --insecure-file-secrets. To limit the damage the file is written
/// atomically with owner-only permissions, and a file that group or others
/// can access is refused on Unix. A corrupt file is reported, never replaced.
///
/// Not safe against two processes writing the same file at once.
class FileSecretStore final : public SecretStore
{
public:
    /// `filePath` need not exist yet; its directory must.
    explicit FileSecretStore(const QString &filePath);

    QString backendName() const override;
    bool read(const QString &key, QByteArray *value, bool *found, QString *error) override;
    bool write(const QString &key, const QByteArray &value, QString *error) override;
    bool remove(const QString &key, QString *error) override;

    QString filePath() const { return m_filePath; }

private:
    bool load(QJsonObject *entries, QString *error) const;
    bool save(const QJsonObject &entries, QString *error) const;
    bool checkPermissions(QString *error) const;

    QString m_filePath;
};

} // namespace KioskGate
