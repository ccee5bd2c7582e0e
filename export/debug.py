"""`--debug`: per-layer quantization error from TFLite's QuantizationDebugger, worst first.

It applies to the modes whose `layer_debugger` rule says so (int8). RMSE/scale is the error of a
layer's quantized output in units of its quantization step; pure rounding noise gives about 0.29
(1/sqrt(12)), much more marks a layer that loses accuracy.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from export.convert import make_converter, quiet, representative_dataset
from export.modes import QuantMode
from ground.atomic import atomic_write_text

ROUNDING_NOISE = 1 / math.sqrt(12)  # RMSE/scale of ideal uniform rounding
COLUMNS = (
    "rank",
    "op_name",
    "tensor_name",
    "rmse_over_scale",
    "rmse",
    "max_abs_error",
    "mean_error",
    "scale",
    "zero_point",
    "num_elements",
)


def debug_csv_name(mode: QuantMode) -> str:
    """`int8_debug.csv`."""
    return f"{mode.name}_debug.csv"


def layer_errors(
    model: keras.Model,
    mode: QuantMode,
    calibration_images: np.ndarray,
    debug_images: np.ndarray,
) -> list[dict]:
    """Per-layer error statistics of the `mode` model against float, sorted by RMSE/scale (worst first)."""
    converter = make_converter(model, mode, calibration_images)
    with quiet():
        debugger = tf.lite.experimental.QuantizationDebugger(
            converter=converter, debug_dataset=representative_dataset(debug_images)
        )
        debugger.run()
    dump = io.StringIO()
    debugger.layer_statistics_dump(dump)
    rows = []
    for raw in csv.DictReader(io.StringIO(dump.getvalue())):
        scale, mse = float(raw["scale"]), float(raw["mean_squared_error"])
        rmse = math.sqrt(mse)
        rows.append(
            {
                "op_name": raw["op_name"],
                "tensor_name": raw["tensor_name"],
                "rmse_over_scale": rmse / scale if scale else math.nan,
                "rmse": rmse,
                "max_abs_error": float(raw["max_abs_error"]),
                "mean_error": float(raw["mean_error"]),
                "scale": scale,
                "zero_point": int(float(raw["zero_point"])),
                "num_elements": int(float(raw["num_elements"])),
            }
        )
    rows.sort(key=lambda r: (math.isnan(r["rmse_over_scale"]), -r["rmse_over_scale"]))
    return [{"rank": i + 1, **row} for i, row in enumerate(rows)]


def write_layer_csv(rows: list[dict], path: Path) -> Path:
    """The per-layer rows as CSV (columns in COLUMNS order), written atomically."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, text.getvalue())
    return path


def quantization_debug(
    model: keras.Model,
    mode: QuantMode,
    calibration_images: np.ndarray,
    debug_images: np.ndarray,
    out_dir: Path,
) -> tuple[list[dict], Path]:
    """Run the debugger on `mode` and write `int8_debug.csv` (for int8) into `out_dir`; returns
    (rows, csv path)."""
    if not mode.layer_debugger:
        raise ValueError(f"the layer debugger does not apply to {mode}")
    rows = layer_errors(model, mode, calibration_images, debug_images)
    return rows, write_layer_csv(rows, Path(out_dir) / debug_csv_name(mode))
