#!/usr/bin/env bash
# Usage: tests/with-keyring.sh COMMAND [ARGS...]
#
# Runs COMMAND inside a private D-Bus session with a fresh gnome-keyring whose
# login keyring is unlocked, so keychain tests use the real Secret Service
# without ever touching the user's keyring. Works as root, without a desktop
# session and without standard input (CI). The exit code is COMMAND's.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "with-keyring.sh: '$tool' not found (install dbus, dbus-bin and gnome-keyring)" >&2
        exit 127
    fi
done

# A fresh directory per run: a login keyring left by an earlier run with
# another password would stay locked ("Cannot create an item in a locked
# collection").
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kioskgate-keyring.XXXXXXXX")

# Ends every process that still carries this run's private directory in its
# environment (the keyring daemon, possibly one the bus activated). Only
# processes this run started can carry that unique path.
killLeftovers() {
    local environ pid
    for environ in /proc/[0-9]*/environ; do
        pid=${environ#/proc/}
        pid=${pid%/environ}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "XDG_RUNTIME_DIR=$tmp/runtime"; then
            kill "$pid" 2>/dev/null || true
        fi
    done
}

cleanup() {
    killLeftovers
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -m 0700 "$tmp/runtime" "$tmp/data" "$tmp/config" "$tmp/cache"
# The keyring lives in $XDG_DATA_HOME/keyrings and its control socket in
# $XDG_RUNTIME_DIR/keyring, so neither depends on $HOME.
export XDG_DATA_HOME="$tmp/data"
export XDG_RUNTIME_DIR="$tmp/runtime"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache"
# Nothing may reach the user's session: no desktop for prompts, no inherited
# keyring or bus, and no desktop hints that would steer QtKeychain to KWallet.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY \
    XDG_CURRENT_DESKTOP DESKTOP_SESSION GNOME_DESKTOP_SESSION_ID KDE_FULL_SESSION \
    KDE_SESSION_VERSION || true

status=0
dbus-run-session -- sh -c '
    # --unlock reads the password from stdin, creates the login keyring with
    # it if there is none, and prints variables to export (possibly none).
    eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true

    # The daemon forks before it claims org.freedesktop.secrets: wait for the
    # name, or the first request would make the bus start a second daemon.
    pid=
    tries=0
    while [ "$tries" -lt 100 ]; do
        reply=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus \
            /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID \
            string:org.freedesktop.secrets 2>/dev/null) && {
            pid=$(printf "%s\n" "$reply" | sed -n "s/.*uint32 \([0-9]*\).*/\1/p")
            break
        }
        tries=$((tries + 1))
        sleep 0.05
    done
    if [ -z "$pid" ]; then
        echo "with-keyring.sh: gnome-keyring-daemon did not register org.freedesktop.secrets" >&2
        exit 125
    fi

    status=0
    "$@" </dev/null || status=$?
    kill "$pid" 2>/dev/null || true
    exit "$status"
' with-keyring "$@" </dev/null &
# Waiting on a background job lets INT/TERM (e.g. a CTest timeout) run the
# traps at once instead of after the test.
wait "$!" || status=$?

exit "$status"
