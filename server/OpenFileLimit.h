#pragma once

namespace KioskGate {

/// Raises this process's soft limit on open files (RLIMIT_NOFILE) to its
/// hard limit, once: every kiosk holds a descriptor, and the usual soft
/// limit of 1024 would cap the fleet far below the connection cap. Returns
/// the soft limit now in force (-1 where there is no such limit).
long raiseOpenFileLimit();

/// Grows this process's descriptor table (Linux) to hold at least
/// `descriptors` (at most the soft limit) now, rather than while kiosks
/// connect. Linux doubles the table whenever a new descriptor does not
/// fit, and in a process with threads every doubling waits for an RCU
/// grace period inside accept(): about 40 ms of a 10,000-kiosk reconnect
/// was the network thread asleep there. The table never shrinks; it costs
/// about 8 bytes per entry. Returns the table's size afterwards (as
/// /proc/self/status "FDSize" tells it), or -1 where that is unknown.
long reserveDescriptorTable(long descriptors);

} // namespace KioskGate
