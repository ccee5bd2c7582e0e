"""`edge train` and `edge evaluate` (need the `train` extra: TensorFlow).

The option defaults are `train.config.TrainConfig`'s own (that module imports no TensorFlow).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from edge_cli.extras import require_training_extra
from edge_runtime.cli.options import examples
from ground.contract import NUM_CLASSES
from ground.errors import printable
from train.config import (
    FINE_TUNE_EPOCHS,
    FINE_TUNE_LEARNING_RATE,
    Distribute,
    Precision,
    ReaderConfig,
    Schedule,
    TrainConfig,
    epochs_and_learning_rate,
)

if TYPE_CHECKING:
    from train.training import TrainResult

DataOption = Annotated[
    str | None,
    typer.Option(
        "--data",
        help="MNIST source: a Keras mnist.npz or a folder of the four IDX files. "
        "Default: $EDGE_MNIST, else the Keras download (cached in ~/.keras/datasets).",
        show_default=False,
    ),
]


app = typer.Typer()
DEFAULTS = TrainConfig()
DEFAULT_PRECISION, DEFAULT_SCHEDULE = Precision(DEFAULTS.precision), Schedule(DEFAULTS.schedule)
READER_DEFAULTS = ReaderConfig()

# ---- the options of `edge train` (defaults: TrainConfig's) ----------------------------------------

OutOption = Annotated[Path, typer.Option("--out", help="Run folder to create.")]
EpochsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help=f"Maximum epochs (default {DEFAULTS.epochs}; {FINE_TUNE_EPOCHS} with --init-from).",
        show_default=False,
    ),
]
BatchSizeOption = Annotated[int, typer.Option(min=1, help="Batch size.")]
LearningRateOption = Annotated[
    float | None,
    typer.Option(
        min=0.0,
        help=f"Adam's initial learning rate, cosine decay (default {DEFAULTS.learning_rate:g}; "
        f"{FINE_TUNE_LEARNING_RATE:g} with --init-from).",
        show_default=False,
    ),
]
WeightDecayOption = Annotated[
    float, typer.Option(min=0.0, help="AdamW's decoupled weight decay (0: plain Adam).")
]
LabelSmoothingOption = Annotated[
    float, typer.Option(min=0.0, max=0.5, help="Label smoothing of the cross-entropy loss.")
]
EmaOption = Annotated[
    bool, typer.Option("--ema/--no-ema", help="Validate and keep a moving average of the weights.")
]
SeedOption = Annotated[int, typer.Option(min=0, help="Random seed (split, shuffling, initialisation).")]
ValidationSplitOption = Annotated[
    float, typer.Option(min=0.0, max=0.9, help="Share of training images held out for validation.")
]
AugmentOption = Annotated[
    bool, typer.Option("--augment/--no-augment", help="Random small shifts, rotations and zooms.")
]
NegativesOption = Annotated[
    float,
    typer.Option(
        min=0.0,
        help="Generated non-digits per training digit, trained towards a uniform output "
        "(outlier exposure), so that the model rejects what is not a digit. 0: none.",
    ),
]
PrintedDigitsOption = Annotated[float, typer.Option(min=0.0, help="Font-rendered digits per training digit.")]
PhotographedDigitsOption = Annotated[
    float,
    typer.Option(
        min=0.0, help="Digits with strokes as photos give them (thin, thick, hard-edged), per digit."
    ),
]
CutDigitsOption = Annotated[
    float,
    typer.Option(
        min=0.0,
        help="Pieces cut out of touching digits as the runtime cuts them, per training digit: as many "
        "right pieces (labelled) and as many wrong ones (rejected).",
    ),
]
SurfaceDigitsOption = Annotated[
    float,
    typer.Option(
        min=0.0,
        help="Digits in the styles of other surfaces (seven-segment, outlined, hairline, chalk, bold "
        "printed), photographed and cut out as the runtime cuts them, per training digit.",
    ),
]
SurfaceSignsOption = Annotated[
    float,
    typer.Option(
        min=0.0,
        help="Currency and other signs and letters, printed bold or outlined, photographed and cut out "
        "as the runtime cuts them, as non-digits, per training digit.",
    ),
]
PatienceOption = Annotated[
    int, typer.Option(min=1, help="Early stopping: epochs without validation improvement.")
]
BlocksOption = Annotated[int, typer.Option(min=0, help="Residual blocks.")]
FiltersOption = Annotated[int, typer.Option(min=1, help="Filters in the stem and every block.")]
MaxTrainSamplesOption = Annotated[
    int | None,
    typer.Option(min=1, help="Train on at most this many images (quick runs).", show_default=False),
]
DistributeOption = Annotated[
    Distribute | None,
    typer.Option(
        help="'mirrored': tf.distribute.MirroredStrategy over all local devices; 'multiworker': "
        "MultiWorkerMirroredStrategy over the machines in TF_CONFIG (run on each; the chief writes).",
        show_default=False,
    ),
]
PrecisionOption = Annotated[
    Precision,
    typer.Option(
        help="bf16: mixed_bfloat16 (the softmax output stays float32) where the CPU has AVX512-BF16 "
        "or AMX (from /proc/cpuinfo), float32 elsewhere; the saved model is float32 either way.",
    ),
]
ScheduleOption = Annotated[
    Schedule,
    typer.Option(
        help="Learning rate: cosine decay from --learning-rate, constant (the weight EMA averages the "
        "noise), or one-cycle (a warm-up from 1/25 of it over 30% of the steps, then cosine decay).",
    ),
]
ExtraDataOption = Annotated[
    Path | None,
    typer.Option(
        help="Your own samples (an `edge collect` folder: DIR/0 … DIR/9, DIR/reject) mixed into "
        "training; part of them is held back and reported apart from MNIST test.",
        show_default=False,
    ),
]
ExtraWeightOption = Annotated[
    int,
    typer.Option(min=1, help="--extra-data: each of your training samples is repeated N times an epoch."),
]
ExtraHeldBackOption = Annotated[
    float,
    typer.Option(min=0.0, max=0.9, help="--extra-data: share of your samples (per label) held back."),
]
InitFromOption = Annotated[
    Path | None,
    typer.Option(
        help="Fine-tune this .keras model instead of training from scratch (fewer epochs and a lower "
        "learning rate by default; --blocks/--filters are the model's own; keeps the last epoch).",
        show_default=False,
    ),
]
OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="Replace an existing run folder.")]


@app.command(
    epilog=examples(
        "edge train",
        "edge train --epochs 5 --out runs/quick --data mnist.npz",
        "edge train --init-from runs/resnet/model.keras --extra-data mine/",
    )
)
def train(
    data: DataOption = None,
    out: OutOption = DEFAULTS.out_dir,
    epochs: EpochsOption = None,
    batch_size: BatchSizeOption = DEFAULTS.batch_size,
    learning_rate: LearningRateOption = None,
    weight_decay: WeightDecayOption = DEFAULTS.weight_decay,
    label_smoothing: LabelSmoothingOption = DEFAULTS.label_smoothing,
    ema: EmaOption = DEFAULTS.ema,
    seed: SeedOption = DEFAULTS.seed,
    validation_split: ValidationSplitOption = DEFAULTS.validation_split,
    augment: AugmentOption = DEFAULTS.augment,
    negatives: NegativesOption = DEFAULTS.negatives,
    printed_digits: PrintedDigitsOption = DEFAULTS.printed_digits,
    photographed_digits: PhotographedDigitsOption = DEFAULTS.photographed_digits,
    cut_digits: CutDigitsOption = DEFAULTS.cut_digits,
    surface_digits: SurfaceDigitsOption = DEFAULTS.surface_digits,
    surface_signs: SurfaceSignsOption = DEFAULTS.surface_signs,
    patience: PatienceOption = DEFAULTS.patience,
    blocks: BlocksOption = DEFAULTS.blocks,
    filters: FiltersOption = DEFAULTS.filters,
    max_train_samples: MaxTrainSamplesOption = DEFAULTS.max_train_samples,
    distribute: DistributeOption = None,
    precision: PrecisionOption = DEFAULT_PRECISION,
    schedule: ScheduleOption = DEFAULT_SCHEDULE,
    extra_data: ExtraDataOption = None,
    extra_weight: ExtraWeightOption = DEFAULTS.extra_weight,
    extra_held_back: ExtraHeldBackOption = DEFAULTS.extra_held_back,
    init_from: InitFromOption = None,
    overwrite: OverwriteOption = DEFAULTS.overwrite,
) -> None:
    """Train the residual network on MNIST; writes model.keras, metrics, curves and a confusion matrix."""
    require_training_extra()
    epochs, learning_rate = epochs_and_learning_rate(epochs, learning_rate, fine_tuning=init_from is not None)
    config = TrainConfig(
        out_dir=out,
        data=data,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        weight_decay=weight_decay,
        label_smoothing=label_smoothing,
        ema=ema,
        validation_split=validation_split,
        seed=seed,
        augment=augment,
        negatives=negatives,
        printed_digits=printed_digits,
        photographed_digits=photographed_digits,
        cut_digits=cut_digits,
        surface_digits=surface_digits,
        surface_signs=surface_signs,
        patience=patience,
        blocks=blocks,
        filters=filters,
        max_train_samples=max_train_samples,
        distribute=distribute.value if distribute else None,
        precision=precision.value,
        schedule=schedule.value,
        extra_data=str(extra_data) if extra_data else None,
        extra_weight=extra_weight,
        extra_held_back=extra_held_back,
        init_from=str(init_from) if init_from else None,
        overwrite=overwrite,
    )
    _print_summary(_run(config))


def _run(config: TrainConfig) -> TrainResult:
    """Train as `config` says (TensorFlow is imported here, not when the CLI starts)."""
    from train.training import train as run_training

    return run_training(config)


def _print_summary(result: TrainResult) -> None:
    """`run_summary`'s lines on stdout, its warnings on stderr."""
    for line in run_summary(result):
        typer.echo(line, err=line.startswith("warning: "))


def run_summary(result: TrainResult) -> list[str]:
    """What `edge train` prints about a finished run: the test figures, your held-back samples, a
    warning when the model is near chance, and the run folder."""
    m = result.metrics
    if not result.chief:
        return [
            f"worker done: test accuracy {m['test_accuracy'] * 100:.2f}%; the chief writes the run folder"
        ]
    lines = [
        f"test accuracy: {m['test_accuracy'] * 100:.2f}%  loss: {m['test_loss']:.4f}  "
        f"({m['epochs_run']} epochs, best {m['best_epoch']}, {m['training_seconds']:.0f} s, "
        f"{m['train_samples_per_s']:.0f} samples/s)"
    ]
    held = m.get("extra", {}).get("held_back")
    if held is not None:
        before = m["extra"].get("held_back_before")
        was = f" (before fine-tuning: {before['accuracy'] * 100:.1f}%)" if before else ""
        lines.append(f"your held-back samples: {held['accuracy'] * 100:.1f}% of {held['samples']}{was}")
    warning = chance_warning(m)
    lines += [warning] if warning else []
    files = "model.keras, metrics.json, curves.png, confusion.png"
    lines.append(f"run folder: {printable(result.out_dir)}  ({files})")
    return lines


def chance_warning(metrics: dict) -> str | None:
    """One warning line when metrics.json says the kept model is near chance (`near_chance`), else None."""
    if not metrics.get("near_chance"):
        return None
    validation = metrics.get("validation_accuracy")
    name, accuracy = (
        ("validation", validation) if validation is not None else ("test", metrics["test_accuracy"])
    )
    chance = 100 / NUM_CLASSES
    return (
        f"warning: {name} accuracy {accuracy * 100:.1f}% is near chance ({chance:.0f}% by guessing): the "
        "model has not learnt to classify; train for more steps (--epochs, --max-train-samples) or check "
        "the data and --learning-rate"
    )


@app.command(
    "train-reader",
    epilog=examples(
        "edge train-reader",
        "edge train-reader --model-dir runs/quick --epochs 2 --lines 20000",
    ),
)
def train_reader(
    data: DataOption = None,
    model_dir: Annotated[
        Path,
        typer.Option(
            "--model-dir", help="The digit model's run folder: line_reader.keras is saved beside model.keras."
        ),
    ] = READER_DEFAULTS.model_dir,
    epochs: Annotated[int, typer.Option(min=1, help="Epochs.")] = READER_DEFAULTS.epochs,
    lines: Annotated[
        int,
        typer.Option(min=1, help="Lines generated anew each epoch: 1-6 touching digits, or no number."),
    ] = READER_DEFAULTS.lines,
    batch_size: Annotated[int, typer.Option(min=1, help="Batch size.")] = READER_DEFAULTS.batch_size,
    learning_rate: Annotated[
        float, typer.Option(min=0.0, help="Adam's initial learning rate, cosine decay.")
    ] = READER_DEFAULTS.learning_rate,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = READER_DEFAULTS.seed,
) -> None:
    """Train the line reader, which reads a group of touching digits whole (CTC); `edge export` then
    exports it beside the digit model and the runtime uses it where digits touch."""
    require_training_extra()
    from train.reader import train_reader as run_reader_training

    config = ReaderConfig(model_dir, data, epochs, lines, batch_size, learning_rate, seed=seed)
    metrics = run_reader_training(config)
    typer.echo(
        f"lines read exactly: {metrics['test_exact'] * 100:.2f}% of MNIST test lines, "
        f"{metrics['validation_exact'] * 100:.2f}% of validation lines ({metrics['training_seconds']:.0f} s)"
    )
    files = "line_reader.keras, line_reader_metrics.json, line_reader_curves.png"
    typer.echo(f"saved in {printable(model_dir)}: {files}")


@app.command(
    epilog=examples(
        "edge evaluate runs/resnet/model.keras",
        "edge evaluate runs/resnet/model.keras --json",
    )
)
def evaluate(
    model: Annotated[Path, typer.Argument(help="A .keras model saved by `edge train`.")],
    data: DataOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the full metrics as JSON.")] = False,
) -> None:
    """Re-evaluate a saved model on the 10,000 MNIST test images."""
    require_training_extra()
    from train.data import load_mnist
    from train.evaluate import evaluate_model
    from train.saved_model import load_keras_model

    keras_model = load_keras_model(model)
    mnist = load_mnist(data)
    metrics = evaluate_model(keras_model, mnist.x_test, mnist.y_test)
    if json_out:
        typer.echo(json.dumps(metrics))
        return
    accuracy, loss = metrics["test_accuracy"] * 100, metrics["test_loss"]
    typer.echo(f"test accuracy: {accuracy:.2f}%  loss: {loss:.4f}  ({metrics['samples']} images)")
    per_class = "  ".join(f"{d}:{a * 100:.1f}" for d, a in enumerate(metrics["per_class_accuracy"]))
    typer.echo(f"per class (%): {per_class}")
