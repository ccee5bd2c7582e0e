"""Imports point one way: the ground package imports no stage, the device runtime never reaches up to
training or export, training never to export, and only the laptop CLI (`edge_cli`) composes them all.
Read from the source, statically."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = ("ground", "train", "export", "edge_runtime", "edge_cli")
FORBIDDEN = {  # package: the packages it must not import
    "ground": {"train", "export", "edge_runtime", "edge_cli"},
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


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_graph() -> dict[str, set[str]]:
    """{first-party module: the first-party modules it imports}; `from a import b` counts as module
    `a.b` when that is a module, else `a`."""
    paths = [path for package in STAGES for path in (REPO / package).rglob("*.py")]
    modules = {module_name(path) for path in paths}
    graph = {}
    for path in paths:
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets |= {
                    f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                    for alias in node.names
                }
        graph[module_name(path)] = (targets & modules) - {module_name(path)}
    return graph


def test_no_import_loop():
    graphlib.TopologicalSorter(module_graph()).prepare()  # raises CycleError naming the loop


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
    assert device == ["classify", "webcam", "samples", "collect", "relabel", "info", "benchmark", "serve"]
    assert laptop == ["train", "train-reader", "evaluate", "export", *device, "bundle"]
