"""`edge info` (what a .tflite holds) and `edge benchmark` (how fast it runs here)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from edge_runtime.benchmark import (
    DEFAULT_BATCHES,
    DEFAULT_RUNS,
    DEFAULT_WARMUP,
    BenchConfig,
    BenchResult,
    benchmark,
    environment,
    thread_counts,
)
from edge_runtime.cli.options import AllowFailedOption, VerifyOption, examples
from edge_runtime.interpreter import FAILED_GATE, MAX_THREADS, MISMATCH, NO_MANIFEST, VERIFIED
from edge_runtime.model_info import ModelInfo, TensorInfo, model_info
from edge_runtime.packaged import MODEL_ENV, PACKAGED_MODEL, default_model
from ground.errors import printable

app = typer.Typer()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@app.command(
    "info",
    epilog=examples(
        "edge info model_int8.tflite",
        "edge info model_int8.tflite --verbose",
        "edge info model_int8.tflite --json",
    ),
)
def info_command(
    model: Annotated[
        Path,
        typer.Argument(
            help="A .tflite model (default: $EDGE_MODEL, else the packaged model).",
            envvar=MODEL_ENV,
            show_default=False,
            show_envvar=False,
        ),
    ] = PACKAGED_MODEL,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also the tensors' quantization, every op and the whole manifest."
        ),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
) -> None:
    """A summary of a .tflite model: size, labels, how it stands with its manifest (verified /
    mismatch / no manifest / failed gate), accuracy, acceptance threshold, line reader, XNNPACK."""
    info = model_info(model, verify, allow_failed)
    if json_output:
        typer.echo(json.dumps(info.to_dict(), indent=2))
        return
    for line in _summary_lines(info) + (_detail_lines(info) if verbose else [_MORE]):
        typer.echo(line)


@app.command(
    "benchmark",
    epilog=examples(
        "edge benchmark model_int8.tflite",
        "edge benchmark model_float32.tflite model_int8.tflite --threads 4",
        "edge benchmark model_int8.tflite --batch 1 --runs 500 --json > bench.json",
    ),
)
def benchmark_command(
    models: Annotated[
        list[Path] | None,
        typer.Argument(
            help="One or more .tflite models; ratios are to the first "
            "(default: $EDGE_MODEL, else the packaged model).",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_THREADS,
            help=f"Measure at 1..N interpreter threads, N at most {MAX_THREADS} (default: every core).",
            show_default=False,
        ),
    ] = None,
    batch: Annotated[
        list[int] | None,
        typer.Option(
            "--batch", min=1, help="Batch size; repeat for several (default: 1 and 64).", show_default=False
        ),
    ] = None,
    runs: Annotated[int, typer.Option(min=1, help="Timed calls per model and setting.")] = DEFAULT_RUNS,
    warmup: Annotated[
        int, typer.Option(min=0, help="Untimed calls first, per model and setting.")
    ] = DEFAULT_WARMUP,
    xnnpack: Annotated[
        bool, typer.Option(help="Use the default XNNPACK delegate (--no-xnnpack: builtin kernels only).")
    ] = True,
    json_output: JsonOption = False,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
) -> None:
    """Latency (min/p50/p90/p99) and throughput, single images and batches; several models in one run."""
    config = BenchConfig(
        threads=thread_counts(threads),
        batches=tuple(batch or DEFAULT_BATCHES),
        runs=runs,
        warmup=warmup,
        xnnpack=xnnpack,
        verify=verify,
        allow_failed=allow_failed,
    )
    results = benchmark(models or [default_model()], config)
    if json_output:
        report = {
            "environment": environment(),
            "config": {
                "threads": list(config.threads),
                "batches": list(config.batches),
                "runs": runs,
                "warmup": warmup,
                "rounds": config.rounds,
                "xnnpack": xnnpack,
            },
            "results": [r.to_dict() for r in results],
        }
        typer.echo(json.dumps(report, indent=2))
        return
    for line in _benchmark_lines(results, config):
        typer.echo(line)


def _quantization(tensor: TensorInfo) -> str:
    if tensor.scale is None:
        return "not quantized"
    return f"scale {tensor.scale:.6g}, zero point {tensor.zero_point}"


_LABEL_SOURCES = {
    "model": "the model's own metadata",
    "manifest": "its manifest; the model carries none",
    "default": "digits assumed: neither the model nor a manifest names them",
}
_VERDICTS = {
    VERIFIED: "verified: its manifest records this very file (size and sha256)",
    MISMATCH: "MISMATCH: its manifest records another file (loaded with --no-verify)",
    NO_MANIFEST: "no manifest beside it (nothing to verify against)",
    FAILED_GATE: "FAILED GATE: its export failed the accuracy gate (loaded with --allow-failed)",
}


_MORE = "more: --verbose (tensors, ops, the manifest), --json (everything)"


def _summary_lines(info: ModelInfo) -> list[str]:
    """What a newcomer needs first, in at most about 16 lines (the summary `edge info` prints)."""
    manifest = info.manifest or {}
    mode = f", {manifest['mode']}" if "mode" in manifest else ""
    lines = [f"{printable(info.path.name)}: {info.size_bytes / 1024:.1f} KB{mode}"]
    if manifest.get("description"):
        lines.append(f"  {manifest['description']}")
    lines.append(f"file         {_VERDICTS[info.verdict]}")
    lines.append(f"labels       {' '.join(info.labels)} ({_LABEL_SOURCES[info.labels_from]})")
    answers = [t.shape[-1] for t in info.outputs if t.shape]
    if answers != [len(info.labels)]:
        lines.append(f"WARNING outputs {answers} values, not one per label: classify and webcam refuse it")
    lines += _accuracy_lines(manifest)
    source = "manifest" if (manifest.get("rejection") or {}).get("threshold") is not None else "default"
    lines.append(f"acceptance   a digit needs top probability >= {info.accept_threshold:.3g} ({source})")
    lines.append(f"line reader  {_line_reader_text(info)}")
    tensors = [("in", t) for t in info.inputs] + [("out", t) for t in info.outputs]
    lines.append("tensors      " + "; ".join(f"{kind} {t.shape} {t.dtype}" for kind, t in tensors))
    lines.append(f"xnnpack      {_xnnpack_text(info)}")
    cores = os.cpu_count()
    lines.append(f"threads      the interpreter's choice; --threads 1-{MAX_THREADS} ({cores} cores here)")
    if manifest.get("created"):
        lines.append(f"exported     {manifest['created']}")
    return lines


def _accuracy_lines(manifest: dict) -> list[str]:
    validation, gate = manifest.get("validation") or {}, manifest.get("gate") or {}
    if "tflite_accuracy_pct" not in validation:
        return ["accuracy     not measured (no validation in a manifest)"]
    samples, float_pct = validation.get("samples"), validation.get("float_accuracy_pct")
    on = f" on {samples:,} MNIST test images" if isinstance(samples, int) else ""
    versus = f" (float model {float_pct:.2f}%)" if isinstance(float_pct, int | float) else ""
    lines = [f"accuracy     {validation['tflite_accuracy_pct']:.2f}%{on}{versus}"]
    if "drop_pts" in validation:
        limit = gate.get("max_drop_pts", "?")
        lines.append(f"drop         {validation['drop_pts']:.2f} points (gate: at most {limit})")
    if "agreement_pct" in validation:
        lines.append(
            f"agreement    {validation['agreement_pct']:.2f}% same top-1 as the float model "
            f"(gate: at least {gate.get('min_agreement_pct', '?')}%)"
        )
    return lines


def _line_reader_text(info: ModelInfo) -> str:
    reader = info.line_reader
    if reader is None:
        return "none named in the manifest (touching digits are cut apart, not read whole)"
    threshold = "" if reader.accept_threshold is None else f", accepts at >= {reader.accept_threshold:.3g}"
    return f"{reader.model_file}: {reader.status}{threshold}"


def _xnnpack_text(info: ModelInfo) -> str:
    outside = info.ops_outside_xnnpack()
    if outside is None:
        return "unknown with this interpreter"
    rest = f"; builtin kernels run {', '.join(outside)}" if outside else ""
    return f"takes {len(info.ops) - len(outside)} of {len(info.ops)} nodes{rest}"


def _detail_lines(info: ModelInfo) -> list[str]:
    """--verbose: the tensors' quantization, every op, and the manifest."""
    lines = [f"size         {info.size_bytes:,} bytes"]
    for kind, tensors in (("input", info.inputs), ("output", info.outputs)):
        lines += [f"{kind:12s} {t.name}  {t.shape} {t.dtype}, {_quantization(t)}" for t in tensors]
    counts = ", ".join(name if n == 1 else f"{name} x{n}" for name, n in info.op_counts().items())
    lines.append(f"ops          {len(info.ops)} nodes: {counts}")
    if info.manifest is not None:
        lines.append("manifest:")
        lines += ["  " + line for line in json.dumps(info.manifest, indent=2).splitlines()]
    return lines


_COLUMNS = (  # header, width, value of a result
    ("threads", 7, lambda r: f"{r.threads}"),
    ("batch", 5, lambda r: f"{r.batch}"),
    ("min ms", 7, lambda r: f"{r.predict.min_ms:.3f}"),
    ("p50 ms", 7, lambda r: f"{r.predict.p50_ms:.3f}"),
    ("p90 ms", 7, lambda r: f"{r.predict.p90_ms:.3f}"),
    ("p99 ms", 7, lambda r: f"{r.predict.p99_ms:.3f}"),
    ("invoke p50", 10, lambda r: f"{r.invoke.p50_ms:.3f}"),
    ("images/s", 8, lambda r: f"{r.images_per_s:.0f}"),
    ("vs first", 8, lambda r: f"{r.ratio_to_first:.2f}x"),
)


def _benchmark_lines(results: list[BenchResult], config: BenchConfig) -> list[str]:
    calls = max(1, config.runs // config.rounds) * config.rounds
    delegate = "XNNPACK delegate" if config.xnnpack else "builtin kernels only (no XNNPACK)"
    width = max(len("model"), *(len(r.model) for r in results))
    lines = [
        f"{delegate}; {calls} timed calls per model and setting, interleaved in {config.rounds} rounds",
        "ms: one predict (quantize, run, dequantize); invoke: interpreter alone; images/s, vs first: at p50",
        f"{'model':{width}s}" + "".join(f"  {h:>{w}s}" for h, w, _ in _COLUMNS),
    ]
    lines += [f"{r.model:{width}s}" + "".join(f"  {v(r):>{w}s}" for _, w, v in _COLUMNS) for r in results]
    return lines
