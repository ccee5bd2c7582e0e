"""The ready model that ships inside the package: the digit model, its manifest and the line reader.

`scripts/make_packaged_model.sh` remakes all three; the manifest records how (its `provenance`).
"""

from __future__ import annotations

import os
from pathlib import Path

MODELS_DIR = Path(__file__).parent / "models"
PACKAGED_MODEL = MODELS_DIR / "model_int8.tflite"
MODEL_ENV = "EDGE_MODEL"  # names the default model instead (the Pi bundle's launcher sets it)


def default_model() -> Path:
    """The model a command reads when none is given: $EDGE_MODEL, else the packaged one."""
    return Path(os.environ.get(MODEL_ENV) or PACKAGED_MODEL)
