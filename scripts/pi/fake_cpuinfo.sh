#!/bin/sh
# Print a Raspberry Pi /proc/cpuinfo for the CPU qemu emulates: cortex-a72 (Pi 4) or cortex-a76 (Pi 5).
# qemu-user 7.2 passes /proc/cpuinfo through from the x86 host, and LiteRT's CPU detection (cpuinfo) can
# crash on it; pi_emulation.sh bind-mounts this file over /proc/cpuinfo inside the arm64 root instead.
# The fields match what qemu's model of the core reports in its ID registers (MIDR, HWCAP).
set -eu
case "${1:?usage: fake_cpuinfo.sh cortex-a72|cortex-a76}" in
    cortex-a72)
        features="fp asimd evtstrm crc32 cpuid"
        variant=0x0 part=0xd08 revision=3
        tail="Revision	: c03114
Model		: Raspberry Pi 4 Model B Rev 1.4" ;;
    cortex-a76)
        features="fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp"
        variant=0x4 part=0xd0b revision=1
        tail="Revision	: c04170
Model		: Raspberry Pi 5 Model B Rev 1.0" ;;
    *) echo "unsupported CPU: $1 (cortex-a72 or cortex-a76)" >&2; exit 1 ;;
esac
for n in 0 1 2 3; do
    printf 'processor\t: %s\nBogoMIPS\t: 108.00\nFeatures\t: %s\nCPU implementer\t: 0x41\n' "$n" "$features"
    printf 'CPU architecture: 8\nCPU variant\t: %s\nCPU part\t: %s\nCPU revision\t: %s\n\n' "$variant" "$part" "$revision"
done
printf '%s\n' "$tail"
