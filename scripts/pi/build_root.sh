#!/usr/bin/env bash
# Build an arm64 Debian Bookworm root (the base of Raspberry Pi OS 64-bit, CPython 3.11) for running the
# bundle under qemu-user emulation. Idempotent: does nothing when the root is already complete.
#
# Usage: scripts/pi/build_root.sh [ROOT]      (default ROOT: /work/scratch/pi-root; must be run as root)
# The second debootstrap stage runs every maintainer script under emulation and takes ~8 minutes.
set -euo pipefail

ROOT=${1:-/work/scratch/pi-root}
MIRROR=${PI_MIRROR:-http://deb.debian.org/debian}
PACKAGES=python3,python3-venv,python3-pip,ca-certificates
HERE=$(cd "$(dirname "$0")" && pwd)

if [[ -f "$ROOT/.edge-root-complete" ]]; then
    echo "arm64 root already built: $ROOT"
    exit 0
fi

"$HERE/setup_host.sh"

if [[ -e "$ROOT" ]]; then
    echo "removing incomplete root $ROOT"
    rm -rf --one-file-system "$ROOT"
fi
echo "debootstrap arm64 bookworm into $ROOT (both stages, ~10 minutes)"
debootstrap --arch=arm64 --variant=minbase --include="$PACKAGES" bookworm "$ROOT" "$MIRROR"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
touch "$ROOT/.edge-root-complete"
echo "arm64 root ready: $ROOT"
