"""The training options (bf16 where the CPU has it, the learning-rate schedules) and the
time-to-accuracy benchmark's quick mode on tiny settings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.test_train_cli import QUICK, small_npz  # noqa: F401 - the fixture is used by name


@pytest.mark.train_extra
def test_bf16_only_where_the_cpu_has_it(tmp_path):
    from train.precision import cpu_supports_bf16, dtype_policy

    with_amx = tmp_path / "amx"
    with_amx.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile\n")
    without = tmp_path / "plain"
    without.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")
    assert cpu_supports_bf16(with_amx) and not cpu_supports_bf16(without)
    assert not cpu_supports_bf16(tmp_path / "missing")
    assert dtype_policy("bf16", with_amx) == "mixed_bfloat16"
    assert dtype_policy("bf16", without) == "float32"
    assert dtype_policy("float32", with_amx) == "float32"


@pytest.mark.train_extra
def test_one_cycle_warms_up_then_decays():
    from train.training import learning_rate_schedule

    schedule = learning_rate_schedule(1e-2, 100, "one-cycle")
    rates = [float(schedule(step)) for step in (0, 15, 30, 65, 100)]
    assert rates[0] == pytest.approx(1e-2 / 25)
    assert rates[0] < rates[1] < rates[2] == pytest.approx(1e-2)
    assert rates[2] > rates[3] > rates[4] and rates[4] < 1e-4


@pytest.mark.train_extra
def test_train_in_bf16_with_one_cycle_saves_a_float32_model(small_npz, tmp_path):  # noqa: F811
    import keras

    from edge_cli import app
    from train.precision import dtype_policy

    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        ["train", "--data", str(small_npz), "--out", str(out), *QUICK, "--precision", "bf16"]
        + ["--schedule", "one-cycle"],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["precision"] == dtype_policy("bf16")
    assert metrics["config"]["schedule"] == "one-cycle"
    model = keras.models.load_model(out / "model.keras")
    assert {layer.dtype_policy.name for layer in model.layers} == {"float32"}
    assert model.predict(np.zeros((1, 28, 28, 1), np.float32), verbose=0).dtype == np.float32


@pytest.mark.slow
@pytest.mark.train_extra
def test_time_to_accuracy_quick_mode_prints_the_table(full_mnist):
    from benchmarks.time_to_accuracy import main
    from tests.conftest import mnist_path

    table = main(
        ["--data", str(mnist_path()), "--quick", "--epochs", "2", "--train-samples", "600"]
        + ["--test-samples", "200", "--filters", "8", "--proposed-epochs", "1", "2"]
    )
    lines = table.splitlines()
    assert lines[0].startswith("| setup | time to 99.5% (epoch) | time to 99.6% (epoch) | epochs run |")
    rows = [line.split(" | ") for line in lines[2:]]
    assert [row[0] for row in rows] == [
        "| notebook (float64 numpy, Adam, batch 32)",
        "| edge train's reference default (2-epoch cosine, early stopping)",
        "| float32, cosine, 1 epochs",
        "| float32, cosine, 2 epochs",
    ]
    assert [int(row[3]) for row in rows] == [2, 2, 1, 2]  # epochs run: none stops early in two
    assert rows[1][4].endswith(" s") and rows[2][4].endswith("x")  # whole runs against the reference default


@pytest.mark.train_extra
def test_edge_train_setups_stop_early_and_deliver_their_best_validation_epoch():
    from benchmarks.time_to_accuracy import Setup

    setup = Setup("edge", 20, epoch=None, model=None, validate=lambda: 0.0, patience=2)
    setup.accuracy, setup.validation = [0.990, 0.996, 0.995], [0.991, 0.995, 0.994]
    assert setup.kept == 1 and not setup.stopped_early  # one epoch without improvement
    setup.accuracy.append(0.997)
    setup.validation.append(0.993)
    assert setup.kept == 1 and setup.stopped_early  # two: it stops and delivers epoch 2 (0.996), not 0.997
    notebook = Setup("notebook", 20, epoch=None, model=None, accuracy=[0.98, 0.99, 0.985])
    assert notebook.kept == 2 and not notebook.stopped_early  # no validation: its last epoch


@pytest.mark.train_extra
def test_the_constant_schedule_holds_the_learning_rate():
    from train.training import learning_rate_schedule

    assert learning_rate_schedule(2e-3, 100, "constant") == 2e-3
    with pytest.raises(ValueError, match="constant"):
        learning_rate_schedule(2e-3, 100, "linear")
