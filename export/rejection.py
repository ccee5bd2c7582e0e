"""The acceptance threshold of an exported model, chosen on validation digits, for the manifest.

The runtime counts a region as a digit only when the model's top probability reaches this
threshold; it is set on the exported model itself (int8 included) so that at most 1% of real
validation digits fall below it, and the share of generated held-out non-digits it rejects is
recorded beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from export.validate import predict_tflite
from train.config import TrainConfig
from train.data import MnistData
from train.negatives import font_files, negative_images
from train.rejection import HELD_OUT_SEED_OFFSET, MAX_DIGITS_REJECTED, acceptance_threshold
from train.training import split_train_validation

REJECTION_NEGATIVES = 1000
METHOD = "max-softmax"  # the top probability of the 10 outputs, trained with outlier exposure


@dataclass(frozen=True)
class RejectionSet:
    """Real digits to set the threshold on (and where they come from), and non-digits to report on."""

    digits: np.ndarray
    source: str
    negatives: np.ndarray


def validation_digits(model_path: Path, mnist: MnistData) -> tuple[np.ndarray, str]:
    """The training run's own validation images, split as `edge train` split them (the run folder's
    metrics.json says how), else the MNIST test set: digits the model never trained on."""
    metrics = Path(model_path).with_name("metrics.json")
    try:
        config = json.loads(metrics.read_text())["config"]
        fraction, seed = float(config["validation_split"]), int(config["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return mnist.x_test, "MNIST test set"
    if fraction <= 0:
        return mnist.x_test, "MNIST test set"
    _, (x_val, _) = split_train_validation(mnist.x_train, mnist.y_train, fraction, seed)
    return x_val, f"validation split of the training run ({len(x_val)} images)"


def make_rejection_set(model_path: Path, mnist: MnistData, seed: int = TrainConfig.seed) -> RejectionSet:
    """Validation digits plus held-out generated negatives (other seed, held-out fonts)."""
    digits, source = validation_digits(model_path, mnist)
    negatives = negative_images(
        REJECTION_NEGATIVES, mnist.x_test, seed + HELD_OUT_SEED_OFFSET, font_files(held_out=True)
    )
    return RejectionSet(digits, source, negatives)


def rejection_record(path: Path, rejection_set: RejectionSet) -> dict:
    """The threshold for the TFLite model at `path` and what it rejects, as stored in the manifest."""
    digit_scores = predict_tflite(path, rejection_set.digits).max(axis=1)
    threshold = acceptance_threshold(digit_scores, MAX_DIGITS_REJECTED)
    negative_scores = predict_tflite(path, rejection_set.negatives).max(axis=1)
    return {
        "method": METHOD,
        "threshold": round(threshold, 6),
        "max_digits_rejected_pct": 100 * MAX_DIGITS_REJECTED,
        "digits": {
            "source": rejection_set.source,
            "samples": int(len(digit_scores)),
            "rejected_pct": round(100 * float((digit_scores < threshold).mean()), 3),
        },
        "negatives": {
            "source": "generated non-digits, held-out seed and fonts",
            "samples": int(len(negative_scores)),
            "rejected_pct": round(100 * float((negative_scores < threshold).mean()), 2),
        },
    }
