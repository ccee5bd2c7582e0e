"""Settings of a training run (no TensorFlow import, so the CLI can read the defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_BLOCKS = 2  # the notebook's two residual blocks
DEFAULT_FILTERS = 64


@dataclass
class TrainConfig:
    """Everything `edge train` can set; defaults reproduce the notebook's model, trained longer."""

    out_dir: Path = Path("runs/resnet")
    data: str | None = None
    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    ema: bool = False
    validation_split: float = 0.2
    seed: int = 0
    augment: bool = True
    patience: int = 5
    blocks: int = DEFAULT_BLOCKS
    filters: int = DEFAULT_FILTERS
    bn_momentum: float = 0.99
    max_train_samples: int | None = None
    distribute: str | None = None
    overwrite: bool = False
    verbose: int | str = "auto"
