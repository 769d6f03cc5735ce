#pragma once

#include <QImage>

namespace KioskGate::QrCode {

/// Encodes `data` as a QR code (libqrencode, error correction M) and
/// renders it with `moduleSize` pixels per module and a 4-module quiet
/// zone. A null image if the data does not fit.
QImage render(const QByteArray &data, int moduleSize = 4);

} // namespace KioskGate::QrCode
