"""`edge export` (needs the `train` extra: TensorFlow).

The option defaults are `export.config.ExportConfig`'s own, and `--quantize` / `--input-type` are
choices from `export.modes`' table (neither module imports TensorFlow), so a bad value is refused
before TensorFlow loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edge_cli.extras import require_training_extra
from edge_cli.train_commands import DataOption
from edge_runtime.cli.options import examples
from export.config import MIN_CALIBRATION_SAMPLES, ExportConfig
from export.gate import Gate
from export.modes import InputType, Quantize, QuantMode
from ground.errors import EdgeError, printable

GATE_EXIT_CODE = 3  # a model failed the accuracy gate (bad input is 1, as everywhere)
DEBUG_LINES = 5


app = typer.Typer()
DEFAULTS = ExportConfig()


@app.command(
    "export",
    epilog=examples(
        "edge export runs/resnet/model.keras",
        "edge export runs/resnet/model.keras --quantize all --out models",
        "edge export runs/resnet/model.keras --extra-data mine/ --force",
    ),
)
def export_command(
    model: Annotated[Path, typer.Argument(help="A .keras model saved by `edge train`.")],
    quantize: Annotated[
        Quantize,
        typer.Option(
            help="float32, float16, dynamic (int8 weights), int8 (full integer), or all (with a report)."
        ),
    ] = DEFAULTS.quantize,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the .tflite files and manifests.")
    ] = DEFAULTS.out_dir,
    data: DataOption = DEFAULTS.data,
    input_type: Annotated[
        InputType | None,
        typer.Option(help="int8 model I/O type: int8 (default) or uint8 (Coral-style).", show_default=False),
    ] = DEFAULTS.input_type,
    calibration_samples: Annotated[
        int,
        typer.Option(
            min=MIN_CALIBRATION_SAMPLES, help="int8 calibration images, drawn from the training set by class."
        ),
    ] = DEFAULTS.calibration_samples,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the calibration sample.")] = DEFAULTS.seed,
    eval_samples: Annotated[
        int | None,
        typer.Option(
            min=1, help="Check on the first N test images (default: all 10,000).", show_default=False
        ),
    ] = DEFAULTS.eval_samples,
    max_drop: Annotated[
        float, typer.Option(min=0.0, help="Gate: largest accepted accuracy drop, percentage points.")
    ] = DEFAULTS.gate.max_drop,
    min_agreement: Annotated[
        float,
        typer.Option(min=0.0, max=100.0, help="Gate: least accepted top-1 agreement with float, %."),
    ] = DEFAULTS.gate.min_agreement,
    extra_data: Annotated[
        Path | None,
        typer.Option(
            help="Your own samples (an `edge collect` folder): int8 calibrates on them too, and every "
            "model is also checked on their digits (the gate allowing one sample's difference).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Keep a model that fails the gate (its manifest says it failed).")
    ] = DEFAULTS.force,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="int8: per-layer quantization error (QuantizationDebugger) as CSV."),
    ] = DEFAULTS.debug,
) -> None:
    """Convert a Keras model to TFLite, check it against the float model, and keep it only if it passes.

    Exit code 3 when a model fails the gate (--max-drop / --min-agreement) and is not kept.
    """
    require_training_extra()
    from export.run import run_export

    config = ExportConfig(
        model_path=model,
        out_dir=out,
        quantize=quantize,
        data=data,
        extra_data=str(extra_data) if extra_data else None,
        input_type=input_type.value if input_type is not None else None,
        calibration_samples=calibration_samples,
        seed=seed,
        eval_samples=eval_samples,
        gate=Gate(max_drop=max_drop, min_agreement=min_agreement),
        force=force,
        debug=debug,
    )
    run = run_export(config, on_progress=_show_progress)
    _print_results(run)
    failed = [r for r in run.rejected if r.path is None]
    if failed:
        reasons = "; ".join(f"{r.mode}: {', '.join(r.failures)}" for r in failed)
        raise EdgeError(
            f"failed the accuracy gate, not written (use --force to keep): {reasons}", GATE_EXIT_CODE
        )


def _show_progress(mode: QuantMode, done: int, total: int) -> None:
    typer.echo(f"\rchecking {mode}: {done}/{total} test images", nl=done >= total, err=True)


def _print_results(run) -> None:
    if len(run.results) > 1:
        from export.report import comparison_rows, format_table

        v = run.results[0].validation
        typer.echo(f"float Keras model: {v.float_accuracy_pct:.2f}% on {v.samples} test images")
        typer.echo(format_table(comparison_rows(run.results)))
        typer.echo(f"report: {', '.join(printable(p) for p in run.report_files)}")
    else:
        _print_check(run.results[0])
    for r in run.results:
        extra = r.manifest.get("validation_sets", {}).get("extra")
        if extra is not None:
            typer.echo(
                f"{r.mode} on your samples: accuracy {extra['tflite_accuracy_pct']:.2f}% "
                f"(float {extra['float_accuracy_pct']:.2f}%)  agreement {extra['agreement_pct']:.2f}%  "
                f"on {extra['samples']} images"
            )
        if r.path is None:
            continue
        verdict = "passed the gate" if r.accepted else "FAILED the gate, kept because of --force"
        typer.echo(f"{r.mode}: {verdict} ({r.gate.limits}) -> {printable(r.path)}")
        if r.failures:
            typer.echo(f"warning: {r.mode} failed the gate: {'; '.join(r.failures)}", err=True)
    reader = run.results[0].manifest.get("line_reader")
    if run.line_reader is not None and reader is not None:
        v = reader["validation"]
        typer.echo(
            f"line reader: {v['exact_pct']:.2f}% of {v['lines']} validation lines read exactly "
            f"(float {v['float_exact_pct']:.2f}%), acceptance threshold {reader['accept_threshold']:.3f} "
            f"-> {printable(run.line_reader)}"
        )
    if run.debug_file is not None:
        _print_debug(run.debug_layers, run.debug_file)


def _print_check(result) -> None:
    v = result.validation
    typer.echo(
        f"{result.mode}: {result.size_bytes / 1024:.1f} KB  accuracy {v.tflite_accuracy_pct:.2f}% "
        f"(float {v.float_accuracy_pct:.2f}%, drop {v.drop_pts:+.2f} pt)  "
        f"agreement {v.agreement_pct:.2f}%  max |dp| {v.max_abs_prob_diff:.4f}  "
        f"on {v.samples} test images"
    )


def _print_debug(layers: list[dict], csv_path: Path) -> None:
    typer.echo("quantization error per layer (RMSE/scale, worst first; ~0.29 is pure rounding):")
    for layer in layers[:DEBUG_LINES]:
        typer.echo(f"  {layer['rmse_over_scale']:7.3f}  {layer['op_name']:<16} {layer['tensor_name'][:60]}")
    typer.echo(f"all {len(layers)} layers: {printable(csv_path)}")
