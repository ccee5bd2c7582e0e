"""The JSON manifest written beside every exported `.tflite` and read by the runtime.

`model_int8.tflite` → `model_int8.json`. It holds the export's check results (status, validation,
gate, acceptance threshold) and the file's size and sha256, which the runtime verifies on load. The
labels and input contract travel inside the `.tflite` itself (ground/model_metadata.py), so a model
without a manifest still runs right.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ground.atomic import atomic_write_text
from ground.contract import LABELS, NUM_CLASSES, PIXEL_CONTRACT
from ground.errors import EdgeError

FORMAT_VERSION = 1
DEFAULT_ACCEPT_THRESHOLD = 0.5  # top probability; models from `edge export` carry their own


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


def labels_of(manifest: dict | None) -> list[str] | None:
    """The class labels a manifest declares (None when it declares none); EdgeError unless they are
    NUM_CLASSES strings."""
    labels = (manifest or {}).get("labels")
    if labels is None:
        return None
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise EdgeError(f"the manifest's labels are not a list of strings: {str(labels)[:80]}")
    if len(labels) != NUM_CLASSES:
        raise EdgeError(f"the manifest has {len(labels)} labels, a digit model has {NUM_CLASSES}")
    return labels


def accept_threshold_of(manifest: dict | None, contract: dict | None = None) -> float:
    """The top probability a region needs to count as a digit: the manifest's `rejection.threshold`,
    else the one the model carries in its own metadata (`contract`), else `DEFAULT_ACCEPT_THRESHOLD`
    (a model exported without one)."""
    for threshold in (
        ((manifest or {}).get("rejection") or {}).get("threshold"),
        (contract or {}).get("accept_threshold"),
    ):
        if isinstance(threshold, int | float) and 0.0 <= threshold <= 1.0:
            return float(threshold)
    return DEFAULT_ACCEPT_THRESHOLD


def line_reader_of(manifest: dict | None) -> dict | None:
    """The manifest's `line_reader` record (model_file, its size and sha256, acceptance threshold), if
    it names one."""
    record = (manifest or {}).get("line_reader")
    if record is None:
        return None
    name = record.get("model_file") if isinstance(record, dict) else None
    if not isinstance(name, str) or Path(name).name != name:
        raise EdgeError("the manifest's line_reader does not name a model file beside it")
    return record


# ---- write side (used by `export`; plain data, no TensorFlow) -------------------------------------

STATUS_PASSED = "passed"  # validated against the float model and inside the gate
STATUS_FAILED = "failed"  # validated, outside the gate, kept only because of --force
STATUS_UNCHECKED = "unchecked"  # exported without an accuracy check


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's contents, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tensor_spec(detail: dict) -> dict:
    """JSON form of one entry of an interpreter's get_input_details()/get_output_details()."""
    scale, zero_point = detail.get("quantization", (0.0, 0))
    return {
        "name": detail.get("name", ""),
        "shape": [int(d) for d in detail["shape"]],
        "dtype": np.dtype(detail["dtype"]).name,
        "quantization": {"scale": float(scale), "zero_point": int(zero_point)},
    }


def build_manifest(
    *,
    model_file: str,
    model_bytes: bytes,
    mode: str,
    description: str,
    input_detail: dict,
    output_detail: dict,
    source: dict,
    status: str,
    validation: dict | None = None,
    gate: dict | None = None,
    calibration: dict | None = None,
    versions: dict | None = None,
    labels: list[str] | None = None,
    rejection: dict | None = None,
    line_reader: dict | None = None,
) -> dict:
    """The manifest of one exported model (README, "Model manifest", lists the fields)."""
    return {
        "format_version": FORMAT_VERSION,
        "model_file": model_file,
        "mode": mode,
        "description": description,
        "status": status,
        "labels": list(labels or LABELS),
        "input": tensor_spec(input_detail),
        "pixel_contract": PIXEL_CONTRACT,
        "output": tensor_spec(output_detail),
        "file": {"size_bytes": len(model_bytes), "sha256": sha256_bytes(model_bytes)},
        "source_model": source,
        "calibration": calibration,
        "validation": validation,
        "gate": gate,
        "rejection": rejection,
        "line_reader": line_reader,
        "versions": versions or {},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_manifest(model_path: Path, manifest: dict) -> Path:
    """Write `manifest` beside `model_path` atomically; returns the manifest's path."""
    path = manifest_path(model_path)
    atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")
    return path


def file_mismatches(model_path: Path, manifest: dict) -> list[str]:
    """How the file at `model_path` differs from the size and sha256 its manifest records (empty: none)."""
    return content_mismatches(Path(model_path).read_bytes(), manifest)


def content_mismatches(model_bytes: bytes, manifest: dict) -> list[str]:
    """How `model_bytes` differ from the size and sha256 a manifest records (empty: none); the hashes
    are named in full, the file's first."""
    recorded = manifest.get("file") if isinstance(manifest.get("file"), dict) else {}
    problems = []
    if recorded.get("size_bytes") != len(model_bytes):
        problems.append(f"size {len(model_bytes)} bytes, manifest says {recorded.get('size_bytes')}")
    digest = sha256_bytes(model_bytes)
    if recorded.get("sha256") != digest:
        problems.append(f"sha256 {digest}, manifest says {recorded.get('sha256')}")
    return problems
