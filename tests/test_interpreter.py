"""The interpreter layer: file checks, quantized I/O, batching, agreement with the Keras model."""

from __future__ import annotations

import numpy as np
import pytest

from edge_runtime.interpreter import DigitModel, check_tflite_file, quantize
from ground.errors import EdgeError


@pytest.mark.parametrize("dtype, zero_point", [(np.int8, -128), (np.uint8, 0), (np.int8, -100)])
def test_integer_quantize_path_equals_the_float_formula(dtype, zero_point):
    pixels = np.arange(256, dtype=np.uint8)
    fast = quantize(pixels, np.dtype(dtype), 1.0, zero_point)
    info = np.iinfo(dtype)
    reference = np.clip(np.round(pixels.astype(np.float32) + zero_point), info.min, info.max)
    assert fast.dtype == dtype
    np.testing.assert_array_equal(fast, reference.astype(dtype))


def test_quantize_with_a_real_scale_rounds_and_clips():
    out = quantize(np.array([0.0, 1.0, 2.6, 1000.0], np.float32), np.dtype(np.int8), 0.5, -10)
    np.testing.assert_array_equal(out, [-10, -8, -5, 127])


@pytest.mark.parametrize(
    "content, message",
    [(None, "model not found"), (b"", "not a TFLite model"), (b"x" * 200, "no TFL3 identifier")],
)
def test_check_tflite_file_rejects_wrong_files(tmp_path, content, message):
    path = tmp_path / "m.tflite"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(EdgeError, match=message):
        check_tflite_file(path)


def test_every_mode_agrees_with_the_keras_model(tiny_tflite_models, tiny_model_path, full_mnist):
    import keras

    images = full_mnist.x_test[:300]
    reference = keras.models.load_model(tiny_model_path).predict(
        images[..., None].astype(np.float32), verbose=0
    )
    for mode, path in tiny_tflite_models.items():
        model = DigitModel(path)
        probs = model.predict(images, batch_size=128)
        assert probs.shape == (300, 10) and probs.dtype == np.float32
        agreement = (probs.argmax(1) == reference.argmax(1)).mean()
        assert agreement >= (0.97 if mode in ("dynamic", "int8") else 0.995), (mode, agreement)
        np.testing.assert_allclose(model.predict(images[:1]), probs[:1], atol=1e-6)
        assert model.labels == [str(d) for d in range(10)]
