#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds KioskGate and runs the console: the
# window when there is a display, otherwise the same server headless.
# Usage: scripts/run.sh [kioskgate options]
#   e.g. scripts/run.sh --listen 0.0.0.0:8765 --allow-origin https://kiosk.example
#        scripts/run.sh --headless
# Without options it listens on 127.0.0.1:8765 (wss://, the console's own
# certificate) and allows the example kiosk page's origin
# http://127.0.0.1:8080 (examples/browser-kiosk).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-debian.sh
cmake --preset release
cmake --build --preset release --parallel "$(nproc)"

args=("$@")
if [ "${#args[@]}" -eq 0 ]; then
    args=(--allow-origin http://127.0.0.1:8080)
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [[ " ${args[*]} " != *" --headless "* ]]; then
    echo "run: no display found; running the server without a window (--headless)" >&2
    args+=(--headless)
fi
# Secrets belong in the OS keychain. A machine without one (a server with no
# desktop session) can still run the console with secrets in a file in the
# data directory; KioskGate says so loudly in its log.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ]; then
    echo "run: no desktop session keychain found; using --insecure-file-secrets" >&2
    args+=(--insecure-file-secrets)
fi
exec build/release/app/kioskgate "${args[@]}"
