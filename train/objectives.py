"""What the network is trained towards: digits get their one-hot class, non-digits a uniform target.

A uniform target on generated negatives ("outlier exposure", Hendrycks et al. 2019) keeps the
network's ten outputs and teaches it to spread its probability over all of them when it sees
something that is not one digit, so the top probability itself becomes the acceptance score.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ground.contract import NUM_CLASSES

UNIFORM = np.full(NUM_CLASSES, 1.0 / NUM_CLASSES, np.float32)


def targets(labels: np.ndarray, negatives: int = 0) -> np.ndarray:
    """One-hot rows for `labels`, followed by `negatives` uniform rows (float32, N x 10)."""
    one_hot = np.eye(NUM_CLASSES, dtype=np.float32)[np.asarray(labels, int)]
    return np.concatenate([one_hot, np.tile(UNIFORM, (negatives, 1))])


@keras.saving.register_keras_serializable(package="edge_digits")
class DigitAccuracy(keras.metrics.Mean):
    """Top-1 accuracy over the digits of a batch only (rows whose target is one class)."""

    def __init__(self, name: str = "accuracy", **kwargs) -> None:
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        is_digit = ops.cast(ops.max(y_true, axis=-1) > 0.5, "float32")
        correct = ops.cast(ops.argmax(y_true, axis=-1) == ops.argmax(y_pred, axis=-1), "float32")
        weight = is_digit if sample_weight is None else is_digit * ops.cast(sample_weight, "float32")
        return super().update_state(correct, sample_weight=weight)
