"""The one table of quantization modes: every export and every check goes through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from ground.contract import INPUT_SHAPE

RepresentativeData = Callable[[], object]


def _no_change(converter: tf.lite.TFLiteConverter, calibration: RepresentativeData | None) -> None:
    """float32: the graph as trained."""


def _float16(converter: tf.lite.TFLiteConverter, calibration: RepresentativeData | None) -> None:
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]


def _dynamic(converter: tf.lite.TFLiteConverter, calibration: RepresentativeData | None) -> None:
    converter.optimizations = [tf.lite.Optimize.DEFAULT]


def _int8(converter: tf.lite.TFLiteConverter, calibration: RepresentativeData | None) -> None:
    if calibration is None:
        raise ValueError("int8 export needs calibration data")
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8


@dataclass(frozen=True)
class QuantMode:
    """A TFLite export flavour: how to configure the converter, and what it needs."""

    name: str
    description: str
    configure: Callable[[tf.lite.TFLiteConverter, RepresentativeData | None], None]
    needs_calibration: bool = False
    io_type: str = "float32"

    def file_name(self, input_type: str | None = None) -> str:
        """`model_int8.tflite`; `model_int8_uint8io.tflite` when the I/O type is overridden."""
        suffix = f"_{input_type}io" if input_type and input_type != self.io_type else ""
        return f"model_{self.name}{suffix}.tflite"

    def describe(self, input_type: str | None = None) -> str:
        """The description with the I/O tensor type: `input_type` if given, else the mode's own."""
        return f"{self.description}, {input_type or self.io_type} I/O"


MODES: dict[str, QuantMode] = {
    m.name: m
    for m in (
        QuantMode("float32", "float32 weights and activations", _no_change),
        QuantMode("float16", "float16 weights, float32 compute", _float16),
        QuantMode("dynamic", "int8 weights, float activations (dynamic range)", _dynamic),
        QuantMode(
            "int8",
            "int8 weights and activations, integer-only ops",
            _int8,
            needs_calibration=True,
            io_type="int8",
        ),
    )
}
ALL = "all"  # `--quantize all`: every mode in MODES, in table order
IO_TYPES = {"int8": tf.int8, "uint8": tf.uint8}


def representative_dataset(images: np.ndarray) -> RepresentativeData:
    """Calibration generator over uint8 images (N, 28, 28) as raw float pixels, one at a time."""
    x = images.reshape(-1, *INPUT_SHAPE).astype(np.float32)

    def generate():
        for i in range(len(x)):
            yield [x[i : i + 1]]

    return generate
