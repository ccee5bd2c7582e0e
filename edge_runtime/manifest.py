"""The JSON manifest written beside every exported `.tflite` and read by the runtime.

`model_int8.tflite` → `model_int8.json`. A model without a manifest still runs: the runtime
then falls back to the tensors' own details and digit labels 0-9.
"""

from __future__ import annotations

import json
from pathlib import Path

from edge_runtime.errors import EdgeError

FORMAT_VERSION = 1
DEFAULT_LABELS = [str(d) for d in range(10)]
PIXEL_CONTRACT = {
    "layout": "NHWC (batch, 28, 28, 1)",
    "range": [0, 255],
    "polarity": "white digit on black background (as MNIST)",
    "scaling": "inside the model: feed raw pixels",
}


def manifest_path(model_path: Path) -> Path:
    """Where the manifest of `model_path` lives."""
    return Path(model_path).with_suffix(".json")


def read_manifest(model_path: Path) -> dict | None:
    """The manifest beside `model_path`, or None when there is none."""
    path = manifest_path(model_path)
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EdgeError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict):
        raise EdgeError(f"{path}: manifest is not a JSON object")
    return manifest


def labels_of(manifest: dict | None) -> list[str]:
    """The class labels a manifest declares (digits 0-9 by default)."""
    return list((manifest or {}).get("labels") or DEFAULT_LABELS)
