"""Export one mode end to end: convert, embed the labels and input contract in the model's own
metadata, check against the float model, gate, write model + manifest (hashed with the metadata in).

A model is written under a temporary name, checked there, and moved into place only when it
passes the gate (or `force` is set, and then its manifest says it failed).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from edge_runtime.interpreter import load_interpreter
from export.convert import convert
from export.gate import Gate
from export.modes import MODES
from export.rejection import RejectionSet, rejection_record
from export.validate import EvalSet, Progress, compare, predict_tflite, single_image_latency_ms
from ground.atomic import staged_path
from ground.errors import EdgeError
from ground.manifest import (
    STATUS_FAILED,
    STATUS_PASSED,
    STATUS_UNCHECKED,
    build_manifest,
    sha256_file,
    write_manifest,
)
from ground.model_metadata import embed_contract
from train.evaluate import library_versions

MODEL_INPUT_SHAPE = (28, 28, 1)
DEFAULT_GATE = Gate()


@dataclass(frozen=True)
class Calibration:
    """The int8 representative images and how they were drawn (for the manifest)."""

    images: np.ndarray
    seed: int

    def record(self) -> dict:
        return {
            "samples": int(len(self.images)),
            "seed": self.seed,
            "source": "training images, stratified by class, and 20% generated non-digits",
        }


@dataclass
class ExportResult:
    """What happened to one mode: where the file went (None if rejected) and its figures."""

    mode: str
    file_name: str
    path: Path | None
    manifest: dict
    failures: list[str] = field(default_factory=list)
    latency_ms: float | None = None

    @property
    def accepted(self) -> bool:
        """True when the model passed the gate (or was not checked)."""
        return not self.failures

    @property
    def size_bytes(self) -> int:
        return self.manifest["file"]["size_bytes"]

    @property
    def validation(self) -> dict | None:
        return self.manifest["validation"]


def source_record(model_path: Path) -> dict:
    """The source model's file name and sha256, for the manifest."""
    return {"file": Path(model_path).name, "sha256": sha256_file(model_path)}


def check_model_input(model: keras.Model) -> None:
    """EdgeError unless the model takes (batch, 28, 28, 1) images and gives 10 classes."""
    shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if shape != MODEL_INPUT_SHAPE:
        raise EdgeError(f"model input is {model.input_shape}, expected (None, 28, 28, 1) digit images")
    if tuple(model.output_shape[1:]) != (10,):
        raise EdgeError(f"model output is {model.output_shape}, expected (None, 10) class probabilities")


def prepare_out_dir(out_dir: Path) -> Path:
    """Create `out_dir` if needed and make sure files can be written there (EdgeError if not)."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise EdgeError(f"cannot write to output directory {out_dir} ({exc.strerror or exc})") from exc
    return out_dir


def io_details(tflite_model: bytes) -> tuple[dict, dict]:
    """The input and output tensor details of a TFLite flatbuffer."""
    interpreter = load_interpreter(tflite_model)
    return interpreter.get_input_details()[0], interpreter.get_output_details()[0]


def convert_mode(
    model: keras.Model, mode: str, calibration: Calibration | None, io_type: str | None
) -> bytes:
    """TFLite bytes of `model` in `mode`; conversion failures become one-line EdgeErrors."""
    if MODES[mode].needs_calibration and calibration is None:
        raise EdgeError(f"{mode} export needs calibration images")
    images = calibration.images if calibration is not None else None
    try:
        return convert(model, mode, images, io_type)
    except Exception as exc:  # noqa: BLE001 - the converter raises many types; the user needs one line
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise EdgeError(f"TFLite conversion to {mode} failed: {first_line}") from exc


def check_against_float(
    path: Path, eval_set: EvalSet, gate: Gate, measure_latency: bool, on_progress: Progress | None
) -> tuple[dict, list[str], float | None]:
    """(validation figures, gate failures, single-image latency in ms or None) of the model at `path`."""
    validation = compare(
        eval_set.labels, eval_set.float_probs, predict_tflite(path, eval_set.images, on_progress)
    )
    latency = single_image_latency_ms(path) if measure_latency else None
    return validation, gate.failures(validation), latency


def export_mode(
    model: keras.Model,
    mode: str,
    out_dir: Path,
    *,
    source: dict,
    calibration: Calibration | None = None,
    input_type: str | None = None,
    eval_set: EvalSet | None = None,
    rejection_set: RejectionSet | None = None,
    gate: Gate = DEFAULT_GATE,
    force: bool = False,
    measure_latency: bool = False,
    on_progress: Progress | None = None,
) -> ExportResult:
    """Convert `model` to `mode`, check it on `eval_set` (if given), and accept or reject it.

    `input_type` ("uint8") applies to int8 only. `measure_latency` also times single-image
    inference. `rejection_set` sets the acceptance threshold recorded in the manifest (the runtime
    otherwise uses its default). Accepted (or forced) models land in `out_dir` with a manifest;
    rejected ones leave nothing there (a previously accepted file of the same name stays as it was).
    """
    quant = MODES[mode]
    io_type = input_type if mode == "int8" else None
    file_name = quant.file_name(io_type)
    tflite_model = embed_contract(convert_mode(model, mode, calibration, io_type))  # labels travel inside
    input_detail, output_detail = io_details(tflite_model)
    with staged_path(Path(out_dir) / file_name, tflite_model) as staged:
        validation, failures, latency = None, [], None
        if eval_set is not None:
            validation, failures, latency = check_against_float(
                staged, eval_set, gate, measure_latency, on_progress
            )
        rejection = rejection_record(staged, rejection_set) if rejection_set is not None else None
        status = STATUS_UNCHECKED if validation is None else STATUS_FAILED if failures else STATUS_PASSED
        manifest = build_manifest(
            model_file=file_name,
            model_bytes=tflite_model,
            mode=mode,
            description=quant.describe(io_type),
            input_detail=input_detail,
            output_detail=output_detail,
            source=source,
            status=status,
            validation=validation,
            gate=gate.record(failures, force) if validation is not None else None,
            calibration=calibration.record() if quant.needs_calibration else None,
            rejection=rejection,
            versions=library_versions(),
        )
        final = None
        if not failures or force:
            final = Path(out_dir) / file_name
            write_manifest(final, manifest)
            os.replace(staged, final)
    return ExportResult(mode, file_name, final, manifest, failures, latency)
