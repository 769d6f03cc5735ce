#pragma once

namespace KioskGate {

/// Raises this process's soft limit on open files (RLIMIT_NOFILE) to its
/// hard limit, once: every kiosk holds a descriptor, and the usual soft
/// limit of 1024 would cap the fleet far below the connection cap. Returns
/// the soft limit now in force (-1 where there is no such limit).
long raiseOpenFileLimit();

} // namespace KioskGate
