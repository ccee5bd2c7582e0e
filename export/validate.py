"""The accuracy check: a TFLite model against the float Keras model on the same test images."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from train.evaluate import predict_probs
from train.metrics import classification_report

EVAL_CHUNK = 1000  # images per progress step (the interpreter batches inside each chunk)
LATENCY_RUNS = 50
PCT_DIGITS = 6

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class EvalSet:
    """Test images (uint8, N x 28 x 28), their labels, and the float Keras model's probabilities."""

    images: np.ndarray
    labels: np.ndarray
    float_probs: np.ndarray


@dataclass(frozen=True)
class Validation:
    """A TFLite model against the float model on the same images (the manifest's `validation`)."""

    samples: int
    float_accuracy_pct: float
    tflite_accuracy_pct: float
    drop_pts: float  # float minus TFLite accuracy, percentage points
    agreement_pct: float  # images on which both models give the same top-1 class
    mean_abs_prob_diff: float
    max_abs_prob_diff: float
    per_class_accuracy_pct: dict[str, list[float]]  # {"float": [10 values], "tflite": [10 values]}

    def to_json(self) -> dict:
        return asdict(self)


def make_eval_set(model: keras.Model, images: np.ndarray, labels: np.ndarray, samples: int | None) -> EvalSet:
    """The first `samples` test images (all when None) with the float model's predictions."""
    images, labels = images[:samples], labels[:samples]
    return EvalSet(images, labels, predict_probs(model, images))


def predict_tflite(path: Path, images: np.ndarray, on_progress: Progress | None = None) -> np.ndarray:
    """Probabilities (N, 10) of the TFLite model at `path`, in chunks, reporting (done, total)."""
    from edge_runtime.interpreter import DigitModel

    model = DigitModel(path)
    chunks = []
    for start in range(0, len(images), EVAL_CHUNK):
        chunks.append(model.predict(images[start : start + EVAL_CHUNK]))
        if on_progress is not None:
            on_progress(min(start + EVAL_CHUNK, len(images)), len(images))
    return np.concatenate(chunks)


def compare(labels: np.ndarray, float_probs: np.ndarray, tflite_probs: np.ndarray) -> Validation:
    """Accuracy of both models, drop, top-1 agreement, probability differences, per-class accuracy."""
    float_report = classification_report(labels, float_probs)
    tflite_report = classification_report(labels, tflite_probs)
    diff = np.abs(tflite_probs.astype(np.float64) - float_probs.astype(np.float64))
    float_acc, tflite_acc = 100 * float_report["accuracy"], 100 * tflite_report["accuracy"]
    agreement = 100 * float(np.mean(tflite_probs.argmax(axis=1) == float_probs.argmax(axis=1)))
    return Validation(  # percentages rounded so that a drop of exactly the threshold is not 0.300000004
        samples=int(len(labels)),
        float_accuracy_pct=round(float_acc, PCT_DIGITS),
        tflite_accuracy_pct=round(tflite_acc, PCT_DIGITS),
        drop_pts=round(float_acc - tflite_acc, PCT_DIGITS),
        agreement_pct=round(agreement, PCT_DIGITS),
        mean_abs_prob_diff=float(diff.mean()),
        max_abs_prob_diff=float(diff.max()),
        per_class_accuracy_pct={
            "float": [100 * a for a in float_report["per_class_accuracy"]],
            "tflite": [100 * a for a in tflite_report["per_class_accuracy"]],
        },
    )


def single_image_latency_ms(path: Path, runs: int = LATENCY_RUNS) -> float:
    """Median wall time of one single-image `predict` of the TFLite model at `path` (1 thread), in ms."""
    from edge_runtime.benchmark import BenchConfig, benchmark

    return benchmark([path], BenchConfig(batches=(1,), runs=runs, warmup=1, rounds=1))[0].predict.p50_ms
