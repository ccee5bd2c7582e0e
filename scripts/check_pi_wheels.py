#!/usr/bin/env python3
"""Check that the runtime installs on a Raspberry Pi: every package it needs has a wheel for Linux aarch64
and the CPython of each supported Raspberry Pi OS 64-bit release (edge_runtime.bundle.PI_RELEASES: Bookworm,
CPython 3.11, glibc 2.36; Trixie, CPython 3.13, glibc 2.41), dependencies included.

It resolves the bundle's pinned requirements (edge_runtime.bundle.RUNTIME_REQUIREMENTS, or -r FILE) with
`pip download --only-binary=:all:` for each release's platform into a temporary folder; pip's cache keeps
reruns fast. Exit status: 0 every package has a wheel for every release checked; 1 some have none (listed);
2 the package index is unreachable.

Usage: .venv/bin/python scripts/check_pi_wheels.py [-r requirements.txt] [--release bookworm|trixie]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from edge_runtime.bundle import PI_RELEASES, RUNTIME_REQUIREMENTS, PiRelease  # noqa: E402

OLDEST_MANYLINUX_MINOR = 17  # manylinux_2_17 = manylinux2014, the oldest aarch64 tag
DEFAULT_INDEX = "https://pypi.org/simple/"
NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
UNREACHABLE = 2


def index_reachable(index_url: str, timeout: float = 10.0) -> bool:
    """Whether the package index answers at all."""
    try:
        with urllib.request.urlopen(index_url.rstrip("/") + "/pip/", timeout=timeout):
            return True
    except OSError:
        return False


def platform_tags(release: PiRelease) -> list[str]:
    """Every aarch64 platform tag the release's pip accepts, newest first: pip does not expand a PEP 600
    tag (manylinux_2_41) to the older ones its glibc also runs."""
    newest = int(release.glibc.split(".")[1])
    tags = [f"manylinux_2_{minor}_aarch64" for minor in range(newest, OLDEST_MANYLINUX_MINOR - 1, -1)]
    return tags + ["manylinux2014_aarch64"]


def pip_download(requirements: list[str], release: PiRelease, dest: Path) -> subprocess.CompletedProcess:
    """`pip download` of `requirements` (with dependencies) as wheels for `release` into `dest`."""
    platform_args = [arg for tag in platform_tags(release) for arg in ("--platform", tag)]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", *platform_args]
    command += ["--python-version", release.python, "--implementation", "cp", "--dest", str(dest)]
    return subprocess.run(command + requirements, capture_output=True, text=True)


def missing_wheels(requirements: list[str], release: PiRelease) -> dict[str, str]:
    """Each requirement that cannot be resolved to wheels → pip's reason (the package lacking one)."""
    missing = {}
    for requirement in requirements:
        with tempfile.TemporaryDirectory() as dest:
            result = pip_download([requirement], release, Path(dest))
        if result.returncode != 0:
            match = NO_MATCH.search(result.stderr)
            missing[requirement] = f"no wheel for {match.group(1)}" if match else result.stderr.strip()[-300:]
    return missing


def wheel_table(wheels: list[Path]) -> list[str]:
    """One line per wheel: distribution, version, Python and ABI tags (`cp313-cp313`, `cp37-abi3`,
    `py3-none`) and platform tag."""
    rows = []
    for wheel in sorted(wheels, key=lambda p: p.name.lower()):
        name, version, *_, python, abi, platform = wheel.stem.split("-")
        rows.append(f"  {name:<24} {version:<10} {python + '-' + abi:<12} {platform}")
    return rows


def read_requirements(path: Path) -> list[str]:
    """Requirement lines of a requirements file, without comments and blanks."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def target(release: PiRelease) -> str:
    """The platform in words: `Linux aarch64 / CPython 3.11 (glibc 2.36, Raspberry Pi OS 64-bit Bookworm)`."""
    return (
        f"Linux aarch64 / CPython {release.python} "
        f"(glibc {release.glibc}, Raspberry Pi OS 64-bit {release.name.title()})"
    )


def check_release(requirements: list[str], release: PiRelease) -> bool:
    """Print the wheels the release gets (stdout), or the requirements lacking one (stderr)."""
    with tempfile.TemporaryDirectory() as dest:
        result = pip_download(requirements, release, Path(dest))
        wheels = list(Path(dest).glob("*.whl"))
    if result.returncode == 0:
        print(f"all {len(wheels)} packages have wheels for {target(release)}:")
        print("\n".join(wheel_table(wheels)))
        return True
    # Each requirement resolves alone but not together: a version conflict, shown as pip reports it.
    missing = missing_wheels(requirements, release) or {"(all together)": result.stderr.strip()[-300:]}
    print(f"no wheels for {target(release)}:", file=sys.stderr)
    for requirement, reason in missing.items():
        print(f"  {requirement}: {reason}", file=sys.stderr)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--requirements", type=Path, help="requirements file (default: the bundle's)")
    releases = {release.name: release for release in PI_RELEASES}
    parser.add_argument("--release", choices=list(releases), help="check this release only (default: all)")
    args = parser.parse_args()
    requirements = read_requirements(args.requirements) if args.requirements else list(RUNTIME_REQUIREMENTS)
    index = os.environ.get("PIP_INDEX_URL", DEFAULT_INDEX)
    if not index_reachable(index):
        print(f"package index unreachable: {index}", file=sys.stderr)
        return UNREACHABLE
    checked = [releases[args.release]] if args.release else list(PI_RELEASES)
    results = [check_release(requirements, release) for release in checked]  # each, even after a miss
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
