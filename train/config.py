"""Settings of a training run (no TensorFlow import, so the CLI can read the defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEFAULT_BLOCKS = 2  # the notebook's two residual blocks
DEFAULT_FILTERS = 64
FINE_TUNE_EPOCHS = 3  # `--init-from`'s default epochs...
FINE_TUNE_LEARNING_RATE = 2e-4  # ...and learning rate: a tenth of training from scratch


class Distribute(StrEnum):
    """`--distribute`: MirroredStrategy over every local device, or MultiWorkerMirroredStrategy over the
    machines TF_CONFIG lists."""

    mirrored = "mirrored"
    multiworker = "multiworker"


class Precision(StrEnum):
    """`--precision`: float32, or bf16 (mixed_bfloat16 where the CPU has AVX512-BF16 or AMX, else float32)."""

    float32 = "float32"
    bf16 = "bf16"


class Schedule(StrEnum):
    """`--schedule`: cosine decay from the learning rate, the learning rate held constant (the weight
    EMA does the averaging), or one cycle (a warm-up to it, then cosine)."""

    cosine = "cosine"
    constant = "constant"
    one_cycle = "one-cycle"


@dataclass
class TrainConfig:
    """Everything `edge train` can set. The defaults build the notebook's model and train it with a
    recipe measured to reach >= 99.5% (augmentation, AdamW, label smoothing, weight EMA, cosine decay)."""

    out_dir: Path = Path("runs/resnet")
    data: str | None = None
    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 0.02  # AdamW's decoupled weight decay
    label_smoothing: float = 0.1
    ema: bool = True  # evaluate and keep an exponential moving average of the weights
    validation_split: float = 0.2
    seed: int = 0
    augment: bool = True
    negatives: float = 0.3  # generated non-digits per training digit, with a uniform target (0: none)
    printed_digits: float = 0.05  # font-rendered digits per training digit
    photographed_digits: float = 0.15  # digits with photographed strokes (thin, thick, hard-edged), per digit
    cut_digits: float = 0.1  # right pieces of touching digits (and as many wrong ones), per training digit
    surface_digits: float = 0.0  # seven-segment, outlined, hairline, chalk and bold printed digits, per digit
    surface_signs: float = 0.0  # signs and letters printed bold or outlined, as non-digits, per digit
    patience: int = 5
    blocks: int = DEFAULT_BLOCKS
    filters: int = DEFAULT_FILTERS
    bn_momentum: float = 0.99
    precision: str = Precision.float32.value  # "bf16": mixed_bfloat16 where the CPU supports it
    schedule: str = Schedule.cosine.value
    max_train_samples: int | None = None
    extra_data: str | None = None  # the user's samples (`edge collect`'s folder), mixed into training
    extra_weight: int = 20  # each of the user's training samples is repeated this many times an epoch
    extra_held_back: float = 0.25  # share of the user's samples (per label) held back to evaluate on
    init_from: str | None = None  # fine-tune this .keras model instead of training from scratch
    distribute: str | None = None
    overwrite: bool = False
    verbose: int | str = (
        "auto"  # Keras' progress bar on a terminal, one line per epoch elsewhere; 0, 1, 2 as Keras
    )


def epochs_and_learning_rate(
    epochs: int | None, learning_rate: float | None, fine_tuning: bool
) -> tuple[int, float]:
    """`epochs` and `learning_rate` where given, else the defaults: `TrainConfig`'s when training from
    scratch, fewer epochs at a tenth of the rate when fine-tuning (`--init-from`)."""
    default_epochs, default_rate = (
        (FINE_TUNE_EPOCHS, FINE_TUNE_LEARNING_RATE)
        if fine_tuning
        else (TrainConfig.epochs, TrainConfig.learning_rate)
    )
    return epochs or default_epochs, default_rate if learning_rate is None else learning_rate


READER_MODEL = "line_reader.keras"  # the line reader, beside the digit model's model.keras


@dataclass(frozen=True)
class ReaderConfig:
    """Everything `edge train-reader` can set."""

    model_dir: Path = TrainConfig.out_dir  # the digit model's run folder: the reader is saved beside it
    data: str | None = None
    epochs: int = 10
    lines: int = 160_000  # generated training lines (1-6 touching digits, or no number)
    batch_size: int = 64
    learning_rate: float = 1e-3
    validation_lines: int = 2_000
    seed: int = 0
