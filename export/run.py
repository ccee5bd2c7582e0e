"""`edge export` as a library call: load, calibrate, export every requested mode, report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from export.calibration import calibration_images
from export.config import MIN_CALIBRATION_SAMPLES, ExportConfig
from export.line_reader import export_line_reader, trained_line_reader
from export.modes import QuantMode, Target, plan_exports
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
from ground.atomic import output_folder, sweep_partials, write_errors
from ground.errors import EdgeError
from train.data import load_mnist
from train.extra_data import ExtraData, load_extra_data
from train.saved_model import load_keras_model

ModeProgress = Callable[[QuantMode, int, int], None]  # (mode, images done, images total)


@dataclass
class ExportRun:
    """The outcome: one result per mode, plus the report and debug files when asked for."""

    results: list[ExportResult]
    report_files: list[Path] = field(default_factory=list)
    debug_layers: list[dict] = field(default_factory=list)
    debug_file: Path | None = None
    line_reader: Path | None = None  # the line reader exported beside the models, if there was one

    @property
    def rejected(self) -> list[ExportResult]:
        """Modes that failed the gate (kept or not)."""
        return [r for r in self.results if not r.accepted]


def check_config(config: ExportConfig) -> list[Target]:
    """Reject contradictory options before any slow work; returns what to export."""
    targets = plan_exports(config.modes, config.input_type, config.debug)
    if config.calibration_samples < MIN_CALIBRATION_SAMPLES:
        raise EdgeError(
            f"calibration set too small: --calibration-samples {config.calibration_samples} "
            f"(need at least {MIN_CALIBRATION_SAMPLES})"
        )
    if config.eval_samples is not None and config.eval_samples < 1:
        raise EdgeError("--eval-samples must be at least 1")
    return targets


def run_export(config: ExportConfig, on_progress: ModeProgress | None = None) -> ExportRun:
    """Export the requested modes; each is checked and gated, then a report/debug if asked for.

    Temporary files a killed export left in the output folder are removed first. A full disk or a
    read-only folder ends in one EdgeError naming the file, with no temporary file left, nor the
    output folder when this export made it and wrote nothing there.
    """
    targets = check_config(config)
    with output_folder(config.out_dir) as out_dir, write_errors(out_dir):
        prepare_out_dir(out_dir)
        sweep_partials(out_dir)
        return _export(config, targets, out_dir, on_progress)


def _export(
    config: ExportConfig, targets: list[Target], out_dir: Path, on_progress: ModeProgress | None
) -> ExportRun:
    model = load_keras_model(config.model_path)
    check_model_input(model)
    mnist = load_mnist(config.data)
    extra = load_extra_data(config.extra_data) if config.extra_data else None
    calibration = None
    if any(t.mode.needs_calibration for t in targets):
        images = calibration_images(mnist.x_train, mnist.y_train, config.calibration_samples, config.seed)
        calibration = _with_extra(Calibration(images, config.seed), extra, config)
    eval_set = make_eval_set(model, mnist.x_test, mnist.y_test, config.eval_samples)
    extra_eval_set = make_eval_set(model, *extra.digits, None) if extra is not None else None
    rejection_set = make_rejection_set(config.model_path, mnist)
    source = source_record(config.model_path)
    reader = trained_line_reader(config.model_path)
    line_reader = export_line_reader(reader, out_dir, mnist, config.seed) if reader is not None else None
    results = [
        export_mode(
            model,
            target,
            out_dir,
            source=source,
            calibration=calibration,
            eval_set=eval_set,
            rejection_set=rejection_set,
            gate=config.gate,
            force=config.force,
            measure_latency=len(targets) > 1,
            on_progress=partial(on_progress, target.mode) if on_progress else None,
            extra_eval_set=extra_eval_set,
            line_reader=line_reader,
        )
        for target in targets
    ]
    run = ExportRun(results, line_reader=out_dir / line_reader["model_file"] if line_reader else None)
    if len(targets) > 1:
        from export.report import write_report

        run.report_files = write_report(results, out_dir)
    debugged = next((t.mode for t in targets if t.mode.layer_debugger), None)
    if config.debug and debugged is not None:
        from export.debug import quantization_debug

        debug_images = calibration.images[: config.debug_samples]
        run.debug_layers, run.debug_file = quantization_debug(
            model, debugged, calibration.images, debug_images, out_dir
        )
    return run


def _with_extra(calibration: Calibration, extra: ExtraData | None, config: ExportConfig) -> Calibration:
    """The calibration set plus up to half as many of the user's samples (seeded), so that the
    quantization ranges cover their writing too."""
    if extra is None:
        return calibration
    count = min(len(extra), config.calibration_samples // 2)
    picked = np.random.default_rng(config.seed).permutation(len(extra))[:count]
    images = np.concatenate([calibration.images, extra.images[picked]])
    return Calibration(images, calibration.seed, extra_samples=count)
