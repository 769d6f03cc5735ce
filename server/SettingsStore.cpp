#include "SettingsStore.h"

#include "OriginPolicy.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <functional>

namespace KioskGate {

namespace {

// One row per integer setting: key, member, allowed range.
struct IntSetting
{
    const char *key;
    int ServerSettings::*member;
    int min;
    int max;
};

const IntSetting IntSettings[] = {
    {"server/listen_backlog", &ServerSettings::listenBacklog, 16, 65535},
    {"server/defer_accept_secs", &ServerSettings::deferAcceptSecs, 0, 60},
    {"server/upgrade_threads", &ServerSettings::upgradeThreads, 0, 16},
    {"limits/tls_handshake_timeout_ms", &ServerSettings::tlsHandshakeTimeoutMs, 100, 120000},
    {"limits/max_connections", &ServerSettings::maxConnections, 1, 1000000},
    {"limits/max_head_bytes", &ServerSettings::maxHeadBytes, 1024, 65536},
    {"limits/head_timeout_ms", &ServerSettings::headTimeoutMs, 100, 120000},
    {"limits/failure_burst", &ServerSettings::failureBurst, 1, 100000},
    {"limits/failure_refill_ms", &ServerSettings::failureRefillMs, 1, 3600000},
    {"limits/max_tickets_per_token", &ServerSettings::maxTicketsPerToken, 1, 1000},
    {"limits/max_tickets", &ServerSettings::maxTickets, 1, 1000000},
    {"limits/max_frame_bytes", &ServerSettings::maxFrameBytes, 1024, 16 * 1024 * 1024},
    {"limits/max_message_bytes", &ServerSettings::maxMessageBytes, 1024, 16 * 1024 * 1024},
    {"limits/messages_per_second", &ServerSettings::messagesPerSecond, 1, 100000},
    {"limits/message_burst", &ServerSettings::messageBurst, 1, 1000000},
    {"limits/max_connections_per_token", &ServerSettings::maxConnectionsPerToken, 1, 1000000},
    {"limits/max_connections_per_address", &ServerSettings::maxConnectionsPerAddress, 1, 1000000},
    {"limits/max_pending_heads", &ServerSettings::maxPendingHeads, 1, 1000000},
    {"limits/max_write_buffer_bytes", &ServerSettings::maxWriteBufferBytes, 4096, 1024 * 1024 * 1024},
    {"limits/inbound_bytes_per_second", &ServerSettings::inboundBytesPerSecond, 1024, 1024 * 1024 * 1024},
    {"limits/inbound_byte_burst", &ServerSettings::inboundByteBurst, 1024, 1024 * 1024 * 1024},
    {"heartbeat/interval_ms", &ServerSettings::heartbeatIntervalMs, 100, 3600000},
    {"heartbeat/misses_allowed", &ServerSettings::heartbeatMissesAllowed, 1, 100},
    {"commands/freshness_seconds", &ServerSettings::commandFreshnessSeconds, 1, 7 * 86400},
};

struct BoolSetting
{
    const char *key;
    bool ServerSettings::*member;
};

const BoolSetting BoolSettings[] = {
    {"server/tls", &ServerSettings::tls},
    {"auth/allow_non_browser_clients", &ServerSettings::allowNonBrowserClients},
    {"auth/allow_query_token", &ServerSettings::allowQueryToken},
};

bool validateInt(const IntSetting &row, int value, QString *error)
{
    if (value >= row.min && value <= row.max)
        return true;
    if (error)
        *error = QStringLiteral("setting %1 = %2 is out of range (%3 to %4)")
                     .arg(QLatin1String(row.key)).arg(value).arg(row.min).arg(row.max);
    return false;
}

} // namespace

bool ServerSettings::validate(QString *error) const
{
    for (const IntSetting &row : IntSettings) {
        if (!validateInt(row, this->*row.member, error))
            return false;
    }
    if (maxFrameBytes > maxMessageBytes) {
        if (error)
            *error = QStringLiteral("the frame size limit cannot exceed the message size limit");
        return false;
    }
    if (listenAddress.isNull()) {
        if (error)
            *error = QStringLiteral("the listen address is not an IP address");
        return false;
    }
    OriginPolicy policy;
    return policy.setAllowedOrigins(allowedOrigins, error);
}

SettingsStore::SettingsStore(QString dataDir) : m_dataDir(std::move(dataDir)) {}

QString SettingsStore::filePath() const
{
    return QDir(m_dataDir).filePath(fileName());
}

bool SettingsStore::load(ServerSettings *settings, QString *error) const
{
    const QString path = filePath();
    if (!QFileInfo::exists(path))
        return settings->validate(error);
    QSettings ini(path, QSettings::IniFormat);
    if (ini.status() != QSettings::NoError) {
        if (error)
            *error = QStringLiteral("cannot read %1: the file is not a valid settings file").arg(path);
        return false;
    }
    if (ini.contains(QStringLiteral("server/listen_address"))) {
        const QString text = ini.value(QStringLiteral("server/listen_address")).toString();
        if (!settings->listenAddress.setAddress(text)) {
            if (error)
                *error = QStringLiteral("%1: server/listen_address \"%2\" is not an IP address")
                             .arg(path, text);
            return false;
        }
    }
    if (ini.contains(QStringLiteral("server/port"))) {
        bool ok = false;
        const uint port = ini.value(QStringLiteral("server/port")).toUInt(&ok);
        if (!ok || port > 65535) {
            if (error)
                *error = QStringLiteral("%1: server/port must be 0 to 65535").arg(path);
            return false;
        }
        settings->port = quint16(port);
    }
    if (ini.contains(QStringLiteral("auth/allowed_origins")))
        settings->allowedOrigins = ini.value(QStringLiteral("auth/allowed_origins")).toStringList();
    for (const BoolSetting &row : BoolSettings) {
        if (ini.contains(QLatin1String(row.key)))
            settings->*row.member = ini.value(QLatin1String(row.key)).toBool();
    }
    for (const IntSetting &row : IntSettings) {
        if (!ini.contains(QLatin1String(row.key)))
            continue;
        bool ok = false;
        const int value = ini.value(QLatin1String(row.key)).toInt(&ok);
        if (!ok) {
            if (error)
                *error = QStringLiteral("%1: %2 is not a number").arg(path, QLatin1String(row.key));
            return false;
        }
        settings->*row.member = value;
    }
    if (!settings->validate(error)) {
        if (error)
            *error = path + QStringLiteral(": ") + *error;
        return false;
    }
    return true;
}

bool SettingsStore::save(const ServerSettings &settings, QString *error) const
{
    if (!settings.validate(error))
        return false;
    QSettings ini(filePath(), QSettings::IniFormat);
    ini.setValue(QStringLiteral("server/listen_address"), settings.listenAddress.toString());
    ini.setValue(QStringLiteral("server/port"), settings.port);
    ini.setValue(QStringLiteral("auth/allowed_origins"), settings.allowedOrigins);
    for (const BoolSetting &row : BoolSettings)
        ini.setValue(QLatin1String(row.key), settings.*row.member);
    for (const IntSetting &row : IntSettings)
        ini.setValue(QLatin1String(row.key), settings.*row.member);
    ini.sync();
    if (ini.status() != QSettings::NoError) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(filePath());
        return false;
    }
    return true;
}

} // namespace KioskGate
