"""Time each stage of `edge export` per mode on a trained model: conversion, 10k-image check, latency.

  python benchmarks/export_bench.py /work/artifacts/full_run/model.keras --data ../shared/data/mnist.npz
Prints one table: mode, conversion s, check s (batched, all test images), file KB, agreement %.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from export.calibration import DEFAULT_CALIBRATION_SAMPLES, calibration_images
from export.modes import MODES
from export.pipeline import Calibration, check_model_input, convert_target
from export.validate import compare, make_eval_set, predict_tflite, single_image_latency_ms
from ground.atomic import staged_path
from train.data import load_mnist
from train.saved_model import load_keras_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", default=None)
    parser.add_argument("--calibration-samples", type=int, default=DEFAULT_CALIBRATION_SAMPLES)
    args = parser.parse_args()

    model = load_keras_model(args.model)
    check_model_input(model)
    mnist = load_mnist(args.data)
    calibration = Calibration(
        calibration_images(mnist.x_train, mnist.y_train, args.calibration_samples, seed=0), seed=0
    )
    start = time.perf_counter()
    eval_set = make_eval_set(model, mnist.x_test, mnist.y_test, None)
    print(f"float Keras predictions on {len(eval_set.labels)} images: {time.perf_counter() - start:.1f} s")
    print(f"{'mode':>8} {'convert s':>10} {'check s':>8} {'KB':>8} {'agreement %':>12} {'latency ms':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MODES.values():
            start = time.perf_counter()
            tflite_model = convert_target(model, mode, calibration)
            converted = time.perf_counter()
            with staged_path(Path(tmp) / f"{mode}.tflite", tflite_model) as path:
                probs = predict_tflite(path, eval_set.images)
                checked = time.perf_counter()
                latency = single_image_latency_ms(path)
            agreement = compare(eval_set.labels, eval_set.float_probs, probs).agreement_pct
            print(
                f"{mode.name:>8} {converted - start:10.2f} {checked - converted:8.2f} "
                f"{len(tflite_model) / 1024:8.1f} {agreement:12.2f} {latency:11.3f}"
            )


if __name__ == "__main__":
    main()
