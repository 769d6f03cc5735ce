#!/usr/bin/env bash
# Renders the console's main views into docs/images/ under Xvfb, with real
# WebSocket kiosks connected to an in-process server on a loopback port.
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default build/dev; build first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/dev}"
tool="$build/tests/ui/console_screenshots"
if [ ! -x "$tool" ]; then
    echo "screenshots: $tool not found; run cmake --build $build first" >&2
    exit 1
fi
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run missing (scripts/setup-debian.sh --tests)" >&2; exit 1; }
export QT_QPA_PLATFORM=xcb
export QT_LOGGING_RULES="kioskgate.*.info=false"
# Fusion with the default light palette: the same look on every machine.
exec xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" "$tool" "$root/docs/images" -style Fusion
