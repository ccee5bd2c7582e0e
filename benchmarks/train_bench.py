"""Train the default model on full MNIST and compare its throughput with the notebook's setup.

  python benchmarks/train_bench.py --data ../shared/data/mnist.npz --out runs/bench

1. `edge train` with its defaults on full MNIST: test accuracy, wall time, samples/s.
2. Training throughput of the notebook's setup (its subclassed ResNet, float64 arrays scaled in
   numpy, `fit` with batch 32) against `edge train`'s (augmentation included) on the same images,
   timed in alternating rounds in this one process, so the ratio holds on a noisy, shared host.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
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

from train.config import TrainConfig  # noqa: E402
from train.data import load_mnist  # noqa: E402
from train.model import build_resnet  # noqa: E402
from train.training import augmentation, compile_model, make_dataset, train  # noqa: E402


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


def notebook_step(x_train: np.ndarray, y_train: np.ndarray):
    """One epoch of the notebook's cells: scaled in numpy (float64), its subclassed model, batch 32."""
    x = np.expand_dims(x_train / 255.0, axis=-1)
    model = ResNet(10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return lambda: model.fit(x, y_train, batch_size=32, epochs=1, verbose=0)


def edge_train_step(x_train: np.ndarray, y_train: np.ndarray, policy: str = "float32"):
    """One epoch of `edge train`'s defaults: uint8 dataset, augmentation, batch 128, AdamW + EMA."""
    config = TrainConfig()
    keras.mixed_precision.set_dtype_policy(policy)
    model = build_resnet(config.blocks, config.filters, config.bn_momentum)
    keras.mixed_precision.set_dtype_policy("float32")
    compile_model(model, config.learning_rate, 1000, config.weight_decay, config.label_smoothing, config.ema)
    ds = make_dataset(x_train, y_train, config.batch_size, config.seed, augmentation())
    return lambda: model.fit(ds, epochs=1, shuffle=False, verbose=0)


def interleaved_throughput(setups: dict, samples: int, rounds: int) -> dict[str, float]:
    """Median samples/s of each setup's epoch, timed in alternating rounds after one warm-up epoch."""
    for step in setups.values():
        step()
    seconds = {name: [] for name in setups}
    for _ in range(rounds):
        for name, step in setups.items():
            start = time.perf_counter()
            step()
            seconds[name].append(time.perf_counter() - start)
    return {name: samples / float(np.median(times)) for name, times in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="mnist.npz (default: $EDGE_MNIST or Keras download)")
    parser.add_argument("--out", type=Path, default=Path("runs/bench"), help="run folder for edge train")
    parser.add_argument("--samples", type=int, default=9600, help="training images per timed epoch")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of every setup")
    parser.add_argument("--skip-edge-train", action="store_true", help="only the throughput comparison")
    args = parser.parse_args()

    data = load_mnist(args.data)
    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPUs")
    if not args.skip_edge_train:
        m = train(TrainConfig(out_dir=args.out, data=args.data, overwrite=True, verbose=2), data).metrics
        print(
            "\n| edge train (defaults) | epochs | wall time (s) | samples/s (incl. validation) "
            "| test accuracy |"
        )
        print("|---|---|---|---|---|")
        print(
            f"| full MNIST (48k train, 12k validation) | {m['epochs_run']} | "
            f"{m['training_seconds']:.0f} "
            f"| {m['train_samples_per_s']:.0f} | {m['test_accuracy'] * 100:.2f}% |"
        )

    x, y = data.x_train[: args.samples], data.y_train[: args.samples]
    rates = interleaved_throughput(
        {
            "notebook setup (float64 numpy, batch 32, Adam)": notebook_step(x, y),
            "edge train defaults (uint8 tf.data, augmentation, batch 128, AdamW+EMA)": edge_train_step(x, y),
            "same, mixed_bfloat16 (not the default)": edge_train_step(x, y, "mixed_bfloat16"),
        },
        args.samples,
        args.rounds,
    )
    baseline = next(iter(rates.values()))
    print(
        f"\n| training setup ({args.samples} images an epoch, median of {args.rounds} interleaved rounds) "
        "| samples/s | vs notebook |"
    )
    print("|---|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.0f} | {rate / baseline:.2f}x |")


if __name__ == "__main__":
    main()
