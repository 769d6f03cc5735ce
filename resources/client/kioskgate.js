// KioskGate browser client (ES module, no dependencies).
// Served by the console at /kioskgate.js; see docs/kiosk-setup.md.
export const VERSION = "0.0.0";
