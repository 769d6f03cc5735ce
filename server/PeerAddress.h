#pragma once

#include <QHostAddress>
#include <QString>

namespace KioskGate {

/// How a client's address is written everywhere (logs, failure budget,
/// sessions, registry): IPv4 clients of a dual-stack listener appear as plain
/// IPv4, so one client has one name and one failure budget.
inline QString peerAddressText(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

} // namespace KioskGate
