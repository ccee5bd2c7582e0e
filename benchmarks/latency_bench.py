"""Single-image latency and batch throughput of every export mode, measured side by side in one process.

  python benchmarks/latency_bench.py                       # the default architecture, untrained
  python benchmarks/latency_bench.py MODEL.keras --data ../shared/data/mnist.npz
  python benchmarks/latency_bench.py --models DIR          # model_*.tflite from `edge export --quantize all`

Weights do not change how fast an op runs, so an untrained default model gives representative
latencies (int8 is calibrated on MNIST training images when --data/$EDGE_MNIST is given, else on
random pixels). All models are timed with `edge_runtime.benchmark` (interleaved rounds in this one
process, so their ratios hold on a noisy machine). Printed: p50 latency of one predict call per
image at 1..N threads, batch throughput, the same single-image latency without the XNNPACK
delegate, and each mode's ratio to float32.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

from edge_runtime.benchmark import DEFAULT_RUNS, BenchConfig, BenchResult, benchmark, environment

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow is imported only to convert

BATCH = 64
CALIBRATION_SAMPLES = 300
NO_XNNPACK_RUNS = 50  # the builtin float kernels are ~10x slower: fewer calls keep the run short


def calibration(data: str | None) -> np.ndarray:
    """Calibration images: stratified training digits when MNIST is at hand, else random pixels."""
    from export.calibration import calibration_images
    from train.data import load_mnist, resolve_source

    if resolve_source(data) is None:
        return np.random.default_rng(0).integers(0, 256, (CALIBRATION_SAMPLES, 28, 28), dtype=np.uint8)
    mnist = load_mnist(data)
    return calibration_images(mnist.x_train, mnist.y_train, CALIBRATION_SAMPLES, seed=0)


def export_all(keras_path: Path | None, data: str | None, out_dir: Path) -> list[Path]:
    """Every mode of the model (or of the untrained default architecture) as out_dir/model_<mode>.tflite."""
    from export.convert import convert
    from export.modes import MODES
    from train.model import build_resnet
    from train.saved_model import load_keras_model

    model = load_keras_model(keras_path) if keras_path else build_resnet()
    images = calibration(data)
    paths = []
    for mode in MODES.values():
        path = out_dir / f"model_{mode}.tflite"
        path.write_bytes(convert(model, mode, images if mode.needs_calibration else None))
        paths.append(path)
    return paths


def table(paths: list[Path], results: list[BenchResult], plain: list[BenchResult], threads: list[int]) -> str:
    """One row per mode; latency columns are p50 ms of one predict call."""
    by_key = {(r.model, r.threads, r.batch): r for r in results}
    plain_by_model = {r.model: r for r in plain}
    header = ["mode", "KB"]
    header += [f"1 image {t}T ms" for t in threads] + [f"batch {BATCH} {t}T img/s" for t in threads]
    header += ["no XNNPACK 1T ms"] + [f"vs float32 {t}T" for t in threads]
    rows = []
    for path in paths:
        name = path.name
        singles = [by_key[(name, t, 1)] for t in threads]
        row = [name.removeprefix("model_").removesuffix(".tflite"), f"{path.stat().st_size / 1024:.0f}"]
        row += [f"{r.predict.p50_ms:.3f}" for r in singles]
        row += [f"{by_key[(name, t, BATCH)].images_per_s:.0f}" for t in threads]
        row += [f"{plain_by_model[name].predict.p50_ms:.3f}"]
        row += [f"{r.ratio_to_first:.2f}x" for r in singles]
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, nargs="?", help="a trained .keras model (default: untrained)")
    parser.add_argument(
        "--models", type=Path, help="a folder of model_<mode>.tflite files to use as they are"
    )
    parser.add_argument("--data", default=None, help="MNIST for int8 calibration (as in `edge train`)")
    parser.add_argument("--threads", type=int, default=2, help="measure at 1..N threads")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed calls per model and setting")
    args = parser.parse_args()

    threads = list(range(1, args.threads + 1))
    with tempfile.TemporaryDirectory() as tmp:
        if args.models:
            paths = sorted(args.models.glob("model_*.tflite"))
            if not paths:
                parser.error(f"no model_*.tflite in {args.models}")
        else:
            paths = export_all(args.model, args.data, Path(tmp))
        paths.sort(key=lambda p: p.name != "model_float32.tflite")  # ratios are to the first: float32
        results = benchmark(paths, BenchConfig(threads=threads, batches=(1, BATCH), runs=args.runs))
        plain = benchmark(paths, BenchConfig(batches=(1,), runs=NO_XNNPACK_RUNS, xnnpack=False))
        env = environment()
        print(
            f"{env['interpreter']} on {env['processor']} ({env['cpu_count']} cores); p50 of {args.runs} calls"
        )
        print(table(paths, results, plain, threads))
        int8 = [by for by in results if by.model == "model_int8.tflite" and by.batch == 1]
        for r in int8:
            print(f"int8 / float32 single-image latency at {r.threads} thread(s): {r.ratio_to_first:.2f}x")


if __name__ == "__main__":
    main()
