"""scripts/check_pi_wheels.py: the runtime's requirements resolve to Linux aarch64 wheels for the CPython of
every supported Raspberry Pi OS release (Bookworm: 3.11, Trixie: 3.13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edge_runtime.bundle import PI_RELEASES, RUNTIME_REQUIREMENTS

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_pi_wheels.py"
UNREACHABLE = 2


def run_check(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)
    if result.returncode == UNREACHABLE:
        pytest.skip(f"package index unreachable, cannot check aarch64 wheels: {result.stderr.strip()}")
    return result


@pytest.mark.parametrize("release", PI_RELEASES, ids=lambda r: r.name)
def test_runtime_requirements_have_pi_wheels(release):
    result = run_check("--release", release.name)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert f"CPython {release.python} (glibc {release.glibc}" in header
    wheels = {row.split()[0].replace("_", "-").lower(): row.split()[2:] for row in rows}
    assert {r.split("==")[0].lower() for r in RUNTIME_REQUIREMENTS} <= set(wheels)
    assert "tensorflow" not in wheels
    cpython = "cp" + release.python.replace(".", "")
    # pure Python, or built for this CPython (or its stable ABI) on aarch64
    for name, (tags, platform) in wheels.items():
        abi = tags.split("-")[1]
        assert platform == "any" or ("aarch64" in platform and abi in (cpython, "abi3")), name
    assert wheels["ai-edge-litert"][0] == f"{cpython}-{cpython}"


def test_a_package_without_an_aarch64_wheel_is_listed_for_every_release(tmp_path):
    # numpy 1.21 predates CPython 3.11: it has aarch64 wheels, but none for cp311 or cp313.
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\ntyper==0.29.2\nnumpy==1.21.0\n")
    result = run_check("-r", str(requirements))
    assert result.returncode == 1
    assert result.stderr.count("numpy==1.21.0: no wheel for numpy==1.21.0") == len(PI_RELEASES)
    for release in PI_RELEASES:
        assert f"no wheels for Linux aarch64 / CPython {release.python} " in result.stderr
    assert "typer" not in result.stderr
