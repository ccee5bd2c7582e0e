"""The device's `edge` command (`python -m edge_runtime`, the Pi bundle's `./edge`): classify,
webcam, samples, info and benchmark; numpy, OpenCV and LiteRT only. The laptop's `edge` (`edge_cli`)
adds training, export and bundling on top of these commands.
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from edge_runtime.cli import inspect_commands, runtime_commands
from ground.errors import EdgeError, printable


class EdgeGroup(TyperGroup):
    """Turns EdgeError and Ctrl-C into one line on stderr and a non-zero exit code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except EdgeError as exc:
            typer.echo(f"error: {printable(exc)}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None


def new_app(help_text: str) -> typer.Typer:
    """A Typer app whose errors and Ctrl-C end in one line (the device's and the laptop's CLI)."""
    return typer.Typer(
        cls=EdgeGroup,
        name="edge",
        help=help_text,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


app = new_app(
    "Read handwritten digits with a TFLite model: image files, a camera or a video (no TensorFlow)."
)
DEVICE_COMMANDS = (runtime_commands.app, inspect_commands.app)  # one Typer app per command module
for commands in DEVICE_COMMANDS:  # merged in the order `edge --help` lists them
    app.add_typer(commands)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
