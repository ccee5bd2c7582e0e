"""Short runs: the weight EMA's warm-up, batch norm's statistics pass, the near-chance warning, and
`edge train --epochs 1 --max-train-samples 3000` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from edge_cli.train_commands import chance_warning, run_summary
from tests.test_train_cli import QUICK
from train.metrics import chance_bar, near_chance

runner = CliRunner()


def test_near_chance_is_below_twice_chance_or_a_guessers_luck():
    assert chance_bar(12_000) == pytest.approx(0.2)  # twice chance for ten classes
    assert near_chance(0.098, 12_000) and near_chance(0.19, 12_000)
    assert not near_chance(0.5, 12_000) and not near_chance(0.94, 12_000)
    few = chance_bar(50)  # on 50 samples a guesser reaches 0.1 + 3 * sqrt(0.09 / 50) by luck
    assert few == pytest.approx(0.1 + 3 * np.sqrt(0.09 / 50)) and near_chance(0.22, 50)
    assert chance_bar(100, classes=2) == pytest.approx(1.0)  # two classes: twice chance is perfect


@pytest.mark.train_extra
def test_a_near_chance_run_prints_one_warning_line():
    from train.training import TrainResult  # TensorFlow

    metrics = {
        "test_accuracy": 0.1009,
        "test_loss": 2.30,
        "epochs_run": 1,
        "best_epoch": 1,
        "training_seconds": 15.0,
        "train_samples_per_s": 345.0,
    }
    chance = {**metrics, "validation_accuracy": 0.0978, "near_chance": True}
    warning = chance_warning(chance)
    assert warning.startswith("warning: validation accuracy 9.8% is near chance (10% by guessing)")
    assert chance_warning({**chance, "validation_accuracy": None}).startswith("warning: test accuracy 10.1%")
    learnt = {**metrics, "validation_accuracy": 0.94, "near_chance": False}
    assert chance_warning(learnt) is None
    lines = run_summary(TrainResult(Path("run"), chance))
    assert [line for line in lines if line.startswith("warning: ")] == [warning]
    assert not any(line.startswith("warning: ") for line in run_summary(TrainResult(Path("run"), learnt)))


@pytest.mark.train_extra
def test_the_ema_momentum_warms_up_to_its_own():
    from train.averaging import ema_momentum

    momenta = [float(ema_momentum(step, 0.99)) for step in (0, 1, 10, 40, 890, 5000)]
    assert momenta[0] == 0.0  # the average starts at the weights
    assert momenta[1:4] == pytest.approx([2 / 11, 11 / 20, 41 / 50])
    assert momenta[4:] == pytest.approx([0.99, 0.99])


@pytest.mark.train_extra
def test_only_a_short_run_warms_its_ema_up():
    import keras
    import tensorflow as tf

    from train.averaging import WarmupAdamW
    from train.config import TrainConfig
    from train.training import compiled_model

    config = TrainConfig(blocks=0, filters=4)
    strategy = tf.distribute.get_strategy()
    assert type(compiled_model(config, strategy, None, 40).optimizer) is WarmupAdamW
    assert type(compiled_model(config, strategy, None, 459).optimizer) is keras.optimizers.AdamW  # as before
    no_ema = TrainConfig(blocks=0, filters=4, ema=False)
    assert type(compiled_model(no_ema, strategy, None, 40).optimizer) is keras.optimizers.AdamW


@pytest.mark.train_extra
def test_batch_norm_statistics_are_recomputed_as_the_mean_over_batches():
    import keras
    import tensorflow as tf

    from train.averaging import forgets_start, recompute_batch_norm

    assert not forgets_start(40, 0.99) and not forgets_start(458, 0.99)
    assert forgets_start(459, 0.99) and forgets_start(50, 0.9)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.BatchNormalization(momentum=0.99, name="bn")(inputs))
    x = np.random.default_rng(0).normal([1.0, -2.0, 5.0], [1.0, 2.0, 0.5], (60, 3)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices((x, x)).batch(20)
    recompute_batch_norm(model, dataset, batches=2)  # the first 40 rows, in two batches
    bn = model.get_layer("bn")
    np.testing.assert_allclose(bn.moving_mean.numpy(), x[:40].mean(axis=0), rtol=1e-5)
    batch_variances = np.mean([x[:20].var(axis=0), x[20:40].var(axis=0)], axis=0)
    np.testing.assert_allclose(bn.moving_variance.numpy(), batch_variances, rtol=1e-4)
    assert bn.momentum == 0.99


@pytest.mark.train_extra
def test_training_on_random_labels_warns_on_the_command_line(tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "noise.npz"
    np.savez(
        data,
        x_train=rng.integers(0, 256, (400, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 400).astype(np.uint8),
        x_test=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 100).astype(np.uint8),
    )
    result = runner.invoke(app, ["train", "--data", str(data), "--out", str(tmp_path / "run"), *QUICK])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "near chance" in warnings[0], result.stderr
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["near_chance"] is True


@pytest.mark.slow
@pytest.mark.full_data
@pytest.mark.train_extra
def test_one_epoch_on_3000_digits_learns(full_mnist, tmp_path):
    from tests.conftest import mnist_path

    out = tmp_path / "run"
    args = ["train", "--data", str(mnist_path()), "--out", str(out), "--epochs", "1"]
    result = runner.invoke(app, [*args, "--max-train-samples", "3000"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_accuracy"] >= 0.85, metrics["test_accuracy"]
    assert metrics["validation_accuracy"] >= 0.85 and metrics["near_chance"] is False
    assert "warning:" not in result.output
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
