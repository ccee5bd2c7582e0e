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
from train.averaging import EMA_MOMENTUM, BatchNormStatistics, WarmupAdamW, forgets_start
from train.config import Distribute, TrainConfig
from train.data import MnistData, load_mnist
from train.evaluate import evaluate_model, library_versions, predict_probs
from train.extra_data import ExtraData, load_extra_data
from train.metrics import classification_report, near_chance
from train.model import build_resnet
from train.negatives import cut_digits, font_digits, negative_images, photographed_digits
from train.objectives import DigitAccuracy, targets
from train.precision import dtype_policy, float32_copy, policy
from train.rejection import rejection_report
from train.saved_model import load_keras_model
from train.surface_digits import surface_digits, surface_signs

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
    ema_warmup: bool = False,
) -> None:
    """AdamW (plain Adam without `weight_decay`) at a constant, cosine or one-cycle learning rate,
    cross-entropy with optional label smoothing, accuracy; `ema` keeps an exponential moving average
    of the weights, which `ema_warmup` warms up (for a short run: `WarmupAdamW`)."""
    schedule = learning_rate_schedule(learning_rate, decay_steps, schedule)
    optimizer_class = WarmupAdamW if ema and ema_warmup else keras.optimizers.AdamW
    optimizer = optimizer_class(schedule, weight_decay=weight_decay, use_ema=ema, ema_momentum=EMA_MOMENTUM)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=[DigitAccuracy()],
    )


def training_set(x: np.ndarray, y: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, np.ndarray, dict]:
    """The digits plus printed digits, digits cut out of touching ones, digits as the runtime cuts
    them out of photos and digits in the styles of other surfaces (one-hot), then generated
    non-digits, signs and letters in the styles of surfaces and wrong pieces of touching digits
    (uniform target), and a record of what was added.
    The generated images depend on `config.seed` only."""
    n_printed, n_negative = round(config.printed_digits * len(x)), round(config.negatives * len(x))
    n_cut, n_photo = round(config.cut_digits * len(x)), round(config.photographed_digits * len(x))
    printed, printed_labels = font_digits(n_printed, seed=config.seed)
    cut, cut_labels, wrong_cuts = (
        cut_digits(n_cut, x, y, seed=config.seed) if n_cut else (x[:0], y[:0], x[:0])
    )
    photo, photo_labels = photographed_digits(n_photo, x, y, seed=config.seed)
    n_surface = round(config.surface_digits * len(x))
    surface, surface_labels = surface_digits(n_surface, x, y, seed=config.seed)
    negatives = negative_images(n_negative, x, seed=config.seed)
    n_signs = round(config.surface_signs * len(x))
    signs = surface_signs(n_signs, seed=config.seed)
    images = np.concatenate([x, printed, cut, photo, surface, negatives, signs, wrong_cuts])
    record = {
        "mnist_digits": int(len(x)),
        "printed_digits": n_printed,
        "cut_digits": n_cut,
        "photographed_digits": n_photo,
        "surface_digits": n_surface,
        "negatives": n_negative,
        "surface_signs": n_signs,
        "wrong_cuts": n_cut,
    }
    labels = np.concatenate([y, printed_labels, cut_labels, photo_labels, surface_labels])
    return images, targets(labels, n_negative + n_signs + n_cut), record


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


class StepHistory(keras.callbacks.Callback):
    """The training's running loss and accuracy (Keras' means over the epoch so far) after every
    step, at its position in epochs (0.5: half way through the first), for the curves of short runs."""

    def __init__(self) -> None:
        super().__init__()
        self.logs: dict[str, list[float]] = {"epoch": [], "loss": [], "accuracy": []}
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.logs["epoch"].append(self._epoch + (batch + 1) / self.params["steps"])
        for name in ("loss", "accuracy"):
            self.logs[name].append(float((logs or {}).get(name, np.nan)))


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
    if name == Distribute.mirrored:
        return tf.distribute.MirroredStrategy()
    if name == Distribute.multiworker:
        if not os.environ.get("TF_CONFIG"):
            raise EdgeError(
                "--distribute multiworker needs TF_CONFIG (the cluster and this task: see README)"
            )
        try:
            json.loads(os.environ["TF_CONFIG"])
        except ValueError as exc:
            raise EdgeError(f"TF_CONFIG is not JSON ({exc})") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"unknown distribution strategy {name!r} (expected one of {', '.join(Distribute)})")


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


@dataclass
class RunData:
    """The digits a run trains and validates on, the generated training set and its steps an epoch."""

    x_train: np.ndarray  # the MNIST training digits used (before generation)
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_fit: np.ndarray  # what `fit` sees: the digits, the generated images and the user's samples
    y_fit: np.ndarray
    composition: dict
    steps: int  # optimizer steps an epoch


def run_data(data: MnistData, config: TrainConfig, extra_train: ExtraData | None) -> RunData:
    """The seeded train/validation split (at most `max_train_samples` training digits), then the
    generated training set with the user's samples repeated `extra_weight` times."""
    (x_tr, y_tr), (x_val, y_val) = split_train_validation(
        data.x_train, data.y_train, config.validation_split, config.seed
    )
    if config.max_train_samples:
        x_tr, y_tr = x_tr[: config.max_train_samples], y_tr[: config.max_train_samples]
    x_fit, y_fit, composition = training_set(x_tr, y_tr, config)
    if extra_train is not None and len(extra_train):
        x_fit = np.concatenate([x_fit, np.repeat(extra_train.images, config.extra_weight, axis=0)])
        y_fit = np.concatenate([y_fit, np.repeat(extra_train.targets(), config.extra_weight, axis=0)])
        composition["extra_samples"] = int(len(extra_train))
        composition["extra_repeats"] = config.extra_weight
    steps = int(np.ceil(len(x_fit) / config.batch_size))
    return RunData(x_tr, y_tr, x_val, y_val, x_fit, y_fit, composition, steps)


def compiled_model(
    config: TrainConfig, strategy: tf.distribute.Strategy, initial: keras.Model | None, steps: int
) -> keras.Model:
    """A copy of `initial` (fine-tuning), else a new network, compiled under the run's strategy and
    precision to run `steps` optimizer steps (all epochs); a weight EMA warms up in a short run."""
    with strategy.scope(), policy(dtype_policy(config.precision)):
        if initial is not None:  # its layers keep their own (float32) dtype
            model = keras.models.clone_model(initial)
            model.set_weights(initial.get_weights())
        else:
            model = build_resnet(config.blocks, config.filters, config.bn_momentum)
        compile_model(
            model,
            config.learning_rate,
            steps,
            config.weight_decay,
            config.label_smoothing,
            config.ema,
            config.schedule,
            ema_warmup=not forgets_start(steps, EMA_MOMENTUM),
        )
    return model


@dataclass
class Fit:
    """What `fit` left: the history per epoch, the training's running figures per step, the time."""

    history: dict[str, list[float]]
    steps: dict[str, list[float]]
    seconds: float


def fit_model(
    model: keras.Model,
    config: TrainConfig,
    run: RunData,
    checkpoint: Path,
    held_back: ExtraData | None,
    fine_tuning: bool,
) -> Fit:
    """Train with early stopping, checkpointing the best validation epoch (the last when
    `fine_tuning`) to `checkpoint`; EMA weights are validated and checkpointed. A new network in a
    run too short for batch norm's momentum gets its statistics recomputed with those weights."""
    train_ds = make_dataset(
        run.x_fit, run.y_fit, config.batch_size, config.seed, augmentation() if config.augment else None
    )
    val_ds = make_dataset(run.x_val, run.y_val, config.batch_size) if len(run.x_val) else None
    monitor = "val_accuracy" if val_ds is not None else "accuracy"
    verbose, progress = progress_callbacks(config.epochs, config.verbose)
    step_history = StepHistory()
    callbacks = [
        *([keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if config.ema else []),
        *batch_norm_pass(config, run, fine_tuning),
        *([HeldBackAccuracy(held_back)] if held_back is not None and len(held_back.digits[1]) else []),
        keras.callbacks.ModelCheckpoint(
            checkpoint, monitor=monitor, mode="max", save_best_only=not fine_tuning
        ),
        keras.callbacks.EarlyStopping(monitor=monitor, mode="max", patience=config.patience),
        step_history,
        *progress,
    ]
    start = time.perf_counter()
    history = model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=config.epochs,
        callbacks=callbacks,
        shuffle=False,  # the dataset shuffles itself
        verbose=verbose,
    )
    seconds = time.perf_counter() - start
    per_epoch = {k: [float(v) for v in values] for k, values in history.history.items()}
    return Fit(per_epoch, step_history.logs, seconds)


def batch_norm_pass(config: TrainConfig, run: RunData, fine_tuning: bool) -> list[keras.callbacks.Callback]:
    """A new network in a run too short for batch norm's momentum to forget its initial statistics
    (< 459 steps at 0.99) gets them recomputed over shuffled, un-augmented training batches. Measured
    on `--epochs 1 --max-train-samples 3000` (40 steps, EMA): 94.1-94.4% MNIST test, against 88.9% with
    the momentum lowered to 0.89 instead, 93.1% recomputed over augmented batches, 16.0% at 0.99."""
    if fine_tuning or forgets_start(run.steps * config.epochs, config.bn_momentum):
        return []
    return [BatchNormStatistics(make_dataset(run.x_fit, run.y_fit, config.batch_size, config.seed))]


def kept_epoch(history: dict[str, list[float]], keep_last: bool) -> int:
    """The epoch (from 1) the checkpoint holds: the best validation accuracy (training accuracy
    without a validation set), or the last with `keep_last`."""
    if keep_last:
        return len(history["loss"])
    return int(np.argmax(history.get("val_accuracy", history["accuracy"]))) + 1


def saved_float32(checkpoint: Path, precision: str) -> keras.Model:
    """The checkpointed model, re-saved as float32 (as export and the runtime expect) when trained in
    a mixed precision."""
    model = keras.models.load_model(checkpoint)
    if precision != "float32":
        model = float32_copy(model)
        model.save(checkpoint)
    return model


def _train(config: TrainConfig, strategy: tf.distribute.Strategy, data: MnistData | None) -> TrainResult:
    sweep_partials(Path(config.out_dir).parent, Path(config.out_dir).name)
    data = data or load_mnist(config.data)
    extra_train, extra_held = _extra_split(config)
    initial = load_keras_model(config.init_from) if config.init_from else None
    keras.utils.set_random_seed(config.seed)
    run = run_data(data, config, extra_train)
    with write_errors(config.out_dir), staging_dir(config.out_dir, overwrite=config.overwrite) as stage:
        model = compiled_model(config, strategy, initial, max(1, run.steps * config.epochs))
        _multiworker_fixes(model, strategy)
        checkpoint, fine_tuning = stage / "model.keras", initial is not None
        fit = fit_model(model, config, run, checkpoint, extra_held, fine_tuning)
        best = saved_float32(checkpoint, dtype_policy(config.precision))
        metrics = run_metrics(best, config, data, run, fit, kept_epoch(fit.history, fine_tuning))
        if extra_train is not None:
            metrics["extra"] = _extra_record(extra_train, extra_held, best, initial)
        write_run(stage, metrics, fit)
    return TrainResult(out_dir=config.out_dir, metrics=metrics)


def run_metrics(
    model: keras.Model, config: TrainConfig, data: MnistData, run: RunData, fit: Fit, epoch: int
) -> dict:
    """metrics.json: the kept model's test figures, its validation accuracy and whether that is near
    chance, rejection of non-digits, the training set, time, and the settings and versions."""
    epochs_run = len(fit.history["loss"])
    metrics = evaluate_model(model, data.x_test, data.y_test)
    validation = fit.history["val_accuracy"][epoch - 1] if "val_accuracy" in fit.history else None
    checked, on = (validation, len(run.x_val))  # without a validation set: the test set
    if validation is None:
        checked, on = metrics["test_accuracy"], metrics["samples"]
    metrics.update(
        {
            "validation_accuracy": validation,
            "near_chance": near_chance(checked, on),  # on validation, or on test without a validation set
            "training_set": run.composition,
            "rejection": rejection_report(
                model, run.x_val if len(run.x_val) else data.x_test, run.x_train, config.seed
            ),
            "data_source": data.source,
            "train_samples": int(len(run.x_train)),
            "validation_samples": int(len(run.x_val)),
            "epochs_run": epochs_run,
            "best_epoch": epoch,
            "training_seconds": round(fit.seconds, 2),
            "train_samples_per_s": round(epochs_run * len(run.x_fit) / fit.seconds, 1),
            "parameters": int(model.count_params()),
            "precision": dtype_policy(config.precision) if config.init_from is None else "float32",
            "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
            "versions": library_versions(),
        }
    )
    return metrics


def write_run(stage: Path, metrics: dict, fit: Fit) -> None:
    """history.json, metrics.json, curves.png and confusion.png into the run's staging folder."""
    (stage / "history.json").write_text(json.dumps(fit.history, indent=2))
    (stage / "metrics.json").write_text(json.dumps(metrics, indent=2))
    plots.plot_curves(fit.history, stage / "curves.png", fit.steps)
    plots.plot_confusion(np.array(metrics["confusion_matrix"]), stage / "confusion.png")


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
