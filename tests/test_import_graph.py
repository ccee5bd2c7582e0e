"""Imports point one way: the device runtime never reaches up to training or export, training never
to export, and only the laptop CLI (`edge_cli`) composes them all. Read from the source, statically."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = ("train", "export", "edge_runtime", "edge_cli")
FORBIDDEN = {  # package: the packages it must not import
    "edge_runtime": {"train", "export", "edge_cli"},
    "train": {"export", "edge_cli"},
    "export": {"edge_cli"},
}


def imported_packages(package: str) -> dict[str, set[str]]:
    """{module file: the first-party packages it imports (anywhere in the file, lazy imports too)}."""
    found = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names & set(STAGES)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_stage_never_imports_a_stage_above_it(package):
    offenders = {f: sorted(i & FORBIDDEN[package]) for f, i in imported_packages(package).items()}
    assert not {f: i for f, i in offenders.items() if i}


def test_the_device_cli_lists_only_device_commands():
    import typer

    from edge_cli import app as laptop_app
    from edge_runtime.cli import app as device_app

    device = list(typer.main.get_command(device_app).commands)
    laptop = list(typer.main.get_command(laptop_app).commands)
    assert device == ["classify", "webcam", "samples", "info", "benchmark"]
    assert laptop == ["train", "evaluate", "export", *device, "bundle"]
