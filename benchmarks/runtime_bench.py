"""Accuracy and speed of the on-device pipeline (what `edge classify` and `edge webcam` run).

  .venv/bin/python benchmarks/runtime_bench.py MODEL.tflite [--data mnist.npz] [--limit 10000]

1. Accuracy on the raw 28x28 MNIST test images, next to the export report in the model's manifest.
2. Accuracy on photos made from the same test digits (`edge_runtime.samples.paper_photo`: black or
   blue ink on unevenly lit paper, half of it ruled, 40% with a shadow), overall and by condition,
   and, for reference, through a naive pipeline that thresholds the raw grey frame with one global
   Otsu instead of flattening the paper first. Also three-digit numbers read left to right.
3. Speed of the full pipeline on 640x480 frames with one digit (frame → regions → 28x28 → model),
   and of each stage, on one interpreter thread.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.classify import read_digits
from edge_runtime.interpreter import DigitModel
from edge_runtime.preprocess import (
    darkest_channel,
    ink_image,
    is_light_background,
    paper_brightness,
    to_mnist,
    working_copy,
)
from edge_runtime.regions import find_digits
from edge_runtime.samples import INK_BGR, paper_photo
from train.data import MnistData, load_mnist

SPEED_PHOTOS = 50  # distinct frames, cycled
CONDITIONS = ("all", "black ink", "blue ink", "plain", "ruled", "no shadow", "shadow")


def naive_global_otsu(photo: np.ndarray) -> np.ndarray | None:
    """The 28x28 input of the largest dark blob after one global Otsu threshold of the raw grey frame."""
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    x, y, w, h = cv2.boundingRect(max(contours, key=cv2.contourArea))
    return to_mnist(cv2.bitwise_and(255 - grey, binary)[y : y + h, x : x + w])


def photo_accuracy(model: DigitModel, images: np.ndarray, labels: np.ndarray, seed: int) -> dict:
    """Share of photos read correctly, overall and per condition, by our pipeline and the naive one."""
    rng = np.random.default_rng(seed)
    hits: dict[str, list[bool]] = defaultdict(list)
    naive_inputs, naive_found = [], []
    for image, label in zip(images, labels, strict=True):
        ink = str(rng.choice(list(INK_BGR)))
        ruled, shadow = bool(rng.random() < 0.5), bool(rng.random() < 0.4)
        photo = paper_photo([image], rng, ink=ink, ruled=ruled, shadow=shadow)
        correct = read_digits(model, photo).number == str(label)
        for condition in (
            "all",
            f"{ink} ink",
            "ruled" if ruled else "plain",
            "shadow" if shadow else "no shadow",
        ):
            hits[condition].append(correct)
        naive = naive_global_otsu(photo)
        naive_found.append(naive is not None)
        naive_inputs.append(naive if naive is not None else np.zeros((28, 28), np.uint8))
    naive_pred = model.predict(np.stack(naive_inputs)).argmax(axis=1)
    naive_correct = (naive_pred == labels) & np.array(naive_found)
    return {
        "ours": {k: (float(np.mean(v)), len(v)) for k, v in hits.items()},
        "naive": float(naive_correct.mean()),
    }


def number_accuracy(
    model: DigitModel, images: np.ndarray, labels: np.ndarray, count: int, seed: int
) -> float:
    """Share of three-digit numbers (photos of three test digits) read exactly, left to right."""
    rng = np.random.default_rng(seed)
    correct = 0
    for _ in range(count):
        picks = rng.choice(len(images), 3, replace=False)
        reading = read_digits(model, paper_photo(list(images[picks]), rng))
        correct += reading.number == "".join(str(labels[i]) for i in picks)
    return correct / count


def timed(function: Callable[[np.ndarray], object], inputs: list, repeats: int) -> np.ndarray:
    """Milliseconds per call of `function` over `inputs`, cycled for `repeats` calls (after a warm-up)."""
    for item in inputs[:5]:
        function(item)
    times = np.empty(repeats)
    for i in range(repeats):
        item = inputs[i % len(inputs)]
        start = time.perf_counter()
        function(item)
        times[i] = (time.perf_counter() - start) * 1e3
    return times


def stage_times(model: DigitModel, frames: list[np.ndarray], repeats: int) -> list[tuple[str, np.ndarray]]:
    """Per-call times of the whole pipeline and of each of its stages, on the same frames."""
    greys = [cv2.GaussianBlur(working_copy(darkest_channel(f))[0], (3, 3), 0) for f in frames]
    inks = [ink_image(f) for f in frames]
    crops = [np.stack([d.pixels for d in find_digits(ink)]) for ink in inks]
    return [
        ("full pipeline (read_digits)", timed(lambda f: read_digits(model, f), frames, repeats)),
        ("ink image, of which:", timed(ink_image, frames, repeats)),
        ("  grey + shrink to 320x240", timed(lambda f: working_copy(darkest_channel(f)), frames, repeats)),
        ("  ink polarity", timed(is_light_background, greys, repeats)),
        ("  paper brightness (close)", timed(paper_brightness, greys, repeats)),
        ("regions + 28x28 crops", timed(find_digits, inks, repeats)),
        ("int8 inference (1 digit)", timed(model.predict, crops, repeats)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="an exported .tflite (the int8 model for the targets)")
    parser.add_argument("--data", default=None, help="MNIST (default: $EDGE_MNIST or the Keras cache)")
    parser.add_argument("--limit", type=int, default=10_000, help="test digits to photograph")
    parser.add_argument("--numbers", type=int, default=500, help="three-digit numbers to photograph")
    parser.add_argument("--frames", type=int, default=2000, help="frames to time")
    parser.add_argument("--threads", type=int, default=1, help="interpreter threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed-only", action="store_true", help="skip the accuracy part")
    args = parser.parse_args()

    model = DigitModel(args.model, threads=args.threads)
    mnist = load_mnist(args.data)
    x, y = mnist.x_test[: args.limit], mnist.y_test[: args.limit]
    print(f"model {args.model} ({model.input_dtype} input), {len(x)} test digits, OpenCV {cv2.__version__}")
    if not args.speed_only:
        print_accuracy(model, mnist, x, y, args)
    print_speed(model, mnist, args)


def print_accuracy(
    model: DigitModel, mnist: MnistData, x: np.ndarray, y: np.ndarray, args: argparse.Namespace
) -> None:
    """The accuracy table: raw test images, photos (ours, by condition, naive reference), numbers."""
    raw = float((model.predict(x).argmax(axis=1) == y).mean())
    reported = ((model.manifest or {}).get("validation") or {}).get("tflite_accuracy_pct")
    start = time.perf_counter()
    photos = photo_accuracy(model, x, y, args.seed)
    numbers = number_accuracy(model, mnist.x_test, mnist.y_test, args.numbers, args.seed + 1)
    elapsed = time.perf_counter() - start

    print(f"\n{'accuracy':<44} {'%':>7} {'images':>7}")
    print(f"{'raw 28x28 test images':<44} {raw * 100:7.2f} {len(x):7d}")
    if reported is not None:
        print(f"{'  export report (manifest), 10,000 images':<44} {reported:7.2f}")
    for condition in CONDITIONS:
        accuracy, count = photos["ours"].get(condition, (float("nan"), 0))
        label = "photos, flattened paper (ours)" if condition == "all" else f"  {condition}"
        print(f"{label:<44} {accuracy * 100:7.2f} {count:7d}")
    print(f"{'photos, naive global Otsu (reference)':<44} {photos['naive'] * 100:7.2f} {len(x):7d}")
    print(f"{'three-digit numbers, read exactly':<44} {numbers * 100:7.2f} {args.numbers:7d}")
    print(f"(photo generation and reading took {elapsed:.0f} s)")


def print_speed(model: DigitModel, mnist: MnistData, args: argparse.Namespace) -> None:
    """The speed table: the whole per-frame pipeline and each stage, on 640x480 frames."""
    rng = np.random.default_rng(args.seed + 2)
    frames = [paper_photo([mnist.x_test[i]], rng) for i in range(SPEED_PHOTOS)]
    stages = stage_times(model, frames, args.frames)
    total = stages[0][1].mean()
    print(f"\n640x480 frames, one digit, {args.frames} calls per row, {args.threads} interpreter thread(s)")
    print(f"{'stage':<30} {'mean ms':>8} {'p50 ms':>8} {'p90 ms':>8} {'share':>6}")
    for name, times in stages:
        p50, p90 = np.percentile(times, [50, 90])
        print(f"{name:<30} {times.mean():8.3f} {p50:8.3f} {p90:8.3f} {times.mean() / total * 100:5.0f}%")
    median = np.percentile(stages[0][1], 50)
    print(f"full pipeline: {1000 / total:.0f} frames/s (mean), {1000 / median:.0f} frames/s (median)")


if __name__ == "__main__":
    main()
