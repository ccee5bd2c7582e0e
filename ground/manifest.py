"""The JSON manifest written beside every exported `.tflite` and read by the runtime.

`model_int8.tflite` → `model_int8.json`. It holds the export's check results (status, validation,
gate, acceptance threshold) and the file's size and sha256, which the runtime verifies on load. The
labels and input contract travel inside the `.tflite` itself (ground/model_metadata.py), so a model
without a manifest still runs right.

The runtime trusts no manifest: `read_manifest` reads a regular file of bounded size and nesting, and
checks it against `MANIFEST` (every field export writes, its type and range) before anything uses it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ground.atomic import atomic_write_text
from ground.contract import LABELS, NUM_CLASSES, PIXEL_CONTRACT
from ground.errors import EdgeError, printable
from ground.files import read_regular_file
from ground.schema import (
    SchemaError,
    boolean,
    fail,
    file_name,
    integer,
    list_of,
    mapping,
    nullable,
    number,
    one_of,
    parse_json,
    record,
    sha256,
    text,
    timestamp,
)

FORMAT_VERSION = 1
DEFAULT_ACCEPT_THRESHOLD = 0.5  # top probability; models from `edge export` carry their own
MAX_MANIFEST_BYTES = 2**20  # a real manifest is ~4 KB
MAX_MANIFEST_DEPTH = 10  # the schema nests 5 deep (validation_sets.NAME.per_class_accuracy_pct.float)

STATUS_PASSED = "passed"  # validated against the float model and inside the gate
STATUS_FAILED = "failed"  # validated, outside the gate, kept only because of --force
STATUS_UNCHECKED = "unchecked"  # exported without an accuracy check


def manifest_path(model_path: Path) -> Path:
    """Where the manifest of `model_path` lives."""
    return Path(model_path).with_suffix(".json")


def read_manifest(model_path: Path) -> dict | None:
    """The manifest beside `model_path`, checked against the schema (None when there is none).

    EdgeError, naming the manifest and the first bad field, when it is not a regular file of at most
    `MAX_MANIFEST_BYTES`, nests deeper than `MAX_MANIFEST_DEPTH`, breaks the schema or describes
    another model file.
    """
    path = manifest_path(model_path)
    if not (path.exists() or path.is_symlink()):
        return None
    data = read_regular_file(path, MAX_MANIFEST_BYTES)
    try:
        return check_manifest(parse_json(data.decode("utf-8"), MAX_MANIFEST_DEPTH), Path(model_path).name)
    except UnicodeDecodeError:
        raise EdgeError(f"{printable(path)}: not UTF-8 text") from None
    except SchemaError as exc:
        raise EdgeError(f"{printable(path)}: {exc}") from None


def check_manifest(manifest: object, model_file: str) -> dict:
    """`manifest` when it follows `MANIFEST`, names `model_file` (the model it sits beside) and its
    `status` says what its `gate` says; SchemaError naming the first field that does not."""
    MANIFEST(manifest, "")
    if manifest["model_file"] != model_file:
        fail("model_file", f"{json.dumps(model_file)}, the model beside it", manifest["model_file"])
    gate = manifest["gate"]
    status = status_of(None if gate is None else gate["passed"])
    if manifest["status"] != status:
        fail("status", f"{json.dumps(status)}, as gate.passed says", manifest["status"])
    return manifest


def status_of(passed: bool | None) -> str:
    """The manifest's `status` of a model whose gate `passed` (None: not checked)."""
    return STATUS_UNCHECKED if passed is None else STATUS_PASSED if passed else STATUS_FAILED


def labels_of(manifest: dict | None) -> list[str] | None:
    """The class labels a (checked) manifest declares, None without a manifest."""
    return None if manifest is None else manifest["labels"]


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
    """A (checked) manifest's `line_reader` record (model_file, its size and sha256, acceptance
    threshold), if it names one."""
    return (manifest or {}).get("line_reader")


def line_reader_path(model_path: Path, record: dict) -> Path:
    """The line reader file that a digit model's manifest names (its `line_reader` `record`): beside
    the model at `model_path`."""
    return Path(model_path).with_name(record["model_file"])


# ---- the schema: every field `build_manifest` writes, its type and range -------------------------

PERCENT = number(0, 100)
PROBABILITY = number(0, 1)
FILE = record({"size_bytes": integer(0), "sha256": sha256()})
TENSOR = record(
    {
        "name": text(),
        "shape": list_of(integer(1)),
        "dtype": text(),
        "quantization": record({"scale": number(0), "zero_point": integer(-(2**31), 2**31 - 1)}),
    }
)
VALIDATION = record(  # export.validate.Validation
    {
        "samples": integer(1),
        "float_accuracy_pct": PERCENT,
        "tflite_accuracy_pct": PERCENT,
        "drop_pts": number(-100, 100),
        "agreement_pct": PERCENT,
        "mean_abs_prob_diff": PROBABILITY,
        "max_abs_prob_diff": PROBABILITY,
        "per_class_accuracy_pct": record(
            {"float": list_of(PERCENT, NUM_CLASSES), "tflite": list_of(PERCENT, NUM_CLASSES)}
        ),
    }
)
GATE_FIELDS = {  # export.gate.GateResult
    "max_drop_pts": number(),  # limits: `export_mode` takes any, an impossible Gate(max_drop=-1) too
    "min_agreement_pct": number(),
    "passed": boolean(),
    "failures": list_of(text()),
    "forced": boolean(),
}
IMAGE_SET = record({"source": text(), "samples": integer(0), "rejected_pct": PERCENT})
REJECTION = record(  # export.rejection.rejection_record
    {
        "method": text(),
        "threshold": PROBABILITY,
        "max_digits_rejected_pct": PERCENT,
        "digits": IMAGE_SET,
        "negatives": IMAGE_SET,
    }
)
LINE_READER = record(  # export.line_reader.export_line_reader
    {
        "model_file": file_name(),
        "mode": text(),
        "file": FILE,
        "accept_threshold": PROBABILITY,
        "validation": record(
            {
                "lines": integer(1),
                "source": text(),
                "exact_pct": PERCENT,
                "float_exact_pct": PERCENT,
                "no_number_accepted_pct": PERCENT,
            }
        ),
    }
)
MANIFEST = record(
    {
        "format_version": one_of(FORMAT_VERSION),
        "model_file": file_name(),
        "mode": text(),
        "description": text(),
        "status": one_of(STATUS_PASSED, STATUS_FAILED, STATUS_UNCHECKED),
        "labels": list_of(text(), NUM_CLASSES),
        "input": TENSOR,
        "pixel_contract": record(
            {"layout": text(), "range": list_of(integer(0, 255), 2), "polarity": text(), "scaling": text()}
        ),
        "output": TENSOR,
        "file": FILE,
        "source_model": record({"file": text(), "sha256": sha256()}),
        "calibration": nullable(  # export.pipeline.Calibration.record
            record(
                {"samples": integer(1), "seed": integer(0), "source": text()}, {"extra_samples": integer(1)}
            )
        ),
        "validation": nullable(VALIDATION),
        "gate": nullable(record(GATE_FIELDS, {"sets": mapping(record(GATE_FIELDS))})),
        "rejection": nullable(REJECTION),
        "versions": mapping(text()),
        "created": timestamp(),
    },
    {  # optional: manifests from before the line reader lack it; `validation_sets` comes with --extra-data;
        # `provenance` is the packaged model's (scripts/make_packaged_model.sh)
        "line_reader": nullable(LINE_READER),
        "validation_sets": mapping(VALIDATION),
        "provenance": record(
            {
                "recipe": text(),
                "digit_model_commit": text(),
                "line_reader_commit": text(),
                "figures": mapping(number()),
            }
        ),
    },
)


# ---- write side (used by `export`; plain data, no TensorFlow) -------------------------------------


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
