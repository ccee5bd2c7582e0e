"""Moving averages that hold in a short run too: the weight EMA's warm-up and batch norm's statistics.

A run of a few dozen steps (`edge train --epochs 1 --max-train-samples 3000`: 40) is far too short
for Keras' fixed averages: an EMA of momentum 0.99 still holds 0.99^40 = 67% of the first step's
weights, and batch norm's moving statistics at 0.99 still hold 67% of their initial mean 0 and
variance 1, so the model evaluated at chance. In a run too short for a momentum of 0.99 to forget
its start (< 459 steps), the EMA warms up (TensorFlow's `num_updates` rule) and a new network's
batch-norm statistics are recomputed with the weights that are validated and kept. Longer runs are
unchanged (plain AdamW, Keras' own statistics): there the warm-up measured 99.18% against 99.28%
after one epoch of the defaults (638 steps).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

EMA_MOMENTUM = 0.99  # Keras' default for the weight EMA
EMA_WARMUP = 10  # the warm-up momentum (1 + step) / (EMA_WARMUP + step)
FORGOTTEN = 0.01  # a run at whose end an average's start keeps more weight than this is short
BN_PASS_BATCHES = 100  # training batches the statistics are recomputed over (12,800 images at 128)


def ema_momentum(step, momentum: float):
    """The weight EMA's momentum at optimizer `step` (a tensor): 0 at the first step (the average
    starts at the weights), then min(momentum, (1 + step) / (10 + step))."""
    step = ops.cast(step, "float32")
    warm = ops.minimum(momentum, (1.0 + step) / (EMA_WARMUP + step))
    return ops.where(ops.equal(step, 0.0), 0.0, warm)


@keras.saving.register_keras_serializable(package="edge_digits")
class WarmupAdamW(keras.optimizers.AdamW):
    """AdamW whose weight EMA (`use_ema`) warms up: its momentum grows as (1 + step) / (10 + step)
    to `ema_momentum`, so that the average over a short run is not mostly its first weights."""

    def _update_model_variables_moving_average(self, trainable_variables):
        # Keras' own update (keras/src/optimizers/base_optimizer.py) with the warm-up momentum
        if not self.use_ema:
            return
        momentum = ema_momentum(self.iterations, self.ema_momentum)
        for var, average in zip(trainable_variables, self._model_variables_moving_average, strict=True):
            if average is not None:
                m = ops.cast(momentum, var.dtype)
                average.assign(ops.add(ops.multiply(m, average), ops.multiply(ops.subtract(1, m), var)))


def forgets_start(steps: int, momentum: float) -> bool:
    """True when `steps` updates of a moving average at `momentum` leave its start at most 1% of the
    weight (0.99: 459 steps or more); a shorter run is short."""
    return momentum**steps <= FORGOTTEN


def recompute_batch_norm(
    model: keras.Model, dataset: tf.data.Dataset, batches: int = BN_PASS_BATCHES
) -> None:
    """Set every batch-norm layer's moving mean and variance to the mean of its batch statistics over
    the first `batches` batches of `dataset`, with the model's current weights ("precise BN")."""
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    try:
        for i, (images, _) in enumerate(dataset.take(batches)):
            for layer in norms:  # the moving average of momentum i / (i + 1) is the running mean
                layer.momentum = i / (i + 1)
            model(images, training=True)
    finally:
        for layer, momentum in zip(norms, momenta, strict=True):
            layer.momentum = momentum


class BatchNormStatistics(keras.callbacks.Callback):
    """Recomputes batch norm's statistics (`recompute_batch_norm`) before each validation, or at the
    end of an epoch without one, so the figures and the checkpoint have statistics of the weights
    they measure. Listed after SwapEMAWeights and before the callbacks that measure or save."""

    def __init__(self, dataset: tf.data.Dataset, batches: int = BN_PASS_BATCHES) -> None:
        super().__init__()
        self.dataset, self.batches, self._done = dataset, batches, False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._done = False

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._recompute()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not self._done:
            self._recompute()

    def _recompute(self) -> None:
        recompute_batch_norm(self.model, self.dataset, self.batches)
        self._done = True
