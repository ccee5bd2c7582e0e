#!/usr/bin/env bash
# Build an arm64 Debian root for running the bundle under qemu-user emulation: bookworm (Debian 12, the base
# of Raspberry Pi OS 64-bit Bookworm: CPython 3.11, glibc 2.36) or trixie (Debian 13, Raspberry Pi OS Trixie:
# CPython 3.13, glibc 2.41). Idempotent: does nothing when the root is already complete.
#
# Usage: scripts/pi/build_root.sh RELEASE [ROOT]   (default ROOT: /work/scratch/pi-root-RELEASE; run as root)
# The second debootstrap stage runs every maintainer script under emulation and takes ~8 minutes.
set -euo pipefail

RELEASE=${1:?usage: build_root.sh bookworm|trixie [ROOT]}
case "$RELEASE" in
    bookworm | trixie) ;;
    *) echo "error: unsupported release: $RELEASE (bookworm or trixie)" >&2; exit 1 ;;
esac
ROOT=${2:-/work/scratch/pi-root-$RELEASE}
MIRROR=${PI_MIRROR:-http://deb.debian.org/debian}
PACKAGES=python3,python3-venv,python3-pip,ca-certificates
HERE=$(cd "$(dirname "$0")" && pwd)

if [[ -f "$ROOT/.edge-root-complete" ]]; then
    echo "arm64 $RELEASE root already built: $ROOT"
    exit 0
fi

"$HERE/setup_host.sh"

if [[ -e "$ROOT" ]]; then
    echo "removing incomplete root $ROOT"
    rm -rf --one-file-system "$ROOT"
fi
echo "debootstrap arm64 $RELEASE into $ROOT (both stages, ~10 minutes)"
debootstrap --arch=arm64 --variant=minbase --include="$PACKAGES" "$RELEASE" "$ROOT" "$MIRROR"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
touch "$ROOT/.edge-root-complete"
echo "arm64 $RELEASE root ready: $ROOT"
