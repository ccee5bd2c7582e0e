"""Latency and throughput of one or more `.tflite` models, measured side by side in one process.

The machine this runs on is often shared and noisy, so models are compared fairly: for every
setting (threads, batch size) all models are loaded, warmed up, then timed in interleaved rounds,
so that a burst of load from elsewhere slows them all alike. Each model's figures are then set
against the first model's (e.g. int8 / float32) from those same rounds.

Two things are timed for every call: `predict` (what an application pays: quantize the raw pixels,
run, dequantize) and `invoke` (the interpreter alone, on an input already in place).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from edge_runtime.interpreter import DigitModel
from ground.contract import IMAGE_SHAPE
from ground.errors import EdgeError, printable

DEFAULT_BATCHES = (1, 64)
DEFAULT_RUNS = 200
DEFAULT_WARMUP = 20
DEFAULT_ROUNDS = 5
INPUT_SEED = 0


@dataclass(frozen=True)
class LatencyStats:
    """Summary of per-call wall times, in milliseconds."""

    min_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    calls: int


@dataclass(frozen=True)
class BenchResult:
    """One model at one setting: latency of `predict` and of the bare `invoke`; p50 ratio to the first."""

    model: str
    threads: int
    batch: int
    xnnpack: bool
    predict: LatencyStats
    invoke: LatencyStats
    images_per_s: float
    ratio_to_first: float

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class BenchConfig:
    """How to benchmark: thread counts, batch sizes, calls per model and setting, warm-up calls."""

    threads: Sequence[int] = (1,)
    batches: Sequence[int] = DEFAULT_BATCHES
    runs: int = DEFAULT_RUNS
    warmup: int = DEFAULT_WARMUP
    rounds: int = DEFAULT_ROUNDS
    xnnpack: bool = True
    verify: bool = True  # refuse a model its manifest does not record (see DigitModel)
    allow_failed: bool = False  # load a model whose export failed its gate

    def check(self) -> None:
        """EdgeError on a setting that cannot be measured."""
        for label, values in (("threads", self.threads), ("batch size", self.batches)):
            if not values or min(values) < 1:
                raise EdgeError(f"{label} must be at least 1")
        if self.runs < 1 or self.warmup < 0 or self.rounds < 1:
            raise EdgeError("runs and rounds must be at least 1, warm-up at least 0")


def thread_counts(max_threads: int | None) -> list[int]:
    """1..max_threads (default: every core of this machine)."""
    top = max_threads if max_threads is not None else os.cpu_count() or 1
    if top < 1:
        raise EdgeError("--threads must be at least 1")
    return list(range(1, top + 1))


def without_xnnpack_options() -> dict:
    """Interpreter options that run the builtin kernels only (no default XNNPACK delegate)."""
    try:
        from ai_edge_litert.interpreter import OpResolverType
    except ImportError:
        raise EdgeError("--no-xnnpack needs ai-edge-litert (pip install ai-edge-litert)") from None
    return {"experimental_op_resolver_type": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}


def _cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux, including the Pi), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict:
    """Where the figures were measured: CPU architecture, cores, interpreter package and version."""
    for package in ("ai-edge-litert", "tflite-runtime", "tensorflow"):
        try:
            interpreter = f"{package} {metadata.version(package)}"
            break
        except metadata.PackageNotFoundError:
            continue
    else:
        interpreter = "none"
    return {
        "machine": platform.machine(),
        "processor": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "interpreter": interpreter,
    }


def latency_stats(seconds: Sequence[float]) -> LatencyStats:
    """Min, percentiles and mean of per-call times given in seconds."""
    ms = 1000 * np.asarray(seconds, dtype=np.float64)
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return LatencyStats(
        min_ms=float(ms.min()),
        p50_ms=float(p50),
        p90_ms=float(p90),
        p99_ms=float(p99),
        mean_ms=float(ms.mean()),
        calls=len(ms),
    )


def _timed(call: Callable[[], object], times: list[float]) -> None:
    start = time.perf_counter()
    call()
    times.append(time.perf_counter() - start)


def _measure_setting(
    paths: Sequence[Path], threads: int, batch: int, config: BenchConfig
) -> list[tuple[LatencyStats, LatencyStats]]:
    """(predict, invoke) statistics of every model at one setting, timed in interleaved rounds."""
    options = {} if config.xnnpack else without_xnnpack_options()
    models = [
        DigitModel(p, threads, verify=config.verify, allow_failed=config.allow_failed, **options)
        for p in paths
    ]
    images = np.random.default_rng(INPUT_SEED).integers(0, 256, (batch, *IMAGE_SHAPE), dtype=np.uint8)
    for model in models:
        for _ in range(config.warmup + 1):  # at least one call: it sizes the input tensor for `invoke`
            model.predict(images, batch_size=batch)
    predict_times: list[list[float]] = [[] for _ in models]
    invoke_times: list[list[float]] = [[] for _ in models]
    per_round = max(1, config.runs // config.rounds)
    for _ in range(config.rounds):
        for model, predict_t, invoke_t in zip(models, predict_times, invoke_times, strict=True):
            for _ in range(per_round):
                _timed(lambda m=model: m.predict(images, batch_size=batch), predict_t)
                _timed(model.interpreter.invoke, invoke_t)
    return [(latency_stats(p), latency_stats(i)) for p, i in zip(predict_times, invoke_times, strict=True)]


def benchmark(paths: Sequence[Path], config: BenchConfig = BenchConfig()) -> list[BenchResult]:
    """Benchmark every model at every (threads, batch) setting; ratios are to the first model's p50."""
    config.check()
    if not paths:
        raise EdgeError("no model to benchmark")
    results = []
    for threads in config.threads:
        for batch in config.batches:
            stats = _measure_setting(paths, threads, batch, config)
            first_p50 = stats[0][0].p50_ms
            for path, (predict, invoke) in zip(paths, stats, strict=True):
                results.append(
                    BenchResult(
                        model=printable(Path(path).name),
                        threads=threads,
                        batch=batch,
                        xnnpack=config.xnnpack,
                        predict=predict,
                        invoke=invoke,
                        images_per_s=1000 * batch / predict.p50_ms,
                        ratio_to_first=predict.p50_ms / first_p50,
                    )
                )
    return results
