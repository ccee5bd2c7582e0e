"""The device's `edge` command (`python -m edge_runtime`, the Pi bundle's `./edge`): classify,
webcam, samples, collect, relabel, info, benchmark and serve; numpy, OpenCV and LiteRT only. The
laptop's `edge` (`edge_cli`) adds training, export and bundling on top of these commands.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Annotated, NoReturn

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # Typer vendors Click
from typer.core import TyperArgument, TyperGroup, TyperOption

import ground
from edge_runtime.cli import collect_commands, inspect_commands, runtime_commands, serve_commands
from edge_runtime.cli.options import examples
from ground.errors import EdgeError, Terminated, printable, raise_terminated
from ground.quiet import restore_output

INTERRUPTED_EXIT_CODE = 128 + signal.SIGINT  # 130, as a shell reports Ctrl-C
TERMINATED_EXIT_CODE = 128 + signal.SIGTERM  # 143, as a shell reports `kill`


class PlainArgument(TyperArgument):
    """An argument shown as `MODEL PATHS...` in the usage line and without a type in the help, as
    Click shows it (Typer 0.29 writes `{model} {paths}...` and `<path>`, `<list[str]>`)."""

    def _usage_display_name(self) -> str:
        return self.display_name_raw

    def display_type_rich(self, ctx) -> None:
        return None


_VALUE_NAMES = {"int": "INTEGER", "float": "FLOAT", "str": "TEXT", "path": "PATH"}


class PlainOption(TyperOption):
    """An option whose value is named as Click names it (`INTEGER`, `FLOAT`, `TEXT`, `PATH`; ranges
    still shown), and a flag with nothing after it (Typer 0.29 writes `<int range>`, `<bool>`)."""

    def display_type_rich(self, ctx) -> str | None:
        if self.is_flag:
            return None
        typer_name = super().display_type_rich(ctx) or ""  # e.g. <int range>, <list[int]>, <path>
        name = typer_name.strip("<>.").removesuffix(" range").removeprefix("list[").removesuffix("]")
        return name if "|" in name else _VALUE_NAMES.get(name, name.upper())  # choices as they are typed


def plain_help(command) -> None:
    """Give `command`'s help screen Click's plain names (only how the parameters are shown changes)."""
    help_option = command.get_help_option(typer.Context(command))  # made once, then cached
    for param in [*command.params, *([help_option] if help_option else [])]:
        if isinstance(param, TyperArgument):
            param.__class__ = PlainArgument
            param.metavar = param.metavar or param.name.upper() + ("..." if param.nargs != 1 else "")
        elif isinstance(param, TyperOption):
            param.__class__ = PlainOption


class EdgeGroup(TyperGroup):
    """Turns EdgeError, usage errors and Ctrl-C into one line on stderr and a non-zero exit code;
    plain help screens.

    A closed stdout (`edge webcam ... | head -1`) ends the command quietly with exit 0.

    Usage errors (a missing argument, an unknown option, a value out of range) exit with 2, as
    Click's do, but in one `error:` line instead of Typer's framed box. `edge` alone still shows
    the help. SIGTERM (`kill`, systemd stopping the service) unwinds like Ctrl-C, so every command
    releases its camera and removes its temporary files either way.
    """

    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        for command in [self, *self.commands.values()]:
            plain_help(command)

    def make_context(self, info_name, args, parent=None, **extra) -> typer.Context:
        with _one_line_errors():  # the group's own options and a missing or unknown command
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: typer.Context):
        previous = _on_sigterm(raise_terminated)
        try:
            with _one_line_errors():  # the command's arguments, options and body
                return super().invoke(ctx)
        finally:
            _on_sigterm(previous)


def _on_sigterm(handler):
    """Install `handler` for SIGTERM (main thread only, where Python allows it); returns the old one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def _one_line_errors() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except BrokenPipeError:  # the reader went away (`| head -1`): no one is left to tell
        _stdout_to_devnull()
        raise typer.Exit(0) from None
    except ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, getattr(exc, "ctx", None))
    except EdgeError as exc:
        _fail(printable(exc), exc.exit_code)
    except Terminated:
        restore_output()  # a signal may land mid-way through silencing native output
        typer.echo("terminated", err=True)
        raise typer.Exit(TERMINATED_EXIT_CODE) from None
    except KeyboardInterrupt:
        restore_output()
        typer.echo("interrupted", err=True)
        raise typer.Exit(INTERRUPTED_EXIT_CODE) from None


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so that Python's final flush at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fail(message: str, exit_code: int, ctx: typer.Context | None = None) -> NoReturn:
    hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    typer.echo(f"error: {' '.join(message.split())}{hint}", err=True)  # one line, whatever the message
    raise typer.Exit(exit_code) from None


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"edge-digits {ground.__version__}")
        raise typer.Exit()


def _global_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Options before the command: --version."""


def new_app(help_text: str, epilog: str) -> typer.Typer:
    """A Typer app whose errors and Ctrl-C end in one line (the device's and the laptop's CLI), with
    `--version`. Help screens are Click's plain ones, which wrap cleanly at 80 columns (Rich's tables
    squeeze an option's help into a narrow column)."""
    app = typer.Typer(
        cls=EdgeGroup,
        name="edge",
        help=help_text,
        epilog=epilog,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
    )
    app.callback()(_global_options)
    return app


app = new_app(
    "Read handwritten digits with a TFLite model: image files, a camera or a video (no TensorFlow).",
    examples("edge classify photo.jpg", "edge webcam --source 0", "edge COMMAND --help"),
)
# one Typer app per command module
DEVICE_COMMANDS = (runtime_commands.app, collect_commands.app, inspect_commands.app, serve_commands.app)
for commands in DEVICE_COMMANDS:  # merged in the order `edge --help` lists them
    app.add_typer(commands)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app(prog_name="edge"))  # also under `python -m` and the bundle's launcher
