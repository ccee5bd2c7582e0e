"""`edge info` (what a .tflite holds) and `edge benchmark` (how fast it runs here)."""

from __future__ import annotations

import json
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
from edge_runtime.cli.options import AllowFailedOption, VerifyOption
from edge_runtime.interpreter import FAILED_GATE, MAX_THREADS, MISMATCH, NO_MANIFEST, VERIFIED
from edge_runtime.model_info import ModelInfo, TensorInfo, model_info
from edge_runtime.packaged import MODEL_ENV, PACKAGED_MODEL, default_model
from ground.errors import printable

app = typer.Typer()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@app.command("info")
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
    json_output: JsonOption = False,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
) -> None:
    """Inputs/outputs (shape, dtype, quantization), ops used and which ones XNNPACK runs, size, labels,
    and how the file stands with its manifest (verified / mismatch / no manifest / failed gate)."""
    info = model_info(model, verify, allow_failed)
    if json_output:
        typer.echo(json.dumps(info.to_dict(), indent=2))
        return
    for line in _info_lines(info):
        typer.echo(line)


@app.command("benchmark")
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
            "--batch", help="Batch size; repeat for several (default: 1 and 64).", show_default=False
        ),
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed calls per model and setting.")] = DEFAULT_RUNS,
    warmup: Annotated[int, typer.Option(help="Untimed calls first, per model and setting.")] = DEFAULT_WARMUP,
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


def _info_lines(info: ModelInfo) -> list[str]:
    lines = [f"{printable(info.path.name)}: {info.size_bytes / 1024:.1f} KB ({info.size_bytes:,} bytes)"]
    for kind, tensors in (("input", info.inputs), ("output", info.outputs)):
        lines += [f"{kind:7s} {t.name}  {t.shape} {t.dtype}, {_quantization(t)}" for t in tensors]
    counts = ", ".join(name if n == 1 else f"{name} x{n}" for name, n in info.op_counts().items())
    lines.append(f"ops     {len(info.ops)} nodes: {counts}")
    outside = info.ops_outside_xnnpack()
    if outside is None:
        lines.append("xnnpack unknown with this interpreter")
    else:
        rest = f"; builtin kernels run {', '.join(outside)}" if outside else ""
        lines.append(f"xnnpack takes {len(info.ops) - len(outside)} of {len(info.ops)} nodes{rest}")
    lines.append(f"labels  {' '.join(info.labels)} ({_LABEL_SOURCES[info.labels_from]})")
    answers = [t.shape[-1] for t in info.outputs if t.shape]
    if answers != [len(info.labels)]:
        lines.append(f"WARNING outputs {answers} values, not one per label: classify and webcam refuse it")
    lines.append(f"file    {_VERDICTS[info.verdict]}")
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
