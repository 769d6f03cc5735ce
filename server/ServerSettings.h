#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace KioskGate {

/// Everything an operator can tune about the server, with safe defaults.
/// Loaded from `settings.ini` in the data directory (SettingsStore);
/// command-line options override it for one run.
struct ServerSettings
{
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8765;
    int listenBacklog = 4096;
    /// Serve wss:// and https:// (on by default). Off only behind a
    /// TLS-terminating proxy or for local development.
    bool tls = true;
    /// A connection must finish its TLS handshake within this time.
    int tlsHandshakeTimeoutMs = 5000;

    /// Exact web origins kiosk pages are served from.
    QStringList allowedOrigins;
    /// Accept requests without Origin (Node, Qt, Python kiosks) when they
    /// present their token in the Authorization header.
    bool allowNonBrowserClients = true;
    /// Accept ?access_token= (legacy clients). Off: URLs end up in logs.
    bool allowQueryToken = false;

    int maxConnections = 10000;
    int maxHeadBytes = 8192;
    int headTimeoutMs = 10000;

    /// Failed handshakes (401/403) an address may make at once, and how fast
    /// that budget refills (one unit per `failureRefillMs`).
    int failureBurst = 10;
    int failureRefillMs = 6000;

    /// Unused one-time tickets one token may hold at once, and in all.
    int maxTicketsPerToken = 8;
    int maxTickets = 10000;

    int maxFrameBytes = 64 * 1024;
    int maxMessageBytes = 64 * 1024;

    /// Ping interval; a kiosk that has not answered for
    /// `heartbeatMissesAllowed` intervals is dropped.
    int heartbeatIntervalMs = 15000;
    int heartbeatMissesAllowed = 2;

    /// How long a recorded command (reset, reload) stays fresh: kiosks that
    /// were offline when it was given still receive it if they reconnect
    /// within this window.
    int commandFreshnessSeconds = 300;

    /// Checks ranges and the origin list; the error names the bad setting.
    bool validate(QString *error) const;
};

} // namespace KioskGate
