"""Load a `.keras` model with a clear error for a missing or wrong file."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ground.errors import EdgeError


def load_keras_model(path: Path):
    """Load a Keras v3 `.keras` archive; raise EdgeError if it is missing or not one."""
    import keras

    import train.averaging  # noqa: F401 - registers the optimizer...
    import train.objectives  # noqa: F401 - ...and the training metric the archive names

    path = Path(path)
    if not path.is_file():
        raise EdgeError(f"model not found: {path}")
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise EdgeError(f"{path}: not a Keras .keras model file")
    try:
        return keras.models.load_model(path)
    except Exception as exc:  # noqa: BLE001 - any deserialisation failure means a bad file
        raise EdgeError(f"{path}: cannot load Keras model ({str(exc).splitlines()[0]})") from exc
