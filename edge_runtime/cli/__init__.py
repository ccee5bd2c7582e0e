"""The device's `edge` command (`python -m edge_runtime`, the Pi bundle's `./edge`): classify,
webcam, samples, info and benchmark; numpy, OpenCV and LiteRT only. The laptop's `edge` (`edge_cli`)
adds training, export and bundling on top of these commands.
"""

from __future__ import annotations

import signal
import sys
import threading

import typer
from typer.core import TyperGroup

from edge_runtime.cli import inspect_commands, runtime_commands
from ground.errors import EdgeError, Terminated, raise_terminated

# click's UsageError (a bad option or value, a missing argument), the base of typer.BadParameter:
# found this way whether typer uses the click package or its own copy of it.
UsageError = typer.BadParameter.__mro__[1]


INTERRUPTED_EXIT_CODE = 128 + signal.SIGINT  # 130, as a shell reports Ctrl-C
TERMINATED_EXIT_CODE = 128 + signal.SIGTERM  # 143, as a shell reports `kill`


class EdgeGroup(TyperGroup):
    """Turns EdgeError, a bad option, Ctrl-C and SIGTERM into one line on stderr and a non-zero exit
    code (a bad option or value: 2, refused while parsing, before the command runs).

    SIGTERM (`kill`, systemd stopping the service) unwinds like Ctrl-C, so every command releases
    its camera and removes its temporary files either way.
    """

    def invoke(self, ctx: typer.Context):
        previous = _on_sigterm(raise_terminated)
        try:
            return super().invoke(ctx)
        except EdgeError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            typer.echo(f"error: {' '.join(exc.format_message().split())}{hint}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except Terminated:
            typer.echo("terminated", err=True)
            raise typer.Exit(TERMINATED_EXIT_CODE) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(INTERRUPTED_EXIT_CODE) from None
        finally:
            _on_sigterm(previous)


def _on_sigterm(handler):
    """Install `handler` for SIGTERM (main thread only, where Python allows it); returns the old one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


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
