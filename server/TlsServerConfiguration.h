#pragma once

#include "TlsCertificates.h"

#include <QSslConfiguration>

namespace KioskGate {

/// The QSslConfiguration every TLS connection of the console uses: the
/// identity's certificate chain and key, TLS 1.2 or later with forward-secret
/// AEAD ciphers only, no client certificates, and no session tickets (each
/// connection does a full handshake, so nothing a client cached from an
/// earlier run can confuse a restarted console).
bool makeTlsServerConfiguration(const TlsIdentity &identity, QSslConfiguration *configuration,
                                QString *error);

} // namespace KioskGate
