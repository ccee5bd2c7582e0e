"""The optional `train` extra (TensorFlow): needed by training and export, never by the device."""

from __future__ import annotations

import importlib.util

from ground.errors import EdgeError


def require_training_extra() -> None:
    """Fail in one line when TensorFlow (the `train` extra) is not installed; else import it quietly."""
    if importlib.util.find_spec("tensorflow") is None:
        raise EdgeError(
            "this command needs TensorFlow: pip install -e '.[train]' in this repository "
            "(not needed on the device)"
        )
    import train.backend  # noqa: F401
