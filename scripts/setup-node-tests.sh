#!/usr/bin/env bash
# Installs the npm dependencies of the tests exactly as pinned in their
# package-lock.json files: tests/node (end to end), bench (bench_smoke) and
# installer/check (workflow validation). Needs Node 20+ and npm. Chromium is
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
# The workflow and packaging checks (github_workflows_valid).
npm ci --prefix "$root/installer/check" --no-audit --no-fund
