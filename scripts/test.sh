#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs every KioskGate test: unit, integration
# (real sockets, the real keychain in a private D-Bus session, the real
# executable) and end-to-end (Node ws and Debian Chromium).
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-debian.sh --tests
scripts/setup-node-tests.sh   # npm ci: tests/node, bench, installer/check

preset=${KIOSKGATE_PRESET:-dev}
cmake --preset "$preset"
cmake --build --preset "$preset" --parallel "$(nproc)"
ctest --preset "$preset" --parallel 2 "$@"
