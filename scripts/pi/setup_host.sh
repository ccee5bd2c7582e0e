#!/usr/bin/env bash
# Prepare this x86-64 Debian host to run arm64 binaries: install debootstrap and qemu-user-static, mount
# binfmt_misc and enable the qemu-aarch64 handler. Must be run as root.
set -euo pipefail

if ! command -v debootstrap >/dev/null || ! command -v qemu-aarch64-static >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap qemu-user-static binfmt-support
fi
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
    mount binfmt_misc -t binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    update-binfmts --enable qemu-aarch64
fi
grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
    || { echo "qemu-aarch64 binfmt handler lacks the F (fix-binary) flag; chroot would not find qemu" >&2; exit 1; }
