#!/usr/bin/env python3
"""Check that the runtime installs on a Raspberry Pi: every package it needs has a wheel for Linux aarch64 /
CPython 3.11 (Raspberry Pi OS 64-bit Bookworm, glibc 2.36), dependencies included.

It resolves the bundle's pinned requirements (edge_runtime.bundle.RUNTIME_REQUIREMENTS, or -r FILE) with
`pip download --only-binary=:all:` for that platform into a temporary folder; pip's cache keeps reruns fast.
Exit status: 0 every package has a wheel; 1 some have none (listed); 2 the package index is unreachable.

Usage: .venv/bin/python scripts/check_pi_wheels.py [-r requirements.txt]
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
from edge_runtime.bundle import RUNTIME_REQUIREMENTS  # noqa: E402

PYTHON_VERSION = "3.11"
GLIBC_MINOR = 36  # Debian 12 Bookworm: glibc 2.36 accepts manylinux_2_17 ... manylinux_2_36
# pip does not expand a PEP 600 tag to older ones, so list every tag the Pi's pip would accept.
PLATFORMS = [f"manylinux_2_{minor}_aarch64" for minor in range(GLIBC_MINOR, 16, -1)] + [
    "manylinux2014_aarch64"
]
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


def pip_download(requirements: list[str], dest: Path) -> subprocess.CompletedProcess:
    """`pip download` of `requirements` (with dependencies) as wheels for the Pi's platform into `dest`."""
    platform_args = [arg for tag in PLATFORMS for arg in ("--platform", tag)]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", *platform_args]
    command += ["--python-version", PYTHON_VERSION, "--implementation", "cp", "--dest", str(dest)]
    return subprocess.run(command + requirements, capture_output=True, text=True)


def missing_wheels(requirements: list[str]) -> dict[str, str]:
    """Each requirement that cannot be resolved to wheels → pip's reason (the package lacking one)."""
    missing = {}
    for requirement in requirements:
        with tempfile.TemporaryDirectory() as dest:
            result = pip_download([requirement], Path(dest))
        if result.returncode != 0:
            match = NO_MATCH.search(result.stderr)
            missing[requirement] = f"no wheel for {match.group(1)}" if match else result.stderr.strip()[-300:]
    return missing


def wheel_table(wheels: list[Path]) -> list[str]:
    """One line per wheel: distribution, version and platform tag."""
    rows = []
    for wheel in sorted(wheels, key=lambda p: p.name.lower()):
        name, version, *_, platform = wheel.stem.split("-")
        rows.append(f"  {name:<24} {version:<14} {platform}")
    return rows


def read_requirements(path: Path) -> list[str]:
    """Requirement lines of a requirements file, without comments and blanks."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--requirements", type=Path, help="requirements file (default: the bundle's)")
    args = parser.parse_args()
    requirements = read_requirements(args.requirements) if args.requirements else list(RUNTIME_REQUIREMENTS)
    target = (
        f"Linux aarch64 / CPython {PYTHON_VERSION} (glibc 2.{GLIBC_MINOR}, Raspberry Pi OS 64-bit Bookworm)"
    )
    index = os.environ.get("PIP_INDEX_URL", DEFAULT_INDEX)
    if not index_reachable(index):
        print(f"package index unreachable: {index}", file=sys.stderr)
        return UNREACHABLE
    with tempfile.TemporaryDirectory() as dest:
        result = pip_download(requirements, Path(dest))
        wheels = list(Path(dest).glob("*.whl"))
    if result.returncode == 0:
        print(f"all {len(wheels)} packages have wheels for {target}:")
        print("\n".join(wheel_table(wheels)))
        return 0
    # Each requirement resolves alone but not together: a version conflict, shown as pip reports it.
    missing = missing_wheels(requirements) or {"(all together)": result.stderr.strip()[-300:]}
    print(f"no wheels for {target}:", file=sys.stderr)
    for requirement, reason in missing.items():
        print(f"  {requirement}: {reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
