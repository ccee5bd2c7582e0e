"""Evaluate a Keras model on the MNIST test set."""

from __future__ import annotations

import platform
from importlib import metadata

import keras
import numpy as np

from ground.contract import INPUT_SHAPE
from train.metrics import classification_report

EVAL_BATCH = 500


def predict_probs(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Softmax outputs for uint8 images (N, 28, 28) fed as raw 0-255 float pixels."""
    x = images.reshape(-1, *INPUT_SHAPE).astype(np.float32)
    return np.asarray(model.predict(x, batch_size=EVAL_BATCH, verbose=0))


def evaluate_model(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> dict:
    """Test accuracy, loss, per-class accuracy and confusion matrix."""
    probs = predict_probs(model, images)
    report = classification_report(labels, probs)
    picked = probs[np.arange(len(labels)), labels.astype(int)]
    report["loss"] = float(-np.log(np.clip(picked, 1e-7, 1.0)).mean())
    return {"test_" + k if k in ("accuracy", "loss") else k: v for k, v in report.items()}


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries that shape the results."""
    versions = {"python": platform.python_version()}
    for name in ("tensorflow", "keras", "numpy", "ai-edge-litert"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions
