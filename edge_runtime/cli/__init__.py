"""The device's `edge` command (`python -m edge_runtime`, the Pi bundle's `./edge`): classify,
webcam, samples, info and benchmark; numpy, OpenCV and LiteRT only. The laptop's `edge` (`edge_cli`)
adds training, export and bundling on top of these commands.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import NoReturn

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # Typer vendors Click
from typer.core import TyperGroup

from edge_runtime.cli import inspect_commands, runtime_commands
from ground.errors import EdgeError


class EdgeGroup(TyperGroup):
    """Turns EdgeError, usage errors and Ctrl-C into one line on stderr and a non-zero exit code.

    Usage errors (a missing argument, an unknown option, a value out of range) exit with 2, as
    Click's do, but in one `error:` line instead of Typer's framed box. `edge` alone still shows
    the help.
    """

    def make_context(self, info_name, args, parent=None, **extra) -> typer.Context:
        with _one_line_errors():  # the group's own options and a missing or unknown command
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: typer.Context):
        with _one_line_errors():  # the command's arguments, options and body
            return super().invoke(ctx)


@contextlib.contextmanager
def _one_line_errors() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, getattr(exc, "ctx", None))
    except EdgeError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None


def _fail(message: str, exit_code: int, ctx: typer.Context | None = None) -> NoReturn:
    hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    typer.echo(f"error: {' '.join(message.split())}{hint}", err=True)  # one line, whatever the message
    raise typer.Exit(exit_code) from None


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
    sys.exit(app(prog_name="edge"))  # also under `python -m` and the bundle's launcher
