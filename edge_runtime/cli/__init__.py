"""The `edge` command: one Typer app; each stage's commands live in a module of their own.

Training and export need TensorFlow, so their modules import `train` / `export` only inside
the command bodies: the runtime commands work on a device that has no TensorFlow.
"""

from __future__ import annotations

import importlib.util
import sys

import typer
from typer.core import TyperGroup

from edge_runtime.errors import EdgeError


class _EdgeGroup(TyperGroup):
    """Turns EdgeError and Ctrl-C into one line on stderr and a non-zero exit code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except EdgeError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_EdgeGroup,
    name="edge",
    help="Train, quantize and run a residual CNN digit classifier on edge devices.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def require_training_extra() -> None:
    """Fail in one line when TensorFlow (the `train` extra) is not installed; else import it quietly."""
    if importlib.util.find_spec("tensorflow") is None:
        raise EdgeError(
            "this command needs TensorFlow: pip install 'edge-digits[train]' (not needed on the device)"
        )
    import train.backend  # noqa: F401


# Each module registers its commands on `app`; this order is the order `edge --help` lists them in.
# isort: off
from edge_runtime.cli import train_commands  # noqa: E402,F401
from edge_runtime.cli import export_commands  # noqa: E402,F401
from edge_runtime.cli import runtime_commands  # noqa: E402,F401
from edge_runtime.cli import inspect_commands  # noqa: E402,F401
from edge_runtime.cli import bundle_commands  # noqa: E402,F401
# isort: on


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
