"""Shared fixtures: the MNIST file when present, and small models trained once per session.

Tests marked `train_extra` (and every test using the tiny models) skip, saying why, where the `train`
extra is not installed: the runtime's tests also run in a venv with the runtime only (scripts/test.sh).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from edge_runtime.packaged import PACKAGED_MODEL

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist.npz"
TINY_BLOCKS, TINY_FILTERS = 1, 16
TINY_TRAIN_SAMPLES = 6000
TINY_BN_MOMENTUM = 0.9  # 280 steps are too few for the default 0.99 moving statistics to settle


# What the `train` extra brings that the tests use: TensorFlow (Keras) and Pillow (matplotlib's, for fonts)
TRAIN_EXTRA_MISSING = [name for name in ("tensorflow", "PIL") if importlib.util.find_spec(name) is None]
TRAIN_EXTRA_REASON = (
    f"needs the train extra ({', '.join(TRAIN_EXTRA_MISSING)} missing): pip install -e '.[train]'"
)


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked `train_extra` when the extra is not installed."""
    if TRAIN_EXTRA_MISSING:
        skip = pytest.mark.skip(reason=TRAIN_EXTRA_REASON)
        for item in items:
            if "train_extra" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def private_probe_cache(tmp_path_factory) -> Iterator[Path]:
    """The verdicts of test-loaded models (edge_runtime.model_probe) go to this session's own cache
    folder, not the user's ~/.cache; the CLI's subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def require_train_extra() -> None:
    if TRAIN_EXTRA_MISSING:
        pytest.skip(TRAIN_EXTRA_REASON)


def mnist_path() -> Path | None:
    """The full MNIST file: $EDGE_MNIST, else ../shared/data/mnist.npz, else None."""
    env = os.environ.get("EDGE_MNIST")
    for candidate in (Path(env) if env else None, SHARED_MNIST):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def full_mnist():
    """The full MNIST set (skips when it is not on this machine)."""
    path = mnist_path()
    if path is None:
        pytest.skip("full MNIST not found: set EDGE_MNIST or place ../shared/data/mnist.npz")
    from train.data import load_mnist

    return load_mnist(path)


@pytest.fixture(scope="session")
def tiny_model_path(full_mnist, tmp_path_factory) -> Path:
    """A small residual net (1 block, 16 filters) trained briefly on real digits: ~90% accurate."""
    require_train_extra()
    import keras

    from train.model import build_resnet
    from train.training import compile_model, make_dataset

    keras.utils.set_random_seed(0)
    x, y = full_mnist.x_train[:TINY_TRAIN_SAMPLES], full_mnist.y_train[:TINY_TRAIN_SAMPLES]
    model = build_resnet(TINY_BLOCKS, TINY_FILTERS, bn_momentum=TINY_BN_MOMENTUM)
    epochs, batch = 3, 64
    compile_model(model, 3e-3, decay_steps=epochs * int(np.ceil(len(x) / batch)))
    model.fit(make_dataset(x, y, batch, shuffle_seed=0), epochs=epochs, shuffle=False, verbose=0)
    path = tmp_path_factory.mktemp("tiny_model") / "model.keras"
    model.save(path)
    return path


TINY_CALIBRATION_SAMPLES = 100


@pytest.fixture(scope="session")
def tiny_tflite_models(tiny_model_path, full_mnist, tmp_path_factory) -> dict[str, Path]:
    """The tiny model exported in every mode through `export` (each with its manifest): {mode: path}."""
    from export.calibration import calibration_images
    from export.modes import MODES
    from export.pipeline import Calibration, export_mode, source_record
    from train.saved_model import load_keras_model

    model = load_keras_model(tiny_model_path)
    images = calibration_images(full_mnist.x_train, full_mnist.y_train, TINY_CALIBRATION_SAMPLES, seed=0)
    out_dir = tmp_path_factory.mktemp("tiny_tflite")
    source = source_record(tiny_model_path)
    return {
        name: export_mode(model, mode, out_dir, source=source, calibration=Calibration(images, 0)).path
        for name, mode in MODES.items()
    }


def save_mnist_subset(mnist, path: Path, train: int, test: int) -> Path:
    """The first `train` training and `test` test digits of `mnist` as a Keras-style mnist.npz."""
    np.savez(
        path,
        x_train=mnist.x_train[:train],
        y_train=mnist.y_train[:train],
        x_test=mnist.x_test[:test],
        y_test=mnist.y_test[:test],
    )
    return path


@pytest.fixture(scope="session")
def runtime_models(tmp_path_factory) -> dict[str, Path]:
    """Models for the runtime's tests without TensorFlow: {"int8": the committed fixture (with its
    manifest and line reader), "float32": a one-layer float model built from the schema (no manifest)}."""
    from tests.tflite_models import dense_model

    folder = tmp_path_factory.mktemp("runtime_models")
    fixture = PACKAGED_MODEL
    for source in (fixture, fixture.with_suffix(".json"), fixture.with_name("line_reader_int8.tflite")):
        shutil.copyfile(source, folder / source.name)
    (folder / "model_float32.tflite").write_bytes(dense_model())
    return {"int8": folder / fixture.name, "float32": folder / "model_float32.tflite"}
