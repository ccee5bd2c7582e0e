#!/usr/bin/env bash
# Emulated Raspberry Pi check: run a deploy bundle on arm64 Debian under qemu-user, and compare its
# predictions with the x86 run. The release is the base of a Raspberry Pi OS 64-bit release, with the same
# CPython and glibc: trixie (Debian 13, CPython 3.13, glibc 2.41: the current Raspberry Pi OS) or bookworm
# (Debian 12, CPython 3.11, glibc 2.36).
#
#   sudo scripts/pi_emulation.sh [--release trixie|bookworm] MODEL.tflite   (by hand, as root; not in CI)
#
# Steps: build the release's arm64 root once with debootstrap + qemu-user-static (scripts/pi/build_root.sh;
# the second stage takes ~8 minutes); make the bundle of this checkout and seeded inputs (photos + a short video) on x86; run
# the bundle's launcher on them here; copy both into the root, make the venv and pip install the bundle's
# requirements from the package index exactly as its README says; run the same launcher under
# QEMU_CPU (cortex-a72 = Pi 4, cortex-a76 = Pi 5) with a matching ARM /proc/cpuinfo bind-mounted over the
# host's (qemu 7.2 passes the x86 one through and LiteRT's CPU detection can crash on it); then compare
# the predictions, which must be equal, and the interpreter's raw outputs on the very same 28x28 inputs
# (the x86 run's crops): within one quantization step with the default kernels (XNNPACK's kernels differ
# by CPU: under cortex-a72/a76 two int8 outputs differ by 1/256), bit-identical with LiteRT's reference
# kernels (BUILTIN_REF). Timings under emulation are meaningless.
#
# Environment: QEMU_CPU (cortex-a72), PI_ROOT (/work/scratch/pi-root-RELEASE), PI_WORK
# (/work/scratch/pi/emulation), PI_PIP_CACHE (/work/scratch/pi/pip-cache: pip's cache for the emulated
# installs, kept between runs), PI_PYTHON (the x86 Python with the toolkit's dependencies: ./.venv/bin/python).
set -euo pipefail

USAGE="usage: sudo scripts/pi_emulation.sh [--release trixie|bookworm] MODEL.tflite"
RELEASE=trixie
if [[ ${1:-} == --release ]]; then
    RELEASE=${2:?$USAGE}
    shift 2
fi
MODEL=$(realpath "${1:?$USAGE}")
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${PI_ROOT:-/work/scratch/pi-root-$RELEASE}
WORK=${PI_WORK:-/work/scratch/pi/emulation}
PIP_CACHE=${PI_PIP_CACHE:-/work/scratch/pi/pip-cache}
export QEMU_CPU=${QEMU_CPU:-cortex-a72}
PYTHON=${PI_PYTHON:-$REPO/.venv/bin/python}
STARTED=$(date +%s)
CHECK_DIR=/opt/edge-check  # inside the root
# pip inside the root trusts the host's CA bundle: the network may go through a TLS-inspecting proxy (as here).
HOST_CA=/etc/ssl/certs/host-ca-certificates.crt
MOUNTS=()

step() { printf '\n== %s\n' "$*"; }

mount_into_root() {  # mount_into_root TARGET MOUNT-ARGS...
    [[ -e "$ROOT$1" ]] || mkdir -p "$ROOT$1"
    mount "${@:2}" "$ROOT$1"
    MOUNTS=("$ROOT$1" "${MOUNTS[@]}")
}

unmount_all() {
    for target in "${MOUNTS[@]}"; do
        umount "$target" || umount -l "$target"
    done
}

in_pi() {  # run a shell command inside the arm64 root, in $CHECK_DIR
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        QEMU_CPU="$QEMU_CPU" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CERT=$HOST_CA \
        /bin/sh -c "cd $CHECK_DIR && $1"
}

[[ $(id -u) == 0 ]] || { echo "run as root (debootstrap, chroot and mounts need it)" >&2; exit 1; }

step "arm64 Debian $RELEASE root: $ROOT"
"$REPO/scripts/pi/build_root.sh" "$RELEASE" "$ROOT"

step "bundle and inputs (x86)"
rm -rf "$WORK"
mkdir -p "$WORK" "$PIP_CACHE"
# this checkout's toolkit, whatever the venv has installed; the unit's user does not matter here
PYTHONPATH=$REPO "$PYTHON" -m edge_cli bundle "$MODEL" --out "$WORK/bundle" --user pi
PYTHONPATH=$REPO "$PYTHON" "$REPO/scripts/pi/make_inputs.py" "$WORK/inputs"
cp "$REPO/scripts/pi/run_bundle.sh" "$REPO/scripts/pi/model_outputs.py" "$WORK/"
"$REPO/scripts/pi/fake_cpuinfo.sh" "$QEMU_CPU" > "$WORK/cpuinfo"

step "x86 run ($(uname -m), $("$PYTHON" -V))"
(cd "$WORK" && EDGE_PYTHON=$PYTHON ./run_bundle.sh x86)

step "emulated Pi: QEMU_CPU=$QEMU_CPU"
trap unmount_all EXIT
rm -rf "${ROOT:?}$CHECK_DIR"
mkdir -p "$ROOT$CHECK_DIR"
cp -a "$WORK/bundle" "$WORK/inputs" "$WORK/run_bundle.sh" "$WORK/model_outputs.py" "$ROOT$CHECK_DIR/"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT$HOST_CA"
mount_into_root /proc -t proc proc
mount_into_root /proc/cpuinfo --bind "$WORK/cpuinfo"
mount_into_root /sys -t sysfs sysfs
mount_into_root /root/.cache/pip --bind "$PIP_CACHE"
in_pi 'echo "$(uname -m), $(python3 -V), $(grep -m1 "CPU part" /proc/cpuinfo | tr -s "\t" " ")"'

step "venv and requirements from the package index (as the bundle's README says)"
time in_pi 'cd bundle && python3 -m venv --system-site-packages venv && venv/bin/pip install --quiet -r requirements.txt'
in_pi 'bundle/venv/bin/pip list 2>/dev/null | grep -iE "^(numpy|opencv-python-headless|ai-edge-litert|flatbuffers|typer|simplejpeg) "'
in_pi 'bundle/venv/bin/python -c "import tensorflow" 2>/dev/null && echo "TensorFlow is installed?!" || echo "no TensorFlow in the venv"'

step "emulated run (timings meaningless under emulation)"
in_pi './run_bundle.sh pi'
cp "$ROOT$CHECK_DIR"/pi.*.jsonl "$WORK/"

step "x86 vs emulated Pi ($(basename "$MODEL"), $RELEASE, $QEMU_CPU)"
compare() {  # compare LABEL RUN [--outputs]
    printf '%-34s' "$1:"
    "$PYTHON" "$REPO/scripts/pi/compare_predictions.py" "$WORK/x86.$2.jsonl" "$WORK/pi.$2.jsonl" "${@:3}"
}
status=0
compare "photos (classify)" classify || status=1
compare "video (webcam --headless)" webcam || status=1
compare "28x28 model inputs (interpreter)" outputs --outputs || status=1
commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "pi_emulation: $RELEASE, QEMU_CPU=$QEMU_CPU, commit $commit, $(date -u +%F): exit $status after $(($(date +%s) - STARTED)) s"
exit $status
