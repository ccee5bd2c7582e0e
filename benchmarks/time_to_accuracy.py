"""Time to accuracy: wall time until MNIST test accuracy first reaches 99.5% and 99.6%, and of the
whole run, for the notebook's setup, `edge train`'s reference default and its default (or proposals),
in one interleaved run.

  python benchmarks/time_to_accuracy.py --data ../shared/data/mnist.npz          # the full run
  python benchmarks/time_to_accuracy.py --data ../shared/data/mnist.npz --quick  # a ~1-minute smoke test

The setups train round-robin, one epoch each in turn, in this one process and on the same data, so a
noisy, shared machine slows them alike. After each epoch every setup is evaluated on the MNIST test
images; only training counts towards the wall time (not the evaluation). Each `edge train` setup
trains on what `edge train` trains on (its training split, the generated digits and non-digits,
augmentation, its optimizer, schedule and weight EMA, evaluated with the EMA weights as its checkpoint
would be) and stops as `edge train` does: after its epochs, or early, once its validation accuracy has
not improved for `patience` epochs; what it delivers is its best validation epoch, as `edge train`'s
checkpoint. The notebook's setup trains on all 60,000 training digits as the notebook does.

The reference default is `edge train`'s as the time-to-accuracy target was set (a 20-epoch cosine
schedule, stopping early), fixed here so that a run after a change of defaults still measures against
it; the others are `TrainConfig`'s defaults with `--proposed-epochs`, `--proposed-precision` and
`--proposed-schedule` (one setup per number of epochs).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.train_bench import ResidualBlock  # noqa: E402
from train.config import Schedule, TrainConfig  # noqa: E402
from train.data import MnistData, load_mnist  # noqa: E402
from train.evaluate import predict_probs  # noqa: E402
from train.model import build_resnet  # noqa: E402
from train.precision import PRECISIONS, cpu_supports_bf16, dtype_policy, policy  # noqa: E402
from train.training import (  # noqa: E402
    augmentation,
    compile_model,
    make_dataset,
    split_train_validation,
    training_set,
)

SCHEDULES = tuple(schedule.value for schedule in Schedule)
TARGETS = (0.995, 0.996)
REFERENCE_EPOCHS = 20  # the reference: `edge train`'s defaults as the target was set, 20 epochs at most
REFERENCE_SCHEDULE = Schedule.cosine.value  # (stopping early) on a cosine schedule
REFERENCE = "edge train's reference default"


@dataclass
class Setup:
    """One contender: `epoch()` trains one more epoch, `model` is what gets evaluated."""

    name: str
    epochs: int
    epoch: object
    model: keras.Model
    seconds: float = 0.0
    accuracy: list[float] = field(default_factory=list)
    reached: dict[float, tuple[int, float]] = field(default_factory=dict)  # target -> (epoch, seconds)
    validate: Callable[[], float] | None = None  # validation accuracy, for `edge train`'s checkpoint...
    patience: int | None = None  # ...and its early stopping
    validation: list[float] = field(default_factory=list)

    @property
    def kept(self) -> int:
        """The epoch (0-based) whose weights the run delivers: the best validation epoch, as `edge
        train`'s checkpoint keeps, or the last one without validation (the notebook)."""
        return int(np.argmax(self.validation)) if self.validation else len(self.accuracy) - 1

    @property
    def stopped_early(self) -> bool:
        """`edge train`'s EarlyStopping: no better validation accuracy for `patience` epochs."""
        return self.patience is not None and len(self.validation) - 1 - self.kept >= self.patience


class NotebookResNet(keras.Model):
    """The notebook's subclassed ResNet (benchmarks/train_bench.py's, with `filters` and `blocks` free
    for the quick mode): stem conv 7x7, BN, ReLU, max-pool 3, residual blocks, GAP, softmax."""

    def __init__(self, filters: int, blocks: int) -> None:
        super().__init__()
        self.conv = keras.layers.Conv2D(filters, 7, padding="same")
        self.bn = keras.layers.BatchNormalization()
        self.act = keras.layers.Activation("relu")
        self.max_pool = keras.layers.MaxPool2D((3, 3))
        self.blocks = [ResidualBlock(filters, 3) for _ in range(blocks)]
        self.global_pool = keras.layers.GlobalAveragePooling2D()
        self.classifier = keras.layers.Dense(10, activation="softmax")

    def call(self, inputs):
        x = self.max_pool(self.act(self.bn(self.conv(inputs))))
        for block in self.blocks:
            x = block(x)
        return self.classifier(self.global_pool(x))


def notebook_setup(data: MnistData, epochs: int, filters: int, blocks: int) -> Setup:
    """The notebook's cells: pixels scaled in numpy (float64), its subclassed ResNet, Adam, batch 32,
    on every training digit."""
    x = np.expand_dims(data.x_train / 255.0, axis=-1)
    model = NotebookResNet(filters, blocks)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    evaluated = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Rescaling(1 / 255), model])

    def epoch() -> None:
        model.fit(x, data.y_train, batch_size=32, epochs=1, verbose=0)

    return Setup("notebook (float64 numpy, Adam, batch 32)", epochs, epoch, evaluated)


def edge_setup(name: str, data: MnistData, config: TrainConfig, max_samples: int | None) -> Setup:
    """`edge train`'s recipe under `config`, one epoch a call (callbacks carried across the calls),
    with its best-validation checkpoint and early stopping."""
    (x_tr, y_tr), (x_val, y_val) = split_train_validation(
        data.x_train, data.y_train, config.validation_split, config.seed
    )
    x_tr, y_tr = x_tr[:max_samples], y_tr[:max_samples]
    x_fit, y_fit, _ = training_set(x_tr, y_tr, config)
    steps = int(np.ceil(len(x_fit) / config.batch_size))
    with policy(dtype_policy(config.precision)):
        model = build_resnet(config.blocks, config.filters, config.bn_momentum)
    compile_model(
        model,
        config.learning_rate,
        steps * config.epochs,
        config.weight_decay,
        config.label_smoothing,
        config.ema,
        config.schedule,
    )
    ds = make_dataset(
        x_fit, y_fit, config.batch_size, config.seed, augmentation() if config.augment else None
    )
    callbacks = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if config.ema else []
    done = [0]

    def epoch() -> None:
        fit = {"callbacks": callbacks, "shuffle": False, "verbose": 0}  # the dataset shuffles itself
        model.fit(ds, initial_epoch=done[0], epochs=done[0] + 1, **fit)
        done[0] += 1

    def validate() -> float:
        return float((predict_probs(model, x_val).argmax(1) == y_val).mean())

    return Setup(name, config.epochs, epoch, model, validate=validate, patience=config.patience)


def run(setups: list[Setup], data: MnistData, until_target: set[str] = frozenset()) -> None:
    """Round-robin: one epoch of every setup that still has epochs left, then its test accuracy. The
    setups named in `until_target` stop once they have reached every target."""
    for round_index in range(max(s.epochs for s in setups)):
        for setup in setups:
            if (
                round_index >= setup.epochs
                or setup.stopped_early
                or (setup.name in until_target and len(setup.reached) == len(TARGETS))
            ):
                continue
            start = time.perf_counter()
            setup.epoch()
            setup.seconds += time.perf_counter() - start
            accuracy = float((predict_probs(setup.model, data.x_test).argmax(1) == data.y_test).mean())
            setup.accuracy.append(accuracy)
            if setup.validate is not None:
                setup.validation.append(setup.validate())
            for target in TARGETS:
                if accuracy >= target and target not in setup.reached:
                    setup.reached[target] = (round_index + 1, setup.seconds)
            print(
                f"{setup.name}: epoch {round_index + 1}/{setup.epochs} test {accuracy:.2%} "
                f"({setup.seconds:.0f} s of training)"
                + (f", validation {setup.validation[-1]:.2%}" if setup.validation else ""),
                flush=True,
            )


def table(setups: list[Setup]) -> str:
    """The results as a Markdown table, each time against the reference default's."""
    reference = next(s for s in setups if s.name.startswith(REFERENCE))
    header = "| setup | " + " | ".join(f"time to {t:.1%} (epoch)" for t in TARGETS)
    lines = [header + " | epochs run | whole run | delivered accuracy (epoch kept) | best accuracy |"]
    lines.append("|---" * (len(TARGETS) + 5) + "|")
    for s in setups:
        cells = []
        for target in TARGETS:
            if target in s.reached:
                epoch, seconds = s.reached[target]
                ref = reference.reached.get(target)
                ratio = f", {seconds / ref[1]:.2f}x" if ref and s is not reference else ""
                cells.append(f"{seconds:.0f} s ({epoch}{ratio})")
            else:
                cells.append("not reached")
        whole = f"{s.seconds:.0f} s" + ("" if s is reference else f", {s.seconds / reference.seconds:.2f}x")
        lines.append(
            f"| {s.name} | {' | '.join(cells)} | {len(s.accuracy)} | {whole} | "
            f"{s.accuracy[s.kept]:.2%} ({s.kept + 1}) | {max(s.accuracy):.2%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="mnist.npz (default: $EDGE_MNIST or the Keras download)")
    parser.add_argument("--quick", action="store_true", help="a ~1-minute smoke test: small data and model")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"the reference default's epochs (default {REFERENCE_EPOCHS})",
    )
    parser.add_argument(
        "--notebook-epochs",
        type=int,
        default=None,
        help=f"the notebook's epochs (default {REFERENCE_EPOCHS})",
    )
    parser.add_argument(
        "--proposed-epochs",
        type=int,
        nargs="+",
        default=None,
        help=f"one setup per value (default: edge train's, {TrainConfig.epochs})",
    )
    parser.add_argument("--train-samples", type=int, default=None, help="at most this many training digits")
    parser.add_argument("--test-samples", type=int, default=None, help="evaluate on the first N test images")
    parser.add_argument("--filters", type=int, default=None, help="filters of every network (default 64)")
    parser.add_argument("--blocks", type=int, default=None, help="residual blocks (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of every setup (default 0)")
    parser.add_argument("--skip-notebook", action="store_true", help="only the edge train setups")
    parser.add_argument(
        "--proposed-precision", choices=PRECISIONS, default=TrainConfig.precision, help="edge train's default"
    )
    parser.add_argument(
        "--proposed-schedule", choices=SCHEDULES, default=TrainConfig.schedule, help="edge train's default"
    )
    parser.add_argument(
        "--reference-until-target",
        action="store_true",
        help="stop the reference default once it has reached every target (its time to them is all we need)",
    )
    args = parser.parse_args(argv)

    quick = {"epochs": 2, "train": 3000, "test": 1000, "filters": 16, "blocks": 1} if args.quick else {}
    epochs = args.epochs or quick.get("epochs") or REFERENCE_EPOCHS
    train_samples = args.train_samples or quick.get("train")
    test_samples = args.test_samples or quick.get("test")
    filters = args.filters or quick.get("filters") or TrainConfig.filters
    blocks = args.blocks if args.blocks is not None else quick.get("blocks", TrainConfig.blocks)

    full = load_mnist(args.data)
    data = MnistData(
        full.x_train[:train_samples], full.y_train[:train_samples],
        full.x_test[:test_samples], full.y_test[:test_samples], full.source,
    )  # fmt: skip
    keras.utils.set_random_seed(args.seed)
    reference = replace(
        TrainConfig(),
        epochs=epochs,
        schedule=REFERENCE_SCHEDULE,
        filters=filters,
        blocks=blocks,
        seed=args.seed,
        verbose=0,
    )
    if args.quick:  # a few dozen steps are too few for the default 0.99 moving statistics to settle
        reference = replace(reference, bn_momentum=0.9)
    precision = args.proposed_precision
    if precision == "bf16" and not cpu_supports_bf16():
        precision = "float32: this CPU has no AVX512-BF16/AMX"
    setups = (
        [] if args.skip_notebook else [notebook_setup(data, args.notebook_epochs or epochs, filters, blocks)]
    )
    reference_name = f"{REFERENCE} ({epochs}-epoch {REFERENCE_SCHEDULE}, early stopping)"
    setups.append(edge_setup(reference_name, data, reference, train_samples))
    default_epochs = max(1, epochs // 2) if args.quick else TrainConfig.epochs
    for proposed_epochs in args.proposed_epochs or [default_epochs]:
        proposed = replace(
            reference,
            precision=args.proposed_precision,
            schedule=args.proposed_schedule,
            epochs=proposed_epochs,
        )
        name = f"{precision}, {proposed.schedule}, {proposed.epochs} epochs"
        setups.append(edge_setup(name, data, proposed, train_samples))
    print(f"{len(data.x_train)} training digits, {len(data.x_test)} test images, {os.cpu_count()} CPUs")
    run(setups, data, {reference_name} if args.reference_until_target else set())
    result = table(setups)
    print("\n" + result)
    return result


if __name__ == "__main__":
    main()
