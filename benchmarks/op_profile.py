"""Where float32 and int8 inference time goes, op by op, with and without the XNNPACK delegate.

  python benchmarks/op_profile.py                      # the default architecture, untrained
  python benchmarks/op_profile.py MODEL.keras --data ../shared/data/mnist.npz

The Python interpreter has no op profiler, so the graph is cut after each layer: every prefix
(input → that layer) is converted to float32 and int8, all prefixes are timed together in one
process (interleaved rounds, fastest `invoke`), and the difference
between consecutive prefixes is the cost of the ops the layer adds.

A second table times the stem convolution alone (7x7, 64 filters, 28x28) for 1..16 input
channels: it shows what a 1-channel input costs each kernel.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from edge_runtime.benchmark import environment, without_xnnpack_options
from edge_runtime.interpreter import load_interpreter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from export.convert import convert, make_converter, quiet  # noqa: E402
from export.modes import MODES  # noqa: E402
from train.model import DEFAULT_FILTERS, STEM_KERNEL, build_resnet  # noqa: E402

KINDS = [("float32", True), ("float32", False), ("int8", True), ("int8", False)]  # (mode, xnnpack)
STEM_CHANNELS = (1, 2, 4, 8, 16)
CALIBRATION_SAMPLES = 200
ROUNDS = 10
WARMUP = 20


def layer_cuts(model: keras.Model) -> list[tuple[str, str]]:
    """(layer name, TFLite ops it adds) at every op boundary of the residual network."""
    cuts = [("stem_relu", "CONV_2D 7x7 1->64 (+BN, ReLU)"), ("stem_pool", "MAX_POOL_2D 3x3")]
    block = 1
    while f"res{block}_out" in {layer.name for layer in model.layers}:
        cuts += [
            (f"res{block}_relu1", f"CONV_2D 3x3 64->64 (res{block})"),
            (f"res{block}_bn2", f"CONV_2D 3x3 64->64 (res{block})"),
            (f"res{block}_out", "ADD (+ReLU)"),
        ]
        block += 1
    return cuts + [("gap", "MEAN"), ("probs", "FULLY_CONNECTED + SOFTMAX")]


def calibration(data: str | None) -> np.ndarray:
    """Training digits when MNIST is at hand, else random pixels."""
    from train.data import load_mnist, resolve_source

    if resolve_source(data) is not None:
        return load_mnist(data).x_train[:CALIBRATION_SAMPLES]
    return np.random.default_rng(0).integers(0, 256, (CALIBRATION_SAMPLES, 28, 28), dtype=np.uint8)


def int8_with_channels(model: keras.Model, channels: int) -> bytes:
    """The export's int8 conversion of a model whose input has `channels` channels (random pixels)."""
    converter = make_converter(model, MODES["int8"], calibration(None))
    rng = np.random.default_rng(0)
    shape = (1, 28, 28, channels)
    converter.representative_dataset = lambda: (
        [rng.uniform(0, 255, shape).astype(np.float32)] for _ in range(CALIBRATION_SAMPLES)
    )
    with quiet():
        return converter.convert()


def time_models(paths: list[Path], threads: int, runs: int) -> dict[tuple[str, bool], float]:
    """Fastest invoke (µs) of every model, with and without XNNPACK, keyed by (file name, xnnpack).

    All models are timed in the same interleaved rounds, so load from elsewhere hits them alike.
    """
    interpreters = {}
    for xnnpack in (True, False):
        options = {} if xnnpack else without_xnnpack_options()
        for path in paths:
            interpreter = load_interpreter(path, threads, **options)
            for _ in range(WARMUP):
                interpreter.invoke()
            interpreters[(path.name, xnnpack)] = interpreter
    fastest = dict.fromkeys(interpreters, float("inf"))
    for _ in range(ROUNDS):
        for key, interpreter in interpreters.items():
            for _ in range(max(1, runs // ROUNDS)):
                start = time.perf_counter()
                interpreter.invoke()
                fastest[key] = min(fastest[key], 1e6 * (time.perf_counter() - start))
    return fastest


def profile_table(model: keras.Model, data: str | None, folder: Path, threads: int, runs: int) -> str:
    """Cost of each layer's ops: the time of the prefix ending there minus the previous prefix's."""
    images = calibration(data)
    cuts = layer_cuts(model)
    paths = []
    for name, _ in cuts:
        prefix = keras.Model(model.input, model.get_layer(name).output)
        for mode in ("float32", "int8"):
            path = folder / f"{mode}_{name}.tflite"
            quant = MODES[mode]
            path.write_bytes(convert(prefix, quant, images if quant.needs_calibration else None))
            paths.append(path)
    timings = time_models(paths, threads, runs)
    heads = [f"{mode} {'XNNPACK' if x else 'builtin'}" for mode, x in KINDS]
    lines = [f"{'ops the layer adds':32s}" + "".join(f"{h:>17s}" for h in heads) + "   (µs)"]
    previous = dict.fromkeys(KINDS, 0.0)
    for name, ops in cuts:
        row = []
        for mode, xnnpack in KINDS:
            total = timings[(f"{mode}_{name}.tflite", xnnpack)]
            row.append(total - previous[(mode, xnnpack)])
            previous[(mode, xnnpack)] = total
        lines.append(f"{ops:32s}" + "".join(f"{v:17.1f}" for v in row))
    lines.append(f"{'whole model':32s}" + "".join(f"{previous[k]:17.1f}" for k in KINDS))
    return "\n".join(lines)


def stem_table(folder: Path, threads: int, runs: int) -> str:
    """The stem convolution alone for 1..16 input channels, float32 vs int8 (XNNPACK)."""
    paths = []
    for channels in STEM_CHANNELS:
        inputs = keras.Input((28, 28, channels))
        conv = keras.layers.Conv2D(DEFAULT_FILTERS, STEM_KERNEL, padding="same", activation="relu")(inputs)
        stem = keras.Model(inputs, conv)
        for mode, flatbuffer in (
            ("float32", convert(stem, MODES["float32"])),
            ("int8", int8_with_channels(stem, channels)),
        ):
            path = folder / f"stem_{mode}_c{channels}.tflite"
            path.write_bytes(flatbuffer)
            paths.append(path)
    timings = time_models(paths, threads, runs)
    lines = ["input channels  MACs (M)  float32 µs  int8 µs  int8/float32"]
    for channels in STEM_CHANNELS:
        f32 = timings[(f"stem_float32_c{channels}.tflite", True)]
        int8 = timings[(f"stem_int8_c{channels}.tflite", True)]
        macs = 28 * 28 * DEFAULT_FILTERS * STEM_KERNEL**2 * channels / 1e6
        lines.append(f"{channels:14d}  {macs:8.1f}  {f32:10.1f}  {int8:7.1f}  {int8 / f32:11.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, nargs="?", help="a trained .keras model (default: untrained)")
    parser.add_argument("--data", default=None, help="MNIST for int8 calibration (as in `edge train`)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=500, help="timed calls per model")
    args = parser.parse_args()

    from train.saved_model import load_keras_model

    model = load_keras_model(args.model) if args.model else build_resnet()
    env = environment()
    print(
        f"{env['interpreter']} on {env['processor']}; {args.threads} thread(s); fastest of {args.runs} calls"
    )
    with tempfile.TemporaryDirectory() as tmp:
        print(profile_table(model, args.data, Path(tmp), args.threads, args.runs))
        print()
        print(stem_table(Path(tmp), args.threads, args.runs))


if __name__ == "__main__":
    main()
