#pragma once

#include <QObject>

class QTimer;

namespace KioskGate {

/// Gives memory freed after a burst of connections back to the system.
///
/// A reconnect storm allocates and frees handshake temporaries (request
/// heads, header maps, JWT buffers) among long-lived session objects; the
/// allocator keeps those freed pages, so the process stayed ~9 KiB per kiosk
/// larger than its live data after a 3,000-kiosk burst. A second after
/// sessions open or close (at most once a second, also during a long
/// burst) the allocator is asked to release them: jemalloc's purge of all
/// arenas where the program runs on jemalloc (CMake KIOSKGATE_JEMALLOC),
/// else glibc's malloc_trim(). Does nothing elsewhere.
class MemoryTrimmer : public QObject
{
public:
    explicit MemoryTrimmer(QObject *parent = nullptr);
    /// Sessions opened or closed: trim within a second.
    void noteChurn();

    /// Releases free pages now.
    static void trimNow();
    /// The allocator the program runs on: "jemalloc", "glibc" or "system".
    static const char *allocator();

private:
    QTimer *m_timer;
};

} // namespace KioskGate
