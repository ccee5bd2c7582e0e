"""Convert a Keras model to TFLite bytes in one of the registered modes."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Iterator

import keras
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402

from export.modes import IO_TYPES, MODES, representative_dataset  # noqa: E402
from ground.quiet import native_output_silenced  # noqa: E402


def make_converter(
    model: keras.Model,
    mode: str,
    calibration_images: np.ndarray | None = None,
    input_type: str | None = None,
) -> tf.lite.TFLiteConverter:
    """A TFLiteConverter for `model` set up for `mode`; int8 is calibrated on uint8 images (N, 28, 28).

    `input_type` ("int8" or "uint8") overrides the int8 model's I/O type (uint8 for Coral-style
    accelerators); it applies to int8 mode only.
    """
    quant = MODES[mode]
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    calibration = representative_dataset(calibration_images) if quant.needs_calibration else None
    quant.configure(converter, calibration)
    if input_type is not None:
        if mode != "int8":
            raise ValueError("--input-type applies to int8 export only")
        converter.inference_input_type = IO_TYPES[input_type]
        converter.inference_output_type = IO_TYPES[input_type]
    return converter


def convert(
    model: keras.Model,
    mode: str,
    calibration_images: np.ndarray | None = None,
    input_type: str | None = None,
) -> bytes:
    """TFLite flatbuffer of `model` in `mode` (see `make_converter`)."""
    converter = make_converter(model, mode, calibration_images, input_type)
    with quiet():
        return converter.convert()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Hide the converter's chatter: Keras' SavedModel printout, warnings, native log lines."""
    with native_output_silenced(stdout=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()):
            yield
