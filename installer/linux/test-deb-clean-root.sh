#!/usr/bin/env bash
# Installs a KioskGate .deb into a clean Debian 12 root and proves it runs there.
#
#   installer/linux/test-deb-clean-root.sh [PATH/TO/kioskgate_*.deb]
#   installer/linux/test-deb-clean-root.sh --prepare-root   (only make the cached root)
#
# 1. A minimal Debian 12 root (debootstrap --variant=minbase, nothing else) is
#    made once and cached as a tarball under build/clean-root/; every run
#    unpacks a fresh copy, so no run sees what an earlier one installed.
# 2. The .deb goes in with `apt-get install --no-install-recommends ./x.deb`:
#    apt resolves its Depends from the Debian mirror, and nothing the package
#    merely recommends is there, so a missing Depends shows up here.
# 3. Inside the root, as an unprivileged user: `kioskgate --version` (and
#    the window's program, kioskgate-console, loads: its libraries are
#    there), the headless server, `token issue`, a kiosk that connects with the token,
#    `status`, and `reset-all` (reported as unavailable if this build lacks it).
#    First with --insecure-file-secrets (a headless server without keychain),
#    then (unless KIOSKGATE_CLEAN_ROOT_KEYRING=0) with gnome-keyring and D-Bus
#    added to the root, as a desktop has them: the signing key then lives in
#    the Secret Service, reached through the package's libsecret.
#    The kiosk is a WebSocket client written in bash (/dev/tcp): bash is in
#    every Debian root, so nothing is added to the root and nothing from the
#    host is mounted into it except /proc, /dev and /sys.
#
# Needs root (chroot, mounts) and debootstrap. Environment:
#   KIOSKGATE_CLEAN_ROOT_CACHE  cache folder (default: build/clean-root)
#   KIOSKGATE_DEBIAN_MIRROR     mirror (default: http://deb.debian.org/debian)
#   KIOSKGATE_KEEP_ROOT=1       keep the unpacked root for inspection
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
cache="${KIOSKGATE_CLEAN_ROOT_CACHE:-$source_dir/build/clean-root}"
mirror="${KIOSKGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
base_tar="$cache/debian12-minbase.tar"
port=18765
origin="https://kiosk.example"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap, chroot and mounts need it)"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install debootstrap"

prepare_only=0
if [ "${1:-}" = "--prepare-root" ]; then prepare_only=1; shift; fi
deb="${1:-}"
if [ "$prepare_only" = 0 ] && [ -z "$deb" ]; then
    deb="$(ls -t "$source_dir"/build/*/kioskgate_*.deb 2>/dev/null | head -n 1 || true)"
fi
if [ "$prepare_only" = 0 ]; then
    [ -n "$deb" ] && [ -f "$deb" ] || fail "no .deb given and none found under build/*/ (run cpack -G DEB first)"
    deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
fi
started=$SECONDS

# ---------------------------------------------------------------------------
step "clean Debian 12 root"
mkdir -p "$cache"
if [ ! -f "$base_tar" ]; then
    echo "no cached root: debootstrap --variant=minbase $suite from $mirror (one-off, a few minutes)"
    fresh="$(mktemp -d "$cache/debootstrap.XXXXXX")"
    debootstrap --variant=minbase "$suite" "$fresh" "$mirror" > "$cache/debootstrap.log" 2>&1 \
        || { tail -n 20 "$cache/debootstrap.log"; fail "debootstrap failed (log: $cache/debootstrap.log)"; }
    # Security and point-release updates, as on any installed Debian 12.
    cat > "$fresh/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
SOURCES
    tar -C "$fresh" -cf "$base_tar.part" . && mv "$base_tar.part" "$base_tar"
    rm -rf "$fresh"
else
    echo "using the cached root $base_tar"
fi
[ "$prepare_only" = 0 ] || exit 0
root="$(mktemp -d "$cache/root.XXXXXX")"
mounted=()
cleanup() {
    local m
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[$i]}" 2>/dev/null || true
    done
    if [ "${KIOSKGATE_KEEP_ROOT:-0}" = 1 ]; then
        echo "root kept at $root"
    else
        rm -rf "$root"
    fi
}
trap cleanup EXIT
tar -C "$root" -xf "$base_tar"
chmod 0755 "$root" # mktemp made it 0700: the unprivileged user needs to reach /
for fs in proc sys dev; do
    mount --bind "/$fs" "$root/$fs"
    mounted+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
echo "unpacked a fresh root at $root ($(du -sh "$root" --exclude=proc --exclude=sys --exclude=dev 2>/dev/null | cut -f1))"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
as_user() { chroot --userspec=kiosk:kiosk "$root" /usr/bin/env -i HOME=/home/kiosk USER=kiosk \
    PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }

# ---------------------------------------------------------------------------
step "install $(basename "$deb") with apt (Depends only, no Recommends)"
cp "$deb" "$root/tmp/"
t0=$SECONDS
in_root apt-get update -q > "$cache/apt-update.log" 2>&1 || { cat "$cache/apt-update.log"; fail "apt-get update"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "/tmp/$(basename "$deb")" > "$cache/apt-install.log" 2>&1 \
    || { tail -n 30 "$cache/apt-install.log"; fail "apt-get install of the .deb"; }
grep -E '^[0-9]+ upgraded' "$cache/apt-install.log" || true
echo "apt set up $(grep -c '^Setting up' "$cache/apt-install.log") packages in $((SECONDS - t0)) s, among them:"
grep -oE '^Setting up (libqt6[^ ]*|qt6-[^ ]*|libsecret[^ ]*|libjwt[^ ]*|libssl[^ ]*|kioskgate) \([^)]*\)' \
    "$cache/apt-install.log" | sed 's/^Setting up /  /' | sort
in_root dpkg-query -W -f='${Package} ${Version} ${Status}\n' kioskgate

# ---------------------------------------------------------------------------
step "installed files"
in_root dpkg -L kioskgate | grep -vE '/$' | grep -E 'bin/|libexec/|client/|applications/|metainfo/|icons/hicolor/(48x48|scalable)|man1|doc/kioskgate' || true
[ -x "$root/usr/bin/kioskgate" ] || fail "/usr/bin/kioskgate missing"
[ -f "$root/usr/share/kioskgate/client/kioskgate.js" ] || fail "the browser client is not installed"

in_root useradd --create-home --shell /bin/bash kiosk

step "kioskgate --version (from /, as user kiosk)"
version="$(as_user sh -c 'cd / && kioskgate --version')"
echo "$version"
expected="$(dpkg-deb -f "$deb" Version)"
[ "$version" = "KioskGate ${expected%%-*}" ] || fail "--version says \"$version\", the package is $expected"

# The window's own program, which kioskgate starts: the Depends must cover
# its GUI libraries too. Without a display, kioskgate says what to run instead.
if [ -e "$root/usr/libexec/kioskgate/kioskgate-console" ]; then
    step "the console program's libraries, and kioskgate without a display"
    console_version="$(as_user sh -c 'cd / && /usr/libexec/kioskgate/kioskgate-console --version')"
    [ "$console_version" = "$version" ] || fail "kioskgate-console --version says \"$console_version\""
    if as_user sh -c 'cd / && kioskgate' > "$root/tmp/no-display.txt" 2>&1; then
        fail "kioskgate without a display exited 0"
    fi
    grep -q -- '--headless' "$root/tmp/no-display.txt" || fail "kioskgate without a display: $(cat "$root/tmp/no-display.txt")"
fi

# ---------------------------------------------------------------------------
step "headless server, token, kiosk connection"
data=/home/kiosk/data
# The bash kiosk speaks plain ws://. Builds that serve TLS by default have
# --no-tls for that (as behind a TLS-terminating proxy).
plain=""
if as_user kioskgate --help 2>/dev/null | grep -q -- '--no-tls'; then
    plain="--no-tls"
    echo "this build serves TLS by default: the smoke test runs with --no-tls"
fi
as_user sh -c "kioskgate --headless $plain --insecure-file-secrets --data-dir $data \
    --listen 127.0.0.1:$port --allow-origin $origin > /home/kiosk/server.log 2>&1 & echo \$! > /home/kiosk/server.pid"
server_log="$root/home/kiosk/server.log"
stop_server() {
    local pid
    pid="$(cat "$root/home/kiosk/server.pid" 2>/dev/null || true)"
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
}
trap 'stop_server; cleanup' EXIT
for _ in $(seq 1 100); do
    grep -q "listening" "$server_log" 2>/dev/null && break
    sleep 0.1
done
grep -q "listening" "$server_log" || { cat "$server_log"; fail "the server did not start within 10 s"; }
sed 's/^/  server: /' "$server_log"

token="$(as_user kioskgate token issue lobby-1 --insecure-file-secrets --data-dir $data 2>/dev/null)"
[ -n "$token" ] || fail "token issue printed no token"
echo "issued a token for lobby-1 (${#token} characters, not shown)"

# The kiosk: a WebSocket client in bash. It sends the handshake with the
# token in the Authorization header and prints the status line and every
# text frame it gets. A command it acks (masked frames with a zero mask
# key), then does what a kiosk page does for reset: it goes away, connects
# again and reports done after the new welcome. It stops after FRAMES frames,
# after a done, or when nothing arrives for SECONDS seconds.
cat > "$root/home/kiosk/kiosk.sh" <<'KIOSK'
#!/bin/bash
set -u
port=$1 origin=$2 frames=$3 seconds=$4 token=$(cat /home/kiosk/token)
connect() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 2
    printf 'GET /v1/kiosk HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: %s\r\nAuthorization: Bearer %s\r\n\r\n' \
        "$port" "$origin" "$token" >&3
    IFS= read -r -t "$seconds" status <&3 || exit 3
    echo "kiosk: ${status%$'\r'}"
    while IFS= read -r -t "$seconds" line <&3; do [ "${line%$'\r'}" = "" ] && break; done
}
bytes() { timeout "$seconds" dd bs=1 count="$1" status=none <&3 | od -An -tu1; }
# Reads one frame into $opcode and $payload.
read_frame() {
    local b0 b1 h l len
    read -r b0 b1 < <(bytes 2) || exit 4
    [ -n "${b1:-}" ] || exit 4
    len=$((b1 & 127))
    if [ "$len" -eq 126 ]; then read -r h l < <(bytes 2); len=$((h * 256 + l)); fi
    opcode=$((b0 & 15))
    payload=$(timeout "$seconds" dd bs=1 count="$len" status=none <&3)
}
send_text() {  # FIN+text, MASK bit, zero mask key: the payload goes as is (< 126 bytes)
    local n=${#1}
    printf "\\x81\\x$(printf %02x $((128 + n)))\\x00\\x00\\x00\\x00%s" "$1" >&3
}
connect
for ((i = 0; i < frames; i++)); do
    read_frame
    [ "$opcode" -eq 1 ] || { i=$((i - 1)); continue; }  # pings etc. are not counted
    echo "kiosk: $payload"
    case $payload in
    *'"type":"command"'*)
        id=$(printf '%s' "$payload" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
        send_text "{\"type\":\"ack\",\"id\":\"$id\",\"ok\":true}"
        echo "kiosk: acked $id; resetting (reconnecting)"
        exec 3>&-
        connect
        while read_frame; do
            [ "$opcode" -eq 1 ] || continue
            echo "kiosk: $payload"
            case $payload in *'"type":"welcome"'*) break ;; esac
        done
        send_text "{\"type\":\"done\",\"id\":\"$id\"}"
        echo "kiosk: done $id"
        sleep 1  # let the server read it before the socket closes
        exit 0 ;;
    esac
done
KIOSK
printf '%s' "$token" > "$root/home/kiosk/token"
chmod 0755 "$root/home/kiosk/kiosk.sh"
in_root chown kiosk:kiosk /home/kiosk/token /home/kiosk/kiosk.sh

as_user bash /home/kiosk/kiosk.sh $port $origin 1 10 > "$root/home/kiosk/kiosk1.log" 2>&1 &
kiosk_pid=$!
for _ in $(seq 1 50); do grep -q '"type":"welcome"' "$root/home/kiosk/kiosk1.log" && break; sleep 0.1; done
cat "$root/home/kiosk/kiosk1.log"
grep -q 'HTTP/1.1 101' "$root/home/kiosk/kiosk1.log" || fail "the kiosk was not upgraded"
grep -q '"kiosk":"lobby-1"' "$root/home/kiosk/kiosk1.log" || fail "no welcome for lobby-1"
wait "$kiosk_pid" || true

step "kioskgate status while a kiosk is connected"
as_user bash /home/kiosk/kiosk.sh $port $origin 3 6 > "$root/home/kiosk/kiosk2.log" 2>&1 &
kiosk_pid=$!
for _ in $(seq 1 50); do grep -q '"type":"welcome"' "$root/home/kiosk/kiosk2.log" && break; sleep 0.1; done
as_user kioskgate status --insecure-file-secrets --data-dir $data | tee "$root/home/kiosk/status.log"
grep -q 'lobby-1' "$root/home/kiosk/status.log" || fail "status does not list lobby-1"

step "kioskgate reset-all"
reset_all="unavailable"
# The command itself tells whether this build has it (--help would not: the
# general help answers for any word).
set +e
as_user kioskgate reset-all --wait 20 --insecure-file-secrets --data-dir $data > "$root/home/kiosk/reset-all.log" 2>&1
reset_status=$?
set -e
cat "$root/home/kiosk/reset-all.log"
if grep -q 'unknown command "reset-all"' "$root/home/kiosk/reset-all.log"; then
    echo "SKIPPED: this build has no \`kioskgate reset-all\` yet"
else
    [ "$reset_status" -eq 0 ] || fail "reset-all exited with $reset_status"
    for _ in $(seq 1 50); do grep -q 'kiosk: done' "$root/home/kiosk/kiosk2.log" && break; sleep 0.1; done
    grep -q '"name":"reset"' "$root/home/kiosk/kiosk2.log" || { cat "$root/home/kiosk/kiosk2.log"; fail "the kiosk got no reset"; }
    grep -q 'kiosk: done' "$root/home/kiosk/kiosk2.log" || { cat "$root/home/kiosk/kiosk2.log"; fail "the kiosk did not report done"; }
    reset_all="passed"
fi
kill "$kiosk_pid" 2>/dev/null || true
wait "$kiosk_pid" 2>/dev/null || true
cat "$root/home/kiosk/kiosk2.log"

step "stop the server"
stop_server
server_pid="$(cat "$root/home/kiosk/server.pid")"
for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && fail "the server did not stop within 5 s of SIGTERM"
tail -n 3 "$server_log" | sed 's/^/  server: /'

# ---------------------------------------------------------------------------
# The same with the real keychain: what a desktop user has (the package's
# Recommends: gnome-keyring, with D-Bus), the signing key in the Secret
# Service through QtKeychain and the libsecret the package depends on.
keychain="skipped (KIOSKGATE_CLEAN_ROOT_KEYRING=0)"
if [ "${KIOSKGATE_CLEAN_ROOT_KEYRING:-1}" = 1 ]; then
    step "with the keychain: gnome-keyring in a private D-Bus session"
    t0=$SECONDS
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        gnome-keyring dbus dbus-bin > "$cache/apt-keyring.log" 2>&1 \
        || { tail -n 30 "$cache/apt-keyring.log"; fail "apt-get install gnome-keyring"; }
    echo "apt set up $(grep -c '^Setting up' "$cache/apt-keyring.log") packages for the keyring in $((SECONDS - t0)) s"
    # The repository's own keyring wrapper (a script, not a host binary).
    install -m 0755 "$source_dir/tests/with-keyring.sh" "$root/home/kiosk/with-keyring.sh"
    cat > "$root/home/kiosk/keychain-smoke.sh" <<'SMOKE'
#!/bin/bash
# Runs inside one keyring session: server, CLI and kiosk share the keychain.
set -eu
port=$1 origin=$2 plain=$3 data=/home/kiosk/keychain-data
cd /
kioskgate --headless $plain --data-dir $data --listen 127.0.0.1:$port --allow-origin $origin \
    > /home/kiosk/keychain-server.log 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q listening /home/kiosk/keychain-server.log && break; sleep 0.1; done
sed 's/^/  server: /' /home/kiosk/keychain-server.log
grep -q listening /home/kiosk/keychain-server.log || { kill $server; exit 1; }
kioskgate token issue lobby-2 --data-dir $data > /home/kiosk/token 2>/dev/null
echo "issued a token for lobby-2 ($(wc -c < /home/kiosk/token) characters, not shown)"
bash /home/kiosk/kiosk.sh $port $origin 1 10
kioskgate token list --data-dir $data
kill $server
wait $server || true
# The key must still be there for the next start (the start-up check
# stops when a key the registry lists is missing from the keychain).
kioskgate token list --data-dir $data > /dev/null
echo "with the server stopped, the command line finds the signing key in the keychain again"
SMOKE
    chmod 0755 "$root/home/kiosk/keychain-smoke.sh"
    in_root chown kiosk:kiosk /home/kiosk/with-keyring.sh /home/kiosk/keychain-smoke.sh
    as_user /home/kiosk/with-keyring.sh /home/kiosk/keychain-smoke.sh $((port + 1)) $origin "$plain" \
        | tee "$root/home/kiosk/keychain.log" || fail "the keychain run failed"
    grep -q "OS keychain (Secret Service)" "$root/home/kiosk/keychain.log" \
        || fail "the server did not keep its key in the Secret Service"
    grep -q '"kiosk":"lobby-2"' "$root/home/kiosk/keychain.log" || fail "no welcome for lobby-2"
    keychain="passed"
fi

printf '\nclean-root test: install, --version, headless server, token, kiosk connection, status: passed; keychain: %s; reset-all: %s (%d s)\n' \
    "$keychain" "$reset_all" "$((SECONDS - started))"
[ "$reset_all" = passed ] || exit 77
