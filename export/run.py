"""`edge export` as a library call: load, calibrate, export every requested mode, report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from export.calibration import DEFAULT_CALIBRATION_SAMPLES, MIN_CALIBRATION_SAMPLES, calibration_images
from export.gate import Gate
from export.modes import ALL, IO_TYPES, MODES
from export.pipeline import (
    Calibration,
    ExportResult,
    check_model_input,
    export_mode,
    prepare_out_dir,
    source_record,
)
from export.rejection import make_rejection_set
from export.validate import make_eval_set
from ground.errors import EdgeError
from train.data import load_mnist
from train.saved_model import load_keras_model

ModeProgress = Callable[[str, int, int], None]  # (mode, images done, images total)
DEFAULT_DEBUG_SAMPLES = 200


@dataclass
class ExportConfig:
    """Everything `edge export` can set."""

    model_path: Path
    out_dir: Path
    quantize: str = "int8"
    data: str | None = None
    input_type: str | None = None
    calibration_samples: int = DEFAULT_CALIBRATION_SAMPLES
    seed: int = 0
    eval_samples: int | None = None
    gate: Gate = field(default_factory=Gate)
    force: bool = False
    debug: bool = False
    debug_samples: int = DEFAULT_DEBUG_SAMPLES


@dataclass
class ExportRun:
    """The outcome: one result per mode, plus the report and debug files when asked for."""

    results: list[ExportResult]
    report_files: list[Path] = field(default_factory=list)
    debug_layers: list[dict] = field(default_factory=list)
    debug_file: Path | None = None

    @property
    def rejected(self) -> list[ExportResult]:
        """Modes that failed the gate (kept or not)."""
        return [r for r in self.results if not r.accepted]


def modes_of(quantize: str) -> list[str]:
    """The modes `--quantize` names ("all" → every registered mode)."""
    if quantize == ALL:
        return list(MODES)
    if quantize not in MODES:
        raise EdgeError(f"unknown --quantize {quantize!r}: choose one of {', '.join([*MODES, ALL])}")
    return [quantize]


def check_config(config: ExportConfig) -> list[str]:
    """Reject contradictory options before any slow work; returns the modes to export."""
    modes = modes_of(config.quantize)
    if config.input_type is not None and config.input_type not in IO_TYPES:
        raise EdgeError(f"unknown --input-type {config.input_type!r}: choose int8 or uint8")
    if config.input_type is not None and "int8" not in modes:
        raise EdgeError("--input-type applies to int8 export only (use --quantize int8 or all)")
    if config.debug and "int8" not in modes:
        raise EdgeError("--debug analyses the int8 model: use --quantize int8 or all")
    if config.calibration_samples < MIN_CALIBRATION_SAMPLES:
        raise EdgeError(
            f"calibration set too small: --calibration-samples {config.calibration_samples} "
            f"(need at least {MIN_CALIBRATION_SAMPLES})"
        )
    if config.eval_samples is not None and config.eval_samples < 1:
        raise EdgeError("--eval-samples must be at least 1")
    return modes


def run_export(config: ExportConfig, on_progress: ModeProgress | None = None) -> ExportRun:
    """Export the requested modes; each is checked and gated, then a report/debug if asked for."""
    modes = check_config(config)
    out_dir = prepare_out_dir(config.out_dir)
    model = load_keras_model(config.model_path)
    check_model_input(model)
    mnist = load_mnist(config.data)
    calibration = None
    if any(MODES[m].needs_calibration for m in modes):
        images = calibration_images(mnist.x_train, mnist.y_train, config.calibration_samples, config.seed)
        calibration = Calibration(images, config.seed)
    eval_set = make_eval_set(model, mnist.x_test, mnist.y_test, config.eval_samples)
    rejection_set = make_rejection_set(config.model_path, mnist)
    source = source_record(config.model_path)
    results = [
        export_mode(
            model,
            mode,
            out_dir,
            source=source,
            calibration=calibration,
            input_type=config.input_type,
            eval_set=eval_set,
            rejection_set=rejection_set,
            gate=config.gate,
            force=config.force,
            measure_latency=len(modes) > 1,
            on_progress=partial(on_progress, mode) if on_progress else None,
        )
        for mode in modes
    ]
    run = ExportRun(results)
    if len(modes) > 1:
        from export.report import write_report

        run.report_files = write_report(results, out_dir)
    if config.debug:
        from export.debug import quantization_debug

        debug_images = calibration.images[: config.debug_samples]
        run.debug_layers, run.debug_file = quantization_debug(
            model, calibration.images, debug_images, out_dir
        )
    return run
