"""The laptop's `edge` command, composed above every stage: `train` and `evaluate` (train/),
`export` (export/), the device's commands (edge_runtime/) and `bundle`.

Training and export need TensorFlow: their modules import `train` / `export` inside the command
bodies, so `edge --help` and the device's commands work without it.
"""

from __future__ import annotations

import sys

from edge_cli import bundle_commands, export_commands, train_commands
from edge_runtime.cli import DEVICE_COMMANDS, new_app
from edge_runtime.cli.options import examples

app = new_app(
    "Train, quantize and run a residual CNN digit classifier on edge devices.",
    examples(
        "edge train && edge export runs/resnet/model.keras --quantize all",
        "edge classify photo.jpg -m models/model_int8.tflite",
        "edge bundle models/model_int8.tflite --out pi-digits",
    ),
)
# One Typer app per command module, merged in the order `edge --help` lists them.
for commands in (train_commands.app, export_commands.app, *DEVICE_COMMANDS, bundle_commands.app):
    app.add_typer(commands)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app(prog_name="edge"))  # also under `python -m` and the bundle's launcher
