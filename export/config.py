"""Settings of an export (no TensorFlow import, so the CLI can read the defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from export.gate import Gate
from export.modes import Quantize, QuantMode, selected_modes
from train.config import TrainConfig

DEFAULT_CALIBRATION_SAMPLES = 500
MIN_CALIBRATION_SAMPLES = 10  # at least one image per digit
DEFAULT_DEBUG_SAMPLES = 200


@dataclass
class ExportConfig:
    """Everything `edge export` can set."""

    model_path: Path = TrainConfig.out_dir / "model.keras"
    out_dir: Path = Path("models")
    quantize: Quantize = Quantize("int8")
    data: str | None = None
    extra_data: str | None = (
        None  # the user's samples (`edge collect`'s folder): calibrated and checked on too
    )
    input_type: str | None = None  # an I/O type of an int8-style mode ("int8", "uint8"); None: its own
    calibration_samples: int = DEFAULT_CALIBRATION_SAMPLES
    seed: int = 0
    eval_samples: int | None = None  # None: every test image
    gate: Gate = field(default_factory=Gate)
    force: bool = False
    debug: bool = False
    debug_samples: int = DEFAULT_DEBUG_SAMPLES

    @property
    def modes(self) -> tuple[QuantMode, ...]:
        return selected_modes(self.quantize)
