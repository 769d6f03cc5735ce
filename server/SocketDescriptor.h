#pragma once

#include <QtGlobal>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <unistd.h>
#endif

namespace KioskGate {

/// Closes a socket descriptor no QTcpSocket owns (yet).
inline void closeSocketDescriptor(qintptr descriptor)
{
#ifdef Q_OS_WIN
    ::closesocket(SOCKET(descriptor));
#else
    ::close(int(descriptor));
#endif
}

} // namespace KioskGate
