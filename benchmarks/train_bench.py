"""Train the default model on full MNIST and compare its throughput with the notebook's setup.

Both run in this one process on this machine, so their ratio is meaningful even on a noisy host:
  python benchmarks/train_bench.py --data ../shared/data/mnist.npz --out runs/bench
The notebook's setup: its subclassed ResNet, float64 arrays scaled in numpy, `fit` with batch 32
and validation_split=0.2, for `--notebook-epochs` epochs (48,000 training samples per epoch).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.keras import Model  # noqa: E402
from tensorflow.keras.layers import (  # noqa: E402
    Activation,
    Add,
    BatchNormalization,
    Conv2D,
    Dense,
    GlobalAveragePooling2D,
    MaxPool2D,
)

from train.data import load_mnist  # noqa: E402
from train.training import TrainConfig, train  # noqa: E402


class ResidualBlock(Model):
    """The notebook's block, verbatim in substance."""

    def __init__(self, filters, kernel_size):
        super().__init__(name="")
        self.conv1 = Conv2D(filters, kernel_size, padding="same")
        self.bn1 = BatchNormalization()
        self.conv2 = Conv2D(filters, kernel_size, padding="same")
        self.bn2 = BatchNormalization()
        self.act = Activation("relu")
        self.add = Add()

    def call(self, input_tensor):
        x = self.act(self.bn1(self.conv1(input_tensor)))
        x = self.bn2(self.conv2(x))
        return self.act(self.add([x, input_tensor]))


class ResNet(Model):
    """The notebook's ResNet(num_classes)."""

    def __init__(self, num_classes):
        super().__init__()
        self.conv = Conv2D(64, 7, padding="same")
        self.bn = BatchNormalization()
        self.act = Activation("relu")
        self.max_pool = MaxPool2D((3, 3))
        self.id1a = ResidualBlock(64, 3)
        self.id1b = ResidualBlock(64, 3)
        self.global_pool = GlobalAveragePooling2D()
        self.classifier = Dense(num_classes, activation="softmax")

    def call(self, inputs):
        x = self.max_pool(self.act(self.bn(self.conv(inputs))))
        x = self.id1b(self.id1a(x))
        return self.classifier(self.global_pool(x))


def notebook_throughput(x_train: np.ndarray, y_train: np.ndarray, epochs: int) -> dict:
    """The notebook's cells: scale in numpy (float64), expand dims, fit(validation_split=0.2)."""
    x = np.expand_dims(x_train / 255.0, axis=-1)
    model = ResNet(10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x, y_train, validation_split=0.2, epochs=epochs, verbose=2)
    seconds = time.perf_counter() - start
    samples = int(len(x) * 0.8) * epochs
    return {"seconds": seconds, "samples": samples, "samples_per_s": samples / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="mnist.npz (default: $EDGE_MNIST or Keras download)")
    parser.add_argument("--out", type=Path, default=Path("runs/bench"), help="run folder for edge train")
    parser.add_argument("--notebook-epochs", type=int, default=1)
    parser.add_argument("--skip-edge-train", action="store_true", help="only time the notebook setup")
    args = parser.parse_args()

    data = load_mnist(args.data)
    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPUs")
    rows = []
    if not args.skip_edge_train:
        result = train(TrainConfig(out_dir=args.out, data=args.data, overwrite=True, verbose=2), data)
        m = result.metrics
        rows.append(
            (
                "edge train (defaults)",
                m["epochs_run"],
                m["training_seconds"],
                m["train_samples_per_s"],
                m["test_accuracy"],
            )
        )
    nb = notebook_throughput(data.x_train, data.y_train, args.notebook_epochs)
    rows.append(("notebook setup", args.notebook_epochs, nb["seconds"], nb["samples_per_s"], None))

    print("\n| setup | epochs | wall time (s) | train samples/s | test accuracy |")
    print("|---|---|---|---|---|")
    for name, epochs, seconds, rate, acc in rows:
        acc_text = f"{acc * 100:.2f}%" if acc is not None else "-"
        print(f"| {name} | {epochs} | {seconds:.0f} | {rate:.0f} | {acc_text} |")
    if len(rows) == 2:
        print(f"\nthroughput ratio edge train / notebook: {rows[0][3] / rows[1][3]:.2f}x")


if __name__ == "__main__":
    main()
