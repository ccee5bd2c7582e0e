"""`edge train` / `edge evaluate` end to end through the real CLI, and their failure modes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from tests.conftest import REPO

runner = CliRunner()
QUICK = ["--epochs", "1", "--blocks", "1", "--filters", "8", "--batch-size", "32"]


@pytest.fixture(scope="module")
def small_npz(tmp_path_factory, request):
    """A few hundred digits: real MNIST when available, random pixels otherwise."""
    from tests.conftest import mnist_path

    path = tmp_path_factory.mktemp("data") / "small.npz"
    full = mnist_path()
    if full is not None:
        with np.load(full) as m:
            arrays = {
                "x_train": m["x_train"][:400],
                "y_train": m["y_train"][:400],
                "x_test": m["x_test"][:200],
                "y_test": m["y_test"][:200],
            }
    else:
        rng = np.random.default_rng(0)
        arrays = {
            "x_train": rng.integers(0, 256, (400, 28, 28), dtype=np.uint8),
            "y_train": rng.integers(0, 10, 400).astype(np.uint8),
            "x_test": rng.integers(0, 256, (200, 28, 28), dtype=np.uint8),
            "y_test": rng.integers(0, 10, 200).astype(np.uint8),
        }
    np.savez(path, **arrays)
    return path


@pytest.mark.train_extra
def test_train_writes_every_artifact(small_npz, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", "--data", str(small_npz), "--out", str(out), *QUICK])
    assert result.exit_code == 0, result.output
    assert "test accuracy:" in result.output
    for name in ("model.keras", "history.json", "metrics.json", "curves.png", "confusion.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["samples"] == 200 and metrics["train_samples"] == 320
    assert len(metrics["per_class_accuracy"]) == 10
    assert np.array(metrics["confusion_matrix"]).sum() == 200
    assert metrics["config"]["seed"] == 0
    assert {"tensorflow", "keras", "numpy"} <= set(metrics["versions"])
    assert metrics["train_samples_per_s"] > 0
    history = json.loads((out / "history.json").read_text())
    assert {"accuracy", "loss", "val_accuracy", "val_loss"} <= set(history)
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["run"], "no staging folder left behind"

    again = runner.invoke(app, ["train", "--data", str(small_npz), "--out", str(out), *QUICK])
    assert again.exit_code == 1 and "already exists" in again.output

    evaluated = runner.invoke(app, ["evaluate", str(out / "model.keras"), "--data", str(small_npz), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.output.strip().splitlines()[-1])["test_accuracy"] == pytest.approx(
        metrics["test_accuracy"]
    )


@pytest.mark.train_extra
def test_train_into_a_log_file_writes_one_line_per_epoch(small_npz, tmp_path):
    epochs = 2
    args = [
        "train",
        "--data",
        str(small_npz),
        "--out",
        str(tmp_path / "run"),
        *QUICK,
        "--epochs",
        str(epochs),
    ]
    proc = subprocess.run(  # stdout is a pipe, not a terminal: no progress bar
        [sys.executable, "-m", "edge_cli", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "\r" not in proc.stdout and "\b" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert len(lines) == epochs + 2, lines  # one per epoch, then the result and the run folder
    for epoch, line in enumerate(lines[:epochs], start=1):
        assert line.startswith(f"epoch {epoch}/{epochs}: accuracy ") and "val_accuracy" in line, line
    assert lines[-2].startswith("test accuracy:") and lines[-1].startswith("run folder:")


@pytest.mark.parametrize("kind", ["missing", "garbage", "bad_labels"])
def test_train_bad_data_is_one_line_error_and_no_run_folder(tmp_path, kind):
    data = tmp_path / "data.npz"
    if kind == "garbage":
        data.write_bytes(b"\x00" * 100)
    elif kind == "bad_labels":
        np.savez(
            data,
            x_train=np.zeros((4, 28, 28), np.uint8),
            y_train=np.full(4, 12, np.uint8),
            x_test=np.zeros((2, 28, 28), np.uint8),
            y_test=np.zeros(2, np.uint8),
        )
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "edge_cli", "train", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")
    assert not out.exists() and not list(tmp_path.glob(".run*"))


def test_an_unknown_distribute_strategy_is_a_usage_error(tmp_path):
    """Rejected while parsing (exit 2, Click's message naming the choices), before TensorFlow loads."""
    result = runner.invoke(app, ["train", "--distribute", "bogus", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: Invalid value for '--distribute'")
    assert "'bogus' is not one of 'mirrored', 'multiworker'" in line
    assert not (tmp_path / "run").exists()


@pytest.mark.train_extra
def test_evaluate_rejects_a_non_keras_file(tmp_path):
    (tmp_path / "m.keras").write_text("nope")
    result = runner.invoke(app, ["evaluate", str(tmp_path / "m.keras")])
    assert result.exit_code == 1 and "not a Keras .keras model" in result.output


def test_train_without_tensorflow_says_how_to_install(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        sys.modules["tensorflow"] = None  # makes `import tensorflow` raise ImportError
        from edge_cli import main
        sys.argv = ["edge", "train"]
        main()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 1
    assert "pip install -e '.[train]'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.train_extra
def test_mirrored_strategy_on_two_logical_cpus(small_npz, tmp_path):
    code = textwrap.dedent(
        f"""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from pathlib import Path
        from train.training import TrainConfig, train
        result = train(TrainConfig(out_dir=Path({str(tmp_path / "run")!r}), data={str(small_npz)!r},
                       epochs=1, blocks=1, filters=8, batch_size=32, distribute="mirrored", verbose=0))
        print("replicas", tf.distribute.MirroredStrategy().num_replicas_in_sync)
        print("accuracy", result.metrics["test_accuracy"])
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "replicas 2" in proc.stdout
    assert (tmp_path / "run" / "model.keras").is_file()


@pytest.mark.full_data
def test_full_mnist_loads_with_the_official_counts(full_mnist):
    assert full_mnist.x_train.shape == (60000, 28, 28) and full_mnist.x_test.shape == (10000, 28, 28)
    assert np.bincount(full_mnist.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert full_mnist.y_train[:5].tolist() == [5, 0, 4, 1, 9]


@pytest.mark.full_data
def test_evaluate_tiny_model_on_full_test_set(tiny_model_path):
    from tests.conftest import mnist_path

    result = runner.invoke(app, ["evaluate", str(tiny_model_path), "--data", str(mnist_path()), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output.strip().splitlines()[-1])
    assert metrics["samples"] == 10000
    assert metrics["test_accuracy"] > 0.8
