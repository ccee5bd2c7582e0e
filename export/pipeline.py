"""Export one target end to end: convert, check against the float model, gate, set the acceptance
threshold, embed the labels, input contract and threshold in the model's own metadata, write model +
manifest (hashed with the metadata in).

A model is written under a temporary name, checked there, and moved into place only when it
passes the gate (or `force` is set, and then its manifest says it failed). The manifest is written
last: see `install`.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from edge_runtime.interpreter import load_interpreter
from export.convert import convert
from export.gate import Gate, GateResult
from export.modes import QuantMode, Target, as_target
from export.rejection import RejectionSet, rejection_record
from export.validate import EvalSet, Progress, Validation, compare, predict_tflite, single_image_latency_ms
from ground.atomic import replace, staged_path
from ground.contract import INPUT_SHAPE, NUM_CLASSES
from ground.errors import EdgeError
from ground.manifest import (
    build_manifest,
    manifest_path,
    sha256_file,
    status_of,
)
from ground.model_metadata import embed_contract
from train.evaluate import library_versions

DEFAULT_GATE = Gate()


@dataclass(frozen=True)
class Calibration:
    """The representative images of a calibrated mode and how they were drawn (for the manifest)."""

    images: np.ndarray
    seed: int
    extra_samples: int = 0  # of them, the user's own (--extra-data)

    def record(self) -> dict:
        source = "training images, stratified by class, and 20% generated non-digits"
        record = {"samples": int(len(self.images)), "seed": self.seed, "source": source}
        if self.extra_samples:
            record["source"] += ", and the user's samples (--extra-data)"
            record["extra_samples"] = self.extra_samples
        return record


@dataclass
class ExportResult:
    """What happened to one target: where the file went (None if rejected) and its figures."""

    target: Target
    path: Path | None
    manifest: dict  # the JSON written beside the model (or that would have been, if rejected)
    validation: Validation | None = None  # None: not checked
    gate: GateResult | None = None
    latency_ms: float | None = None

    @property
    def mode(self) -> QuantMode:
        return self.target.mode

    @property
    def file_name(self) -> str:
        return self.target.file_name

    @property
    def failures(self) -> tuple[str, ...]:
        return self.gate.failures if self.gate is not None else ()

    @property
    def accepted(self) -> bool:
        """True when the model passed the gate (or was not checked)."""
        return not self.failures

    @property
    def size_bytes(self) -> int:
        return self.manifest["file"]["size_bytes"]

    @property
    def status(self) -> str:
        return self.manifest["status"]


def source_record(model_path: Path) -> dict:
    """The source model's file name and sha256, for the manifest."""
    return {"file": Path(model_path).name, "sha256": sha256_file(model_path)}


def check_model_input(model: keras.Model) -> None:
    """EdgeError unless the model takes (batch, 28, 28, 1) images and gives 10 classes."""
    shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if shape != INPUT_SHAPE:
        raise EdgeError(f"model input is {model.input_shape}, expected {(None, *INPUT_SHAPE)} digit images")
    if tuple(model.output_shape[1:]) != (NUM_CLASSES,):
        raise EdgeError(f"model output is {model.output_shape}, expected {(None, NUM_CLASSES)} probabilities")


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


def convert_target(model: keras.Model, target: Target | QuantMode, calibration: Calibration | None) -> bytes:
    """TFLite bytes of `model` for `target`; conversion failures become one-line EdgeErrors."""
    target = as_target(target)
    images = calibration.images if calibration is not None else None
    try:
        return convert(model, target, images)
    except Exception as exc:  # noqa: BLE001 - the converter raises many types; the user needs one line
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise EdgeError(f"TFLite conversion to {target.mode} failed: {first_line}") from exc


def check_against_float(
    path: Path, eval_set: EvalSet, measure_latency: bool, on_progress: Progress | None
) -> tuple[Validation, float | None]:
    """(validation figures, single-image latency in ms or None) of the model at `path`."""
    validation = compare(
        eval_set.labels, eval_set.float_probs, predict_tflite(path, eval_set.images, on_progress)
    )
    latency = single_image_latency_ms(path) if measure_latency else None
    return validation, latency


def install(staged_model: Path, final: Path, manifest: dict) -> None:
    """Move a checked model into place, then its manifest: the manifest is written last.

    The old manifest goes first, so a kill at any moment leaves the old pair, a model without a
    manifest (which the runtime treats as unchecked), or the new pair, and never a manifest beside a
    model it does not describe. Leftover temporary files are swept by the next export.
    """
    text = json.dumps(manifest, indent=2) + "\n"
    with staged_path(manifest_path(final), text.encode("utf-8")) as staged_manifest:
        with contextlib.suppress(FileNotFoundError):
            manifest_path(final).unlink()
        replace(staged_model, final)
        replace(staged_manifest, manifest_path(final))


def export_mode(
    model: keras.Model,
    target: Target | QuantMode,
    out_dir: Path,
    *,
    source: dict,
    calibration: Calibration | None = None,
    eval_set: EvalSet | None = None,
    rejection_set: RejectionSet | None = None,
    gate: Gate = DEFAULT_GATE,
    force: bool = False,
    measure_latency: bool = False,
    on_progress: Progress | None = None,
    extra_eval_set: EvalSet | None = None,
    line_reader: dict | None = None,
) -> ExportResult:
    """Convert `model` for `target` (a mode alone: its own I/O type), check it on `eval_set` (if
    given), and accept or reject it.

    `measure_latency` also times single-image inference. `rejection_set` sets the acceptance
    threshold recorded in the manifest (the runtime otherwise uses its default). `extra_eval_set` (the
    user's samples) is checked too, under the gate relaxed to one of its images (`Gate.for_samples`),
    and reported apart in the manifest (`validation_sets`, `gate.sets`). `line_reader` is the record of
    the line reader exported beside it (`export.line_reader`), for the manifest. Accepted (or forced)
    models land in `out_dir` with a manifest; rejected ones leave nothing there (a previously
    accepted file of the same name stays as it was).
    """
    target = as_target(target)
    converted = convert_target(model, target, calibration)
    input_detail, output_detail = io_details(converted)
    final = Path(out_dir) / target.file_name
    with staged_path(final, converted) as staged:
        validation, verdict, latency = None, None, None
        if eval_set is not None:
            validation, latency = check_against_float(staged, eval_set, measure_latency, on_progress)
            verdict = gate.check(validation, force)
        sets = {}
        if extra_eval_set is not None and verdict is not None:
            extra_validation, _ = check_against_float(staged, extra_eval_set, False, None)
            extra_verdict = gate.for_samples(extra_validation.samples).check(extra_validation, force)
            sets = {"mnist_test": (validation, verdict), "extra": (extra_validation, extra_verdict)}
            verdict = verdict.joined(extra_verdict, "your samples (--extra-data)")
        rejection = rejection_record(staged, rejection_set) if rejection_set is not None else None
        # labels, input contract and threshold travel inside the model (metadata only: same graph)
        tflite_model = embed_contract(converted, accept_threshold=(rejection or {}).get("threshold"))
        staged.write_bytes(tflite_model)
        manifest = build_manifest(
            model_file=target.file_name,
            model_bytes=tflite_model,
            mode=target.mode.name,
            description=target.description,
            input_detail=input_detail,
            output_detail=output_detail,
            source=source,
            status=status_of(None if verdict is None else verdict.passed),
            validation=validation.to_json() if validation is not None else None,
            gate=verdict.to_json() if verdict is not None else None,
            calibration=calibration.record() if target.mode.needs_calibration else None,
            rejection=rejection,
            line_reader=line_reader,
            versions=library_versions(),
        )
        if sets:
            manifest["validation_sets"] = {name: v.to_json() for name, (v, _) in sets.items()}
            manifest["gate"]["sets"] = {name: g.to_json() for name, (_, g) in sets.items()}
        kept = verdict is None or verdict.passed or force
        if kept:
            install(staged, final, manifest)
    return ExportResult(target, final if kept else None, manifest, validation, verdict, latency)
