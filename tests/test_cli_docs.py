"""The CLI documents itself: `--version`, plain help screens, and every option in the README."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

import ground
from edge_cli import app as laptop_app
from edge_runtime.bundle import build_bundle
from edge_runtime.cli import app as device_app
from edge_runtime.packaged import PACKAGED_MODEL
from tests.conftest import REPO
from tests.test_bundle import run_launcher

LAPTOP = typer.main.get_command(laptop_app)
COMMANDS = sorted(LAPTOP.commands)


def readme_row(command: str) -> str:
    """The README's CLI reference row of `edge COMMAND`."""
    rows = [
        line
        for line in (REPO / "README.md").read_text().splitlines()
        if line.startswith(f"| `edge {command} ")
    ]
    assert len(rows) == 1, f"one README row for edge {command}, found {len(rows)}"
    return rows[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_every_command_is_in_the_readme(command):
    row = readme_row(command)
    missing = [
        "/".join(param.opts + param.secondary_opts)
        for param in LAPTOP.commands[command].params
        if param.param_type_name == "option"
        and not any(
            re.search(rf"`?\[?{re.escape(name)}\b", row) for name in param.opts + param.secondary_opts
        )
    ]
    assert not missing, f"edge {command}: the README does not mention {missing}"


@pytest.mark.parametrize("app", [laptop_app, device_app])
def test_version(app):
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"edge-digits {ground.__version__}\n"


def test_the_bundle_prints_its_version(tmp_path):
    """The bundle's `./edge` runs the copied runtime, with no edge-digits package installed."""
    bundle = build_bundle(PACKAGED_MODEL, tmp_path / "bundle", user="pi")
    proc = run_launcher(bundle.path, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"edge-digits {ground.__version__}\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_screens_show_plain_names(command):
    result = CliRunner().invoke(laptop_app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    noise = re.findall(r"<(?:bool|int|float|str|path|list)[^>]*>|\{[a-z_]+\}", result.stdout)
    assert not noise, f"edge {command} --help shows {noise}"
    usage = result.stdout.split("Usage:")[1].splitlines()[0]
    assert all(p.upper() == p for p in usage.split()[3:]), usage  # [OPTIONS] MODEL PATHS...
    params = LAPTOP.commands[command].params
    flags = [p for p in params if getattr(p, "is_flag", False) and p.default is False]  # None: either way
    assert not [p.secondary_opts for p in flags if p.secondary_opts], "an off-by-default flag needs no --no-x"


# --- help screens at 80 columns, each ending with examples ---------------------------------------

DEVICE = typer.main.get_command(device_app)


def _help(app, args: list[str]) -> list[str]:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _examples(lines: list[str]) -> list[str]:
    """The commands under the help screen's closing "Examples:"."""
    start = max(i for i, line in enumerate(lines) if line.strip() == "Examples:")
    return [line.strip() for line in lines[start + 1 :] if line.strip()]


HELP_SCREENS = [(laptop_app, [c]) for c in COMMANDS] + [(device_app, [c]) for c in sorted(DEVICE.commands)]


@pytest.mark.parametrize("app, args", HELP_SCREENS + [(laptop_app, []), (device_app, [])])
def test_help_wraps_cleanly_at_80_columns(app, args):
    lines = _help(app, args)
    assert max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    options = lines[lines.index("Options:") + 1 :]
    # an option's help starts by column 34, leaving it 46 columns or more (Rich's tables left some 20)
    starts = [len(line) - len(line.lstrip()) for line in options if line.startswith(" " * 10)]
    assert all(start <= 34 for start in starts), starts


@pytest.mark.parametrize("app, args", HELP_SCREENS)
def test_every_help_ends_with_examples_of_its_own_options(app, args):
    (command,) = args
    examples = _examples(_help(app, args))
    assert 2 <= len(examples) <= 4, examples
    params = typer.main.get_command(app).commands[command].params
    known = {name for p in params for name in p.opts + p.secondary_opts}
    for example in examples:
        assert example.startswith(f"edge {command}"), example
        words = re.split(r"[|>]", example)[0].split()
        unknown = [w for w in words if w.startswith("-") and w not in known]
        assert not unknown, f"{example}: edge {command} has no {unknown}"


@pytest.mark.parametrize("app", [laptop_app, device_app])
def test_edge_alone_ends_with_examples(app):
    examples = _examples(_help(app, []))
    assert 2 <= len(examples) <= 4 and all(e.startswith("edge ") for e in examples)
