"""Train the residual network on MNIST and write a complete run folder (or nothing at all)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ground.atomic import staging_dir, sweep_partials, write_errors
from ground.errors import EdgeError
from train import plots
from train.config import DISTRIBUTE, TrainConfig
from train.data import MnistData, load_mnist
from train.evaluate import evaluate_model, library_versions, predict_probs
from train.extra_data import ExtraData, load_extra_data
from train.metrics import classification_report
from train.model import build_resnet
from train.negatives import cut_digits, font_digits, negative_images, photographed_digits
from train.objectives import DigitAccuracy, targets
from train.precision import dtype_policy, float32_copy, policy
from train.rejection import rejection_report
from train.saved_model import load_keras_model

AUGMENT_ROTATION = 0.03  # fraction of a full turn: about ±11 degrees
AUGMENT_SHIFT = 0.1  # fraction of the image: about ±3 pixels
AUGMENT_ZOOM = 0.1


@dataclass
class TrainResult:
    """Where the run went and its headline figures."""

    out_dir: Path
    metrics: dict = field(default_factory=dict)
    chief: bool = True  # False: a multi-worker run's worker, which wrote no run folder


def split_train_validation(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A seeded shuffle, then the last `fraction` becomes the validation set."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError("validation split must be in [0, 1)")
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(len(x) * fraction))
    train_idx, val_idx = order[: len(x) - n_val], order[len(x) - n_val :]
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx])


def augmentation() -> keras.Sequential:
    """Small rotations, shifts and zooms, filling with black as MNIST's background."""
    fill = {"fill_mode": "constant", "fill_value": 0.0}
    return keras.Sequential(
        [
            keras.layers.RandomRotation(AUGMENT_ROTATION, **fill),
            keras.layers.RandomTranslation(AUGMENT_SHIFT, AUGMENT_SHIFT, **fill),
            keras.layers.RandomZoom(AUGMENT_ZOOM, **fill),
        ],
        name="augment",
    )


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    shuffle_seed: int | None = None,
    augment: keras.Layer | None = None,
) -> tf.data.Dataset:
    """uint8 images → batched float32 (N, 28, 28, 1) raw pixels and targets, optionally
    shuffled/augmented. `y` holds labels (N,), made one-hot, or target rows (N, 10) as they are."""
    y = targets(y) if np.ndim(y) == 1 else np.asarray(y, np.float32)
    ds = tf.data.Dataset.from_tensor_slices((x[..., None], y))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(lambda a, b: (tf.cast(a, tf.float32), b))
    if augment is not None:
        ds = ds.map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


ONE_CYCLE_WARMUP = 0.3  # share of the steps spent warming up to the learning rate...
ONE_CYCLE_START = 1 / 25  # ...from this fraction of it
ONE_CYCLE_END = 1e-3  # the cosine then ends at this fraction of it


def learning_rate_schedule(
    learning_rate: float, steps: int, schedule: str = "cosine"
) -> keras.optimizers.schedules.LearningRateSchedule | float:
    """Cosine decay from `learning_rate` over `steps` (to 1% of it), `learning_rate` throughout
    (constant), or one cycle: a linear warm-up from 1/25 of it over the first 30% of the steps, then a
    cosine decay to 1/1000 of it (Keras' own CosineDecay with warm-up, so a saved model needs no custom
    class)."""
    if schedule == "constant":
        return learning_rate
    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.01)
    if schedule == "one-cycle":
        warmup = max(1, int(ONE_CYCLE_WARMUP * steps))
        return keras.optimizers.schedules.CosineDecay(
            learning_rate * ONE_CYCLE_START,
            max(1, steps - warmup),
            alpha=ONE_CYCLE_END,
            warmup_target=learning_rate,
            warmup_steps=warmup,
        )
    raise ValueError(f"unknown schedule {schedule!r} (expected 'constant', 'cosine' or 'one-cycle')")


def compile_model(
    model: keras.Model,
    learning_rate: float,
    decay_steps: int,
    weight_decay: float = 0.0,
    label_smoothing: float = 0.0,
    ema: bool = False,
    schedule: str = "cosine",
) -> None:
    """AdamW (plain Adam without `weight_decay`) at a constant, cosine or one-cycle learning rate,
    cross-entropy with optional label smoothing, accuracy; `ema` keeps an exponential moving average
    of the weights."""
    schedule = learning_rate_schedule(learning_rate, decay_steps, schedule)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=weight_decay, use_ema=ema)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=[DigitAccuracy()],
    )


def training_set(x: np.ndarray, y: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, np.ndarray, dict]:
    """The digits plus printed digits, digits cut out of touching ones and digits as the runtime cuts
    them out of photos (one-hot), then generated non-digits and wrong pieces of touching digits
    (uniform target), and a record of what was added. The generated images depend on `config.seed`
    only."""
    n_printed, n_negative = round(config.printed_digits * len(x)), round(config.negatives * len(x))
    n_cut, n_photo = round(config.cut_digits * len(x)), round(config.photographed_digits * len(x))
    printed, printed_labels = font_digits(n_printed, seed=config.seed)
    cut, cut_labels, wrong_cuts = (
        cut_digits(n_cut, x, y, seed=config.seed) if n_cut else (x[:0], y[:0], x[:0])
    )
    photo, photo_labels = photographed_digits(n_photo, x, y, seed=config.seed)
    negatives = negative_images(n_negative, x, seed=config.seed)
    images = np.concatenate([x, printed, cut, photo, negatives, wrong_cuts])
    record = {
        "mnist_digits": int(len(x)),
        "printed_digits": n_printed,
        "cut_digits": n_cut,
        "photographed_digits": n_photo,
        "negatives": n_negative,
        "wrong_cuts": n_cut,
    }
    labels = np.concatenate([y, printed_labels, cut_labels, photo_labels])
    return images, targets(labels, n_negative + n_cut), record


class EpochLine(keras.callbacks.Callback):
    """One line per epoch, for a log file (where Keras' progress bar would redraw hundreds of times):
    `epoch 3/20: accuracy 0.9912  loss 0.1234  val_accuracy 0.9901  val_loss 0.1301  (41 s)`."""

    def __init__(self, epochs: int, write: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.epochs, self._write, self._start = epochs, write or _print_flushed, 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        figures = "  ".join(
            f"{k} {float(v):.4f}" for k, v in sorted((logs or {}).items()) if k != "learning_rate"
        )
        seconds = time.perf_counter() - self._start
        self._write(f"epoch {epoch + 1}/{self.epochs}: {figures}  ({seconds:.0f} s)")


class HeldBackAccuracy(keras.callbacks.Callback):
    """Adds `extra_accuracy`, the accuracy on the user's held-back samples, to each epoch's logs (so to
    the history, the curves and the epoch line). Listed after SwapEMAWeights, it measures the weights
    the checkpoint keeps."""

    def __init__(self, held_back: ExtraData) -> None:
        super().__init__()
        self.images, self.labels = held_back.digits

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None and len(self.labels):
            logs["extra_accuracy"] = held_back_report(self.model, self.images, self.labels)["accuracy"]


def held_back_report(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, per-class accuracy and confusion matrix of `model` on the user's held-back digits."""
    return classification_report(labels, predict_probs(model, images))


def _print_flushed(line: str) -> None:
    print(line, flush=True)


def progress_callbacks(
    epochs: int, verbose: int | str = "auto"
) -> tuple[int | str, list[keras.callbacks.Callback]]:
    """`model.fit`'s verbose and extra callbacks: with `verbose="auto"`, Keras' progress bar on a
    terminal, else (a log file, a pipe) one line per epoch."""
    if verbose == "auto" and not sys.stdout.isatty():
        return 0, [EpochLine(epochs)]
    return verbose, []


def _strategy(name: str | None) -> tf.distribute.Strategy:
    """The distribution strategy `--distribute` names: none (the default strategy), 'mirrored' (every
    local device) or 'multiworker' (MultiWorkerMirroredStrategy over the machines TF_CONFIG lists)."""
    if name is None:
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        if not os.environ.get("TF_CONFIG"):
            raise EdgeError(
                "--distribute multiworker needs TF_CONFIG (the cluster and this task: see README)"
            )
        try:
            json.loads(os.environ["TF_CONFIG"])
        except ValueError as exc:
            raise EdgeError(f"TF_CONFIG is not JSON ({exc})") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"unknown distribution strategy {name!r} (expected one of {', '.join(DISTRIBUTE)})")


def _multiworker_fixes(model: keras.Model, strategy: tf.distribute.Strategy) -> None:
    """Work around two Keras 3 bugs under MultiWorkerMirroredStrategy with two or more workers
    (keras-team/keras#20585); other strategies are left as they are.

    1. Before `fit`, Keras builds the model from the first batch reduced across workers with
       `strategy.reduce`, which fails for a batch (a tuple): only its shapes matter, so this worker's
       own part of the batch is used instead.
    2. Each step's logs (scalars) are reduced with `axis=0`, which fails for a scalar: they are
       averaged across workers with `axis=None` (batched values keep `axis=0`).
    """
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return
    from keras.src.backend.tensorflow import trainer as tf_trainer

    def local(value):
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    def build(iterator=None, data_batch=None):
        if iterator is not None:
            for _, _, batches in iterator:
                data_batch = tf.nest.map_structure(local, next(batches))
                break
        with strategy.scope():
            model._symbolic_build(data_batch=data_batch)

    model._maybe_symbolic_build = build
    keras_reduce = getattr(tf_trainer.reduce_per_replica, "keras_original", tf_trainer.reduce_per_replica)

    def reduce_per_replica(values, on, reduction):
        if reduction not in ("auto", "mean") or not isinstance(on, tf.distribute.MultiWorkerMirroredStrategy):
            return keras_reduce(values, on, reduction)
        return tf.nest.map_structure(
            lambda v: on.reduce("MEAN", v, axis=0 if local(v).shape.rank else None), values
        )

    reduce_per_replica.keras_original = keras_reduce
    tf_trainer.reduce_per_replica = reduce_per_replica


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True for the task that writes the run folder: every single-machine run; under
    MultiWorkerMirroredStrategy the `chief` task, or worker 0 when the cluster has no chief."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return (
        task_type is None
        or task_type == "chief"
        or (task_type == "worker" and task_id == 0 and not has_chief)
    )


def train(config: TrainConfig, data: MnistData | None = None) -> TrainResult:
    """Load data, train (or fine-tune `config.init_from`) with checkpoints and early stopping,
    evaluate, and write the run folder.

    The user's samples (`config.extra_data`) are split per label; the training part is repeated
    `extra_weight` times an epoch among the generated training set, the held-back part is measured
    after every epoch and at the end, apart from MNIST test. A fine-tuned model keeps its last epoch
    (the cosine schedule ends it at a low learning rate), not the one best on MNIST validation alone.

    Under `--distribute multiworker` every task trains; only the chief writes `config.out_dir`, the
    other workers write into a temporary folder that is removed (as TensorFlow's guide recommends:
    every task saves, since saving may take part in collective operations).

    The folder appears at `config.out_dir` only when every artifact has been written. The staging
    folders of killed runs into the same folder are removed first; a full disk or a read-only folder
    ends in one EdgeError naming the file.
    """
    strategy = _strategy(config.distribute)  # first: collective ops are set up before any other TF op
    if not is_chief(strategy):  # a worker trains the same, but writes into a folder of its own
        with tempfile.TemporaryDirectory(prefix="edge-train-worker-") as scratch:
            worker = replace(config, out_dir=Path(scratch) / Path(config.out_dir).name, overwrite=False)
            result = _train(worker, strategy, data)
        return TrainResult(out_dir=Path(config.out_dir), metrics=result.metrics, chief=False)
    return _train(config, strategy, data)


def _train(config: TrainConfig, strategy: tf.distribute.Strategy, data: MnistData | None) -> TrainResult:
    sweep_partials(Path(config.out_dir).parent, Path(config.out_dir).name)
    data = data or load_mnist(config.data)
    extra_train, extra_held = _extra_split(config)
    initial = load_keras_model(config.init_from) if config.init_from else None
    keras.utils.set_random_seed(config.seed)
    (x_tr, y_tr), (x_val, y_val) = split_train_validation(
        data.x_train, data.y_train, config.validation_split, config.seed
    )
    if config.max_train_samples:
        x_tr, y_tr = x_tr[: config.max_train_samples], y_tr[: config.max_train_samples]
    cut = 2 * config.cut_digits  # right and wrong pieces
    extra = config.negatives + config.printed_digits + cut + config.photographed_digits
    n_extra = len(extra_train) * config.extra_weight if extra_train is not None else 0
    steps = int(np.ceil((len(x_tr) * (1 + extra) + n_extra) / config.batch_size))

    with write_errors(config.out_dir), staging_dir(config.out_dir, overwrite=config.overwrite) as stage:
        precision = dtype_policy(config.precision)
        with strategy.scope(), policy(precision):
            if initial is not None:  # its layers keep their own (float32) dtype
                model = keras.models.clone_model(initial)
                model.set_weights(initial.get_weights())
            else:
                model = build_resnet(config.blocks, config.filters, config.bn_momentum)
            decay_steps = max(1, steps * config.epochs)
            compile_model(
                model,
                config.learning_rate,
                decay_steps,
                config.weight_decay,
                config.label_smoothing,
                config.ema,
                config.schedule,
            )
        x_fit, y_fit, composition = training_set(x_tr, y_tr, config)
        if extra_train is not None and len(extra_train):
            x_fit = np.concatenate([x_fit, np.repeat(extra_train.images, config.extra_weight, axis=0)])
            y_fit = np.concatenate([y_fit, np.repeat(extra_train.targets(), config.extra_weight, axis=0)])
            composition["extra_samples"] = int(len(extra_train))
            composition["extra_repeats"] = config.extra_weight
        train_ds = make_dataset(
            x_fit, y_fit, config.batch_size, config.seed, augmentation() if config.augment else None
        )
        val_ds = make_dataset(x_val, y_val, config.batch_size) if len(x_val) else None
        monitor = "val_accuracy" if val_ds is not None else "accuracy"
        checkpoint = stage / "model.keras"
        verbose, progress = progress_callbacks(config.epochs, config.verbose)
        held_back = extra_held is not None and len(extra_held.digits[1]) > 0
        callbacks = [
            *([keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if config.ema else []),
            *([HeldBackAccuracy(extra_held)] if held_back else []),
            keras.callbacks.ModelCheckpoint(
                checkpoint, monitor=monitor, mode="max", save_best_only=initial is None
            ),
            keras.callbacks.EarlyStopping(monitor=monitor, mode="max", patience=config.patience),
            *progress,
        ]
        _multiworker_fixes(model, strategy)
        start = time.perf_counter()
        history = model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=config.epochs,
            callbacks=callbacks,
            shuffle=False,  # the dataset shuffles itself
            verbose=verbose,
        )
        fit_seconds = time.perf_counter() - start
        epochs_run = len(history.history["loss"])

        best = keras.models.load_model(checkpoint)
        if precision != "float32":  # saved as float32, as export and the runtime expect
            best = float32_copy(best)
            best.save(checkpoint)
        kept_epoch = epochs_run if initial is not None else int(np.argmax(history.history[monitor])) + 1
        metrics = evaluate_model(best, data.x_test, data.y_test)
        metrics.update(
            {
                "training_set": composition,
                "rejection": rejection_report(best, x_val if len(x_val) else data.x_test, x_tr, config.seed),
                "data_source": data.source,
                "train_samples": int(len(x_tr)),
                "validation_samples": int(len(x_val)),
                "epochs_run": epochs_run,
                "best_epoch": kept_epoch,
                "training_seconds": round(fit_seconds, 2),
                "train_samples_per_s": round(epochs_run * len(x_fit) / fit_seconds, 1),
                "parameters": int(best.count_params()),
                "precision": precision if initial is None else "float32",
                "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
                "versions": library_versions(),
            }
        )
        if extra_train is not None:
            metrics["extra"] = _extra_record(extra_train, extra_held, best, initial)
        hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        (stage / "history.json").write_text(json.dumps(hist, indent=2))
        (stage / "metrics.json").write_text(json.dumps(metrics, indent=2))
        plots.plot_curves(hist, stage / "curves.png")
        plots.plot_confusion(np.array(metrics["confusion_matrix"]), stage / "confusion.png")
    return TrainResult(out_dir=config.out_dir, metrics=metrics)


def _extra_split(config: TrainConfig) -> tuple[ExtraData | None, ExtraData | None]:
    if not config.extra_data:
        return None, None
    return load_extra_data(config.extra_data).split(config.extra_held_back, config.seed)


def _extra_record(
    extra_train: ExtraData, extra_held: ExtraData, model: keras.Model, initial: keras.Model | None
) -> dict:
    """metrics.json's `extra`: the user's samples used, and the accuracy on the held-back ones (before
    fine-tuning too, with `--init-from`)."""
    record = {
        "source": extra_train.source,
        "train_samples": extra_train.counts(),
        "held_back_samples": extra_held.counts(),
    }
    images, labels = extra_held.digits
    if len(labels):
        record["held_back"] = held_back_report(model, images, labels)
        if initial is not None:
            record["held_back_before"] = held_back_report(initial, images, labels)
    return record
