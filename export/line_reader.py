"""Export the line reader that sits beside the digit model (`line_reader.keras`, from `edge train-reader`).

It is converted to full-integer int8 calibrated on generated training lines, read through the
runtime's own `LineReader` on validation lines made of MNIST test digits (and held-out fonts for
the lines with no number), and accepted only when it reads as many of them exactly as the float
reader, less `MAX_EXACT_DROP`. Its acceptance threshold (the least confident digit of a reading) is
set so that at most `MAX_RIGHT_REJECTED` of the validation lines it reads right fall below it. The
digit models' manifests name it (`line_reader`), with its size and sha256.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import numpy as np

from edge_runtime.interpreter import LineReader
from export.convert import convert
from export.modes import MODES
from ground.atomic import atomic_write_bytes
from ground.errors import EdgeError
from ground.manifest import sha256_bytes
from train.config import READER_MODEL
from train.data import MnistData
from train.lines import training_lines
from train.negatives import font_files
from train.reader import read_texts
from train.rejection import HELD_OUT_SEED_OFFSET, acceptance_threshold

READER_FILE = "line_reader_int8.tflite"
CALIBRATION_LINES = 400
VALIDATION_LINES = 2000
MAX_EXACT_DROP = 1.0  # points of exactly read validation lines the int8 reader may lose
MAX_RIGHT_REJECTED = 0.02  # of the validation lines read right, at most this share below the threshold


def trained_line_reader(model_path: Path) -> Path | None:
    """The Keras line reader `edge train-reader` saved beside the digit model at `model_path` (a
    `.keras` file), if there is one."""
    path = Path(model_path).with_name(READER_MODEL)
    return path if path.is_file() else None


def export_line_reader(reader_path: Path, out_dir: Path, mnist: MnistData, seed: int = 0) -> dict:
    """Convert, check and install the reader in `out_dir`; returns the manifests' `line_reader` record.

    EdgeError (and nothing installed) when the int8 reader reads worse than the gate allows.
    """
    model = keras.models.load_model(reader_path, compile=False)
    calibration, _ = training_lines(CALIBRATION_LINES, mnist.x_train, mnist.y_train, seed)
    lines, texts = training_lines(
        VALIDATION_LINES, mnist.x_test, mnist.y_test, seed + HELD_OUT_SEED_OFFSET, font_files(held_out=True)
    )
    data = convert(model, MODES["int8"], calibration)
    float_texts = read_texts(model, lines)
    record = {
        "model_file": READER_FILE,
        "mode": "int8",
        "file": {"size_bytes": len(data), "sha256": sha256_bytes(data)},
    }
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / READER_FILE
        staged.write_bytes(data)
        readings = LineReader(staged, record).read(lines)
    right = np.array([r.text == t for r, t in zip(readings, texts, strict=True)])
    float_exact = 100 * float(np.mean([f == t for f, t in zip(float_texts, texts, strict=True)]))
    exact = 100 * float(right.mean())
    read_right = right & np.array([bool(t) for t in texts])
    if not read_right.any():
        raise EdgeError("the line reader reads no validation number right: not exported (train it longer)")
    if exact < float_exact - MAX_EXACT_DROP:
        raise EdgeError(
            f"the int8 line reader reads {exact:.2f}% of validation lines exactly, the float one "
            f"{float_exact:.2f}% (at most {MAX_EXACT_DROP} points may be lost): not exported"
        )
    confidences = np.array([r.confidence for r in readings])
    threshold = acceptance_threshold(confidences[read_right], MAX_RIGHT_REJECTED)
    empty = np.array([not t for t in texts])
    accepted = np.array([bool(r.text) and r.confidence >= threshold for r in readings])
    record |= {
        "accept_threshold": round(threshold, 6),
        "validation": {
            "lines": len(texts),
            "source": "MNIST test digits, 1-6 touching; no-number lines in held-out fonts",
            "exact_pct": round(exact, 2),
            "float_exact_pct": round(float_exact, 2),
            "no_number_accepted_pct": round(100 * float(accepted[empty].mean()), 2),
        },
    }
    atomic_write_bytes(Path(out_dir) / READER_FILE, data)
    return record
