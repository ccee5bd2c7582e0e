"""`edge_runtime.model_info` and `edge_runtime.benchmark` on the committed int8 fixture and a one-layer
float model."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from edge_runtime.benchmark import BenchConfig, benchmark, latency_stats, thread_counts
from edge_runtime.model_info import model_info
from ground.errors import EdgeError

QUICK = BenchConfig(threads=(1, 2), batches=(1, 4), runs=6, warmup=1, rounds=2)


def test_int8_info_shows_integer_io_ops_and_xnnpack_coverage(runtime_models):
    info = model_info(runtime_models["int8"])
    (inp,), (out,) = info.inputs, info.outputs
    assert (inp.shape, inp.dtype, out.shape, out.dtype) == ((1, 28, 28, 1), "int8", (1, 10), "int8")
    assert inp.scale > 0 and -128 <= inp.zero_point <= 127 and out.scale > 0
    assert info.op_counts()["CONV_2D"] >= 2 and "SOFTMAX" in info.op_counts()
    assert "DELEGATE" not in info.op_counts()
    assert all(op.xnnpack for op in info.ops if op.name == "CONV_2D")  # the heavy ops run in XNNPACK
    assert info.size_bytes == runtime_models["int8"].stat().st_size
    assert info.manifest["mode"] == "int8"


def test_float_info_and_a_model_without_manifest(runtime_models, tmp_path):
    bare = tmp_path / "bare.tflite"
    shutil.copy(runtime_models["float32"], bare)
    info = model_info(bare)
    assert info.inputs[0].dtype == "float32" and info.inputs[0].scale is None
    assert info.ops_outside_xnnpack() == []  # XNNPACK runs the whole float graph
    assert info.manifest is None
    data = info.to_dict()
    assert data["path"] == str(bare) and data["op_counts"] == info.op_counts()


def test_info_rejects_a_file_that_is_not_tflite(tmp_path):
    fake = tmp_path / "model.tflite"
    fake.write_bytes(b"\x00" * 200)
    with pytest.raises(EdgeError, match="not a TFLite model"):
        model_info(fake)


def test_latency_stats_of_known_times():
    stats = latency_stats(np.arange(1, 101) / 1000)  # 1..100 ms
    assert (stats.min_ms, stats.p50_ms, stats.mean_ms, stats.calls) == pytest.approx((1, 50.5, 50.5, 100))
    assert stats.p90_ms == pytest.approx(90.1) and stats.p99_ms == pytest.approx(99.01)


def test_benchmark_measures_every_setting_against_the_first_model(runtime_models):
    paths = [runtime_models["float32"], runtime_models["int8"]]
    results = benchmark(paths, QUICK)
    assert [(r.model, r.threads, r.batch) for r in results[:2]] == [
        ("model_float32.tflite", 1, 1),
        ("model_int8.tflite", 1, 1),
    ]
    assert {(r.threads, r.batch) for r in results} == {(1, 1), (1, 4), (2, 1), (2, 4)}
    for r in results:
        p = r.predict
        assert 0 < p.min_ms <= p.p50_ms <= p.p90_ms <= p.p99_ms and p.calls == 6 and r.invoke.calls == 6
        assert r.images_per_s == pytest.approx(1000 * r.batch / p.p50_ms)
    firsts, seconds = results[0::2], results[1::2]
    assert all(r.ratio_to_first == 1.0 for r in firsts)
    for first, second in zip(firsts, seconds, strict=True):
        assert second.ratio_to_first == pytest.approx(second.predict.p50_ms / first.predict.p50_ms)


def test_benchmark_without_xnnpack_runs_the_builtin_kernels(runtime_models):
    config = BenchConfig(batches=(1,), runs=4, warmup=0, rounds=1, xnnpack=False)
    (result,) = benchmark([runtime_models["int8"]], config)
    assert result.xnnpack is False and result.predict.calls == 4


@pytest.mark.parametrize(
    "config, message",
    [
        (BenchConfig(threads=(0,)), "threads"),
        (BenchConfig(batches=()), "batch size"),
        (BenchConfig(runs=0), "runs"),
    ],
)
def test_benchmark_rejects_settings_it_cannot_measure(runtime_models, config, message):
    with pytest.raises(EdgeError, match=message):
        benchmark([runtime_models["int8"]], config)


def test_thread_counts():
    assert thread_counts(3) == [1, 2, 3]
    assert thread_counts(None)[0] == 1
    with pytest.raises(EdgeError):
        thread_counts(0)
