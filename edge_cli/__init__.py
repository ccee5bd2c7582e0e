"""The laptop's `edge` command, composed above every stage: `train` and `evaluate` (train/),
`export` (export/), the device's commands (edge_runtime/) and `bundle`.

Training and export need TensorFlow: their modules import `train` / `export` inside the command
bodies, so `edge --help` and the device's commands work without it.
"""

from __future__ import annotations

import importlib.util
import sys

from edge_runtime.cli import app as device_app
from edge_runtime.cli import new_app
from edge_runtime.errors import EdgeError

app = new_app("Train, quantize and run a residual CNN digit classifier on edge devices.")


def require_training_extra() -> None:
    """Fail in one line when TensorFlow (the `train` extra) is not installed; else import it quietly."""
    if importlib.util.find_spec("tensorflow") is None:
        raise EdgeError(
            "this command needs TensorFlow: pip install -e '.[train]' in this repository "
            "(not needed on the device)"
        )
    import train.backend  # noqa: F401


# Each module registers its commands on `app`; this order is the order `edge --help` lists them in.
# isort: off
from edge_cli import train_commands  # noqa: E402,F401
from edge_cli import export_commands  # noqa: E402,F401

app.registered_commands += device_app.registered_commands
from edge_cli import bundle_commands  # noqa: E402,F401
# isort: on


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
