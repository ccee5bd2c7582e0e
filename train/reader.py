"""The line reader: a small convolutional network that reads a whole group of touching digits (CTC).

The digit model reads one digit; where digits touch, the runtime has to cut them apart first, and a
group whose every cut leaves a piece it cannot read is lost. The reader takes the whole group
(`ground.contract.LINE_SHAPE`), shrinks it to one feature column per 4 pixels, lets each column see
its neighbours, and answers per column a blank or a digit; trained with the CTC loss on
`train.lines`, it needs no cut at all. Its output is logits; the runtime decodes them.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
from keras import layers

from edge_runtime.line_reader import decode
from ground.atomic import atomic_write_text, ensure_folder, replace, staged_path
from ground.contract import LINE_HEIGHT, LINE_MAX_DIGITS, LINE_WIDTH, NUM_CLASSES
from train.config import READER_MODEL, ReaderConfig, TrainConfig
from train.data import MnistData, load_mnist
from train.lines import training_lines
from train.plots import plot_reader_curves
from train.training import learning_rate_schedule, progress_callbacks, split_train_validation

FILTERS = (16, 32, 64)
CONTEXT_KERNEL = 5  # column steps (of 4 pixels) the context layer sees at once
CONTEXT_FILTERS = 128
WIDER_KERNEL = 3  # a second context layer, dilated: each column step then sees 9 (36 pixels, over
WIDER_DILATION = 2  # a digit's width) for the weights of a kernel of 3 (a kernel of 5 is over 256 KiB)
READER_METRICS = "line_reader_metrics.json"
READER_CURVES = "line_reader_curves.png"


def _conv(x, filters: int, name: str):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def build_reader() -> keras.Model:
    """Raw pixels (32, 160, 1) → logits (40, 11): per 4-pixel column step, blank then "0".."9"."""
    inputs = keras.Input(shape=(LINE_HEIGHT, LINE_WIDTH, 1), name="line")
    x = layers.Rescaling(1.0 / 255, name="scale")(inputs)
    x = _conv(x, FILTERS[0], "c1")
    x = layers.MaxPooling2D(2, name="p1")(x)  # 16 x 80
    x = _conv(x, FILTERS[1], "c2")
    x = layers.MaxPooling2D(2, name="p2")(x)  # 8 x 40
    x = _conv(x, FILTERS[2], "c3")
    x = _conv(x, FILTERS[2], "c4")
    x = layers.MaxPooling2D((2, 1), name="p3")(x)  # 4 x 40
    x = layers.Permute((2, 1, 3), name="columns")(x)  # 40 x 4 x 96
    x = layers.Reshape((LINE_WIDTH // 4, -1), name="flatten_rows")(x)
    x = layers.Dense(CONTEXT_FILTERS, activation="relu", name="column")(x)
    x = layers.Conv1D(CONTEXT_FILTERS, CONTEXT_KERNEL, padding="same", activation="relu", name="context")(x)
    x = layers.Conv1D(
        CONTEXT_FILTERS,
        WIDER_KERNEL,
        padding="same",
        dilation_rate=WIDER_DILATION,
        activation="relu",
        name="wider",
    )(x)
    outputs = layers.Dense(NUM_CLASSES + 1, name="logits")(x)
    return keras.Model(inputs, outputs, name="line_reader")


def encode_texts(texts: list[str]) -> np.ndarray:
    """CTC targets: digit d as d + 1, padded with the blank 0 to `LINE_MAX_DIGITS`."""
    targets = np.zeros((len(texts), LINE_MAX_DIGITS), np.int32)
    for i, text in enumerate(texts):
        targets[i, : len(text)] = [int(c) + 1 for c in text]
    return targets


def read_texts(model: keras.Model, lines: np.ndarray) -> list[str]:
    """What the (float) reader reads in each line input, greedy-decoded as the runtime decodes it."""
    logits = model.predict(lines[..., None], batch_size=256, verbose=0)
    return [decode(step_logits).text for step_logits in logits]


def exact_share(model: keras.Model, lines: np.ndarray, texts: list[str]) -> float:
    """The share of lines the reader reads exactly."""
    return float(np.mean([got == want for got, want in zip(read_texts(model, lines), texts, strict=True)]))


class ExactReadings(keras.callbacks.Callback):
    """Logs the share of validation lines read exactly after each epoch (`val_exact`)."""

    def __init__(self, lines: np.ndarray, texts: list[str]) -> None:
        super().__init__()
        self.lines, self.texts = lines, texts

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["val_exact"] = exact_share(self.model, self.lines, self.texts)


def train_reader(config: ReaderConfig, data: MnistData | None = None) -> dict:
    """Train the line reader on lines drawn from MNIST's training digits (less the digit model's
    validation split, which the validation lines come from), `config.lines` new ones each epoch; save
    `line_reader.keras`, its metrics and curves in `config.model_dir`. Returns the metrics."""
    mnist = data if data is not None else load_mnist(config.data)
    (x_train, y_train), (x_val, y_val) = split_train_validation(
        mnist.x_train, mnist.y_train, TrainConfig.validation_split, TrainConfig.seed
    )
    keras.utils.set_random_seed(config.seed)
    val_lines, val_texts = training_lines(config.validation_lines, x_val, y_val, config.seed + 1)
    model = build_reader()
    steps = config.epochs * -(-config.lines // config.batch_size)
    model.compile(
        keras.optimizers.Adam(learning_rate_schedule(config.learning_rate, steps)), loss=keras.losses.CTC()
    )
    verbose, callbacks = progress_callbacks(config.epochs)
    history: dict[str, list[float]] = {}
    started = time.monotonic()
    for epoch in range(config.epochs):
        lines, texts = training_lines(config.lines, x_train, y_train, [config.seed, epoch])
        epoch_history = model.fit(
            lines[..., None],
            encode_texts(texts),
            batch_size=config.batch_size,
            initial_epoch=epoch,
            epochs=epoch + 1,
            callbacks=[ExactReadings(val_lines, val_texts), *callbacks],
            verbose=verbose,
        ).history
        for key, values in epoch_history.items():
            history.setdefault(key, []).extend(float(v) for v in values)
    seconds = time.monotonic() - started
    test_lines, test_texts = training_lines(
        config.validation_lines, mnist.x_test, mnist.y_test, config.seed + 2
    )
    metrics = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "history": history,
        "validation_exact": float(history["val_exact"][-1]),
        "test_exact": exact_share(model, test_lines, test_texts),
        "training_seconds": round(seconds, 1),
    }
    save_reader(model, metrics, Path(config.model_dir))
    return metrics


def save_reader(model: keras.Model, metrics: dict, folder: Path) -> None:
    """`line_reader.keras`, `line_reader_metrics.json` and `line_reader_curves.png` in `folder`, each
    written to a temporary name first."""
    ensure_folder(folder)
    with staged_path(folder / READER_MODEL) as staged:
        model.save(staged)
        replace(staged, folder / READER_MODEL)
    atomic_write_text(folder / READER_METRICS, json.dumps(metrics, indent=2) + "\n")
    with staged_path(folder / READER_CURVES) as staged:
        plot_reader_curves(metrics["history"], staged)
        replace(staged, folder / READER_CURVES)
