#!/usr/bin/env bash
# Installs the npm dependencies of the end-to-end tests (tests/node) exactly as
# pinned in tests/node/package-lock.json. Needs Node 20+ and npm. Chromium is
# not downloaded: the tests drive the system's (Debian: apt-get install chromium).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v npm >/dev/null 2>&1; then
    echo "setup-node-tests.sh: npm not found; install Node.js 20 or newer" >&2
    exit 127
fi
npm ci --prefix "$root/tests/node" --no-audit --no-fund
# The benchmark's peer server (ws + jsonwebtoken) and runner: the bench_smoke test.
npm ci --prefix "$root/bench" --no-audit --no-fund
