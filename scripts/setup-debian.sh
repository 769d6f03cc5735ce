#!/usr/bin/env bash
# Installs what KioskGate needs to build, run and test on Debian 12.
# Usage: scripts/setup-debian.sh [--tests] [--packaging]   (run as root, or with sudo available)
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-base-private-dev qt6-websockets-dev libqt6sql6-sqlite libgl-dev
    qt6-svg-dev qtkeychain-qt6-dev libsecret-1-0 libjwt-dev libssl-dev libqrencode-dev
    libjemalloc-dev  # the program's allocator (docs/performance.md, "jemalloc")
    librsvg2-bin  # rsvg-convert renders the PNG icons from the SVG at build time
)
for option in "$@"; do
    if [ "$option" = "--tests" ]; then
        # The real keychain (gnome-keyring in a private D-Bus session), Chromium
        # for browser tests and Node for the ws and Playwright clients.
        packages+=(gnome-keyring dbus dbus-bin chromium xvfb openssl)
        # libFuzzer and the sanitizer runtimes for clang (scripts/fuzz.sh,
        # preset fuzz); gcc's own sanitizer runtimes come with build-essential.
        packages+=(clang-14 libclang-rt-14-dev)
        # gdbus: tst_faults locks the test keyring through the Secret Service.
        packages+=(libglib2.0-bin)
        command -v node >/dev/null 2>&1 || packages+=(nodejs)
        command -v npm >/dev/null 2>&1 || packages+=(npm)
        # Packaging checks: workflow YAML, desktop entry, AppStream, .ico.
        packages+=(yamllint appstream desktop-file-utils icoutils)
    fi
    if [ "$option" = "--packaging" ]; then
        # lintian for the .deb; debootstrap for installer/linux/test-deb-clean-root.sh.
        packages+=(lintian debootstrap)
    fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "setup: all Debian packages present"
fi
