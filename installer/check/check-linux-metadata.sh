#!/usr/bin/env bash
# Validates what the Linux package carries besides the program:
#   check-linux-metadata.sh DESKTOP-FILE METAINFO-FILE ICON-DIR VERSION
# desktop-file-validate (desktop-file-utils), appstreamcli (appstream) and,
# for the Windows icon packer, icotool (icoutils) on an .ico made from the
# rendered PNGs. Every tool must be present; warnings fail the check.
set -euo pipefail
desktop=$1 metainfo=$2 icons=$3 version=$4
here="$(cd "$(dirname "$0")" && pwd)"
for tool in desktop-file-validate appstreamcli icotool python3; do
    command -v "$tool" > /dev/null || { echo "$tool is missing: scripts/setup-debian.sh --tests" >&2; exit 1; }
done

echo "desktop-file-validate $desktop"
out="$(desktop-file-validate "$desktop" 2>&1)" || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "$out"; exit 1; }

echo "appstreamcli validate $metainfo"
# Offline; the one note it makes about the placeholder id's domain is allowed.
appstreamcli validate --no-net --pedantic "$metainfo" | tee /tmp/kioskgate-appstream.$$
if grep -E '^[EW]:' /tmp/kioskgate-appstream.$$; then rm -f /tmp/kioskgate-appstream.$$; exit 1; fi
rm -f /tmp/kioskgate-appstream.$$
grep -q "<release version=\"$version\"" "$metainfo" \
    || { echo "the AppStream release is not the project version $version" >&2; exit 1; }

echo "make-ico.py + icotool"
ico="$(mktemp --suffix=.ico)"
trap 'rm -f "$ico"' EXIT
python3 "$here/../tools/make-ico.py" "$ico" "$icons"/kioskgate-{16,24,32,48,64,128,256}.png
listing="$(icotool --list "$ico")"
echo "$listing"
for size in 16 24 32 48 64 128 256; do
    grep -q -- "--width=$size --height=$size" <<< "$listing" || { echo "no ${size}px image in the .ico" >&2; exit 1; }
done
echo "linux metadata and icons valid"
