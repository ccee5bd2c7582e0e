"""scripts/check_pi_wheels.py: the runtime's requirements resolve to Linux aarch64 / CPython 3.11 wheels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edge_runtime.bundle import RUNTIME_REQUIREMENTS

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_pi_wheels.py"
UNREACHABLE = 2


def run_check(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)
    if result.returncode == UNREACHABLE:
        pytest.skip(f"package index unreachable, cannot check aarch64 wheels: {result.stderr.strip()}")
    return result


def test_runtime_requirements_have_pi_wheels():
    result = run_check()
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0].replace("_", "-").lower() for line in result.stdout.splitlines()[1:]}
    for requirement in RUNTIME_REQUIREMENTS:
        assert requirement.split("==")[0].lower() in listed
    assert "tensorflow" not in listed
    assert all(line.split()[-1] == "any" or "aarch64" in line for line in result.stdout.splitlines()[1:])


def test_a_package_without_an_aarch64_wheel_is_listed(tmp_path):
    # numpy 1.21 predates CPython 3.11: it has aarch64 wheels, but none for cp311.
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\ntyper==0.29.2\nnumpy==1.21.0\n")
    result = run_check("-r", str(requirements))
    assert result.returncode == 1
    assert "numpy==1.21.0: no wheel for numpy==1.21.0" in result.stderr
    assert "typer" not in result.stderr
