"""Convert a Keras model to TFLite bytes for one export target (a mode and its I/O type)."""

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

from export.modes import FLOAT_IO, QuantMode, RepresentativeData, Target, as_target  # noqa: E402
from ground.quiet import native_output_silenced  # noqa: E402


def representative_dataset(images: np.ndarray) -> RepresentativeData:
    """Calibration generator over uint8 images (N, H, W) as raw float pixels (1, H, W, 1), one at a time."""
    x = images.reshape(-1, *images.shape[1:3], 1).astype(np.float32)

    def generate():
        for i in range(len(x)):
            yield [x[i : i + 1]]

    return generate


def make_converter(
    model: keras.Model, target: Target | QuantMode, calibration_images: np.ndarray | None = None
) -> tf.lite.TFLiteConverter:
    """A TFLiteConverter for `model` set up for `target` (a mode alone: its own I/O type); a mode that
    needs calibration is calibrated on uint8 images (N, H, W) of the model's input, and a non-float
    I/O type is set on the input and output tensors."""
    target = as_target(target)
    mode = target.mode
    if mode.needs_calibration and calibration_images is None:
        raise ValueError(f"{mode} export needs calibration images")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    calibration = representative_dataset(calibration_images) if mode.needs_calibration else None
    mode.configure(converter, calibration)
    if target.io_type != FLOAT_IO:
        converter.inference_input_type = tf.as_dtype(target.io_type)
        converter.inference_output_type = tf.as_dtype(target.io_type)
    return converter


def convert(
    model: keras.Model, target: Target | QuantMode, calibration_images: np.ndarray | None = None
) -> bytes:
    """TFLite flatbuffer of `model` for `target` (see `make_converter`)."""
    converter = make_converter(model, target, calibration_images)
    with quiet():
        return converter.convert()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Hide the converter's chatter: Keras' SavedModel printout, warnings, native log lines."""
    with native_output_silenced(stdout=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()):
            yield
