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
    /// Linux: the kernel hands a connection over only once its client has
    /// sent something, or after about this many seconds (TCP_DEFER_ACCEPT),
    /// so an accept finds the request head already there. 0 = at once.
    int deferAcceptSecs = 1;
    /// Threads that run the WebSocket upgrade of accepted handshakes beside
    /// the network thread (0: the network thread does it). Read at start.
    int upgradeThreads = 1;
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

    /// Abuse limits (docs/security.md#limits). A kiosk sends a few messages
    /// a minute; a session over `messagesPerSecond` (token bucket of
    /// `messageBurst`, counted per frame) is closed with 1008.
    int messagesPerSecond = 20;
    int messageBurst = 40;
    /// Live sessions plus upgrades in flight per token (jti): beyond it 429.
    /// A kiosk needs one; a few more cover reconnects before the old
    /// session's heartbeat runs out, and a second tab.
    int maxConnectionsPerToken = 8;
    /// Sessions, upgrades and unfinished request heads per client address:
    /// beyond it 429. Generous: a whole site behind one NAT shares it.
    int maxConnectionsPerAddress = 1000;
    /// Unfinished request heads in all; at the cap the oldest (if it has
    /// waited 1 s or more) is dropped, so a slow-loris flood cannot starve
    /// clients that send their head at once; otherwise the newcomer gets 503.
    int maxPendingHeads = 10000;
    /// Bytes queued for one session that the kiosk has not read; beyond it
    /// the session is dropped (a slow consumer must not grow memory).
    int maxWriteBufferBytes = 1024 * 1024;
    /// Bytes one connection may send per second (token bucket of
    /// `inboundByteBurst`), counted on the socket whatever they carry:
    /// pings are answered inside QWebSocket and never reach the frame rate
    /// limit. Over it the session is closed with 1008. A kiosk sends a few
    /// hundred bytes a minute; the burst holds four largest messages.
    int inboundBytesPerSecond = 64 * 1024;
    int inboundByteBurst = 256 * 1024;

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
