#pragma once

#include <QCommandLineOption>
#include <QStringList>

namespace KioskGate {

/// Options every command shares.
struct CliContext
{
    QCommandLineOption dataDir;
    QCommandLineOption fileSecrets;
};

/// `kioskgate token issue|list|revoke ...`
int runTokenCommand(const QStringList &arguments, const CliContext &context);
/// `kioskgate keys rotate [--retire-old]`
int runKeysCommand(const QStringList &arguments, const CliContext &context);
/// `kioskgate status [--json]`
int runStatusCommand(const QStringList &arguments, const CliContext &context);

/// `kioskgate reset-all|reload-all [--wait S] [--json]`,
/// `kioskgate reset|reload KIOSK... [--wait S] [--json]`
int runKioskCommand(const QStringList &arguments, const CliContext &context);
/// `kioskgate commands [--limit N] [--json]`
int runCommandsCommand(const QStringList &arguments, const CliContext &context);

/// Parses "30d", "12h", "45m", "90s", "2w" or "never" into seconds (0 = never).
bool parseDuration(const QString &text, qint64 *seconds);

} // namespace KioskGate
