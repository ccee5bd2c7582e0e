"""Accuracy and speed of the on-device pipeline (what `edge classify` and `edge webcam` run).

  .venv/bin/python benchmarks/runtime_bench.py MODEL.tflite [--data mnist.npz] [--per-category 300]
      [--photos 2000] [--seed 0] [--threads 1] [--speed-only] [--no-line-reader] [--json OUT.json]
      [--failures DIR] [--compare REV [--rounds 5]]

1. Accuracy on the raw 28x28 MNIST test images, next to the export report in the model's manifest.
2. The runtime's evaluation set (`eval_set.py`: MNIST test digits, fonts and drawings only), made in
   memory and read with `read_digits`: per category the exact reads, the "no digit" answers
   (`number` is None), wrong numbers and readings with a rejected region, then a breakdown by how
   the images were drawn, a few failures, and the targets with pass/fail (for price tags and
   dates also `Reading.text`, the separators included). For reference, the
   photographed digits also go through a naive pipeline that thresholds the raw grey frame with one
   global Otsu instead of flattening the paper first.
3. Speed of `read_digits` on 640x480 frames with one digit and on 1920x1080 frames with a six-digit
   number (digits 60-120 px tall), on one interpreter thread, and of its stages. With `--compare REV`,
   instead, the same frames read by this checkout and by revision REV in alternating rounds
   (`speed_compare.py`).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import speed_compare
from eval_set import (
    CATEGORIES,
    DEFAULT_PER_CATEGORY,
    FULL_HD,
    SURFACES,
    EvalItem,
    iter_category,
    slug,
    spaced_number,
)

from edge_runtime.interpreter import DigitModel
from edge_runtime.reading import read_digits
from edge_runtime.reading.inputs import to_mnist
from edge_runtime.samples import paper_photo, write_image
from train.data import MnistData, load_mnist

DEFAULT_PHOTOS = 2000  # photographed digits: enough to tell 99.4% from 99.0%
SPEED_FRAMES = 50  # distinct frames per speed test, cycled
SPEED_NUMBER_LENGTH = 6
SPEED_DIGIT_HEIGHT = (60, 120)
EXAMPLES = 4  # failures printed per category
ERROR = "ERROR"  # what an item is read as when read_digits raises
SINGLE_DIGIT = ("tight crop", "small digit 1080p", "photographed digit")
NUMBERS = ("number", "touching number")
NO_DIGIT = ("non-digit scene", "non-digit surface")  # categories whose items show no digit
SURFACE_NUMBERS = tuple(c for c in SURFACES if c not in NO_DIGIT)
WRITTEN = ("price tag", "date/time")  # their text (separators) is a target too


@dataclass(frozen=True)
class Target:
    """A figure the runtime must reach: `share` of the items (in `categories`) for which `hit` holds."""

    name: str
    categories: tuple[str, ...]
    hit: Callable[[str | None, str | None], bool]  # (expected, read) → counts towards the figure
    goal: float  # percent
    at_most: bool = False
    text: bool = False  # compare the texts (with separators), not the numbers


EXACT = lambda expected, read: read == expected  # noqa: E731
NOTHING = lambda expected, read: read is None  # noqa: E731
TARGETS = (
    Target("tight crops read exactly", ("tight crop",), EXACT, 97.0),
    Target("numbers (2-12 digits, touching too) exactly", NUMBERS, EXACT, 95.0),
    Target("small digits (20-40 px in 1080p) exactly", ("small digit 1080p",), EXACT, 95.0),
    Target("non-digit scenes answered 'no digit'", ("non-digit scene",), NOTHING, 95.0),
    Target("one-digit images answered 'no digit'", SINGLE_DIGIT, NOTHING, 1.0, at_most=True),
    Target("photographed digits exactly", ("photographed digit",), EXACT, 99.4),
    *(Target(f"{c} exactly", (c,), EXACT, 95.0) for c in SURFACE_NUMBERS),
    Target("non-digit surfaces answered 'no digit'", ("non-digit surface",), NOTHING, 97.0),
    Target("surface numbers answered 'no digit'", SURFACE_NUMBERS, NOTHING, 1.0, at_most=True),
    *(Target(f"{c} text (separators) exactly", (c,), EXACT, 95.0, text=True) for c in WRITTEN),
)
SPEED_TARGETS = {"640x480, one digit": 500.0, "1920x1080, six-digit number": 60.0}  # frames/s


@dataclass
class Tally:
    """What `read_digits` made of one category's items."""

    expected: list[str | None] = field(default_factory=list)
    read: list[str | None] = field(default_factory=list)
    expected_text: list[str | None] = field(default_factory=list)
    read_text: list[str | None] = field(default_factory=list)
    with_rejects: list[bool] = field(default_factory=list)
    groups: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)  # read_digits raised
    failures: list[tuple[str | None, str | None, dict]] = field(default_factory=list)  # expected, read, info
    seconds: float = 0.0

    def share(self, hit: Callable[[str | None, str | None], bool], text: bool = False) -> float:
        """Percent of the items for which `hit(expected, read)` holds (of the texts, with `text`)."""
        pairs = (
            zip(self.expected_text, self.read_text, strict=True)
            if text
            else zip(self.expected, self.read, strict=True)
        )
        hits = [hit(e, r) for e, r in pairs]
        return 100 * float(np.mean(hits)) if hits else float("nan")


def groups_of(item: EvalItem) -> list[str]:
    """The breakdown rows an item counts in (how it was drawn)."""
    info = item.info
    style = []  # the paper of a photo
    if "ink" in info:
        style = [
            f"{info['ink']} ink",
            "ruled" if info["ruled"] else "plain",
            "shadow" if info["shadow"] else "no shadow",
        ]
    if item.category == "tight crop":
        rows = [f"kind {info['kind']}"]
        if info["kind"] != "blocky":
            band = "24-47" if info["height"] < 48 else "48-119" if info["height"] < 120 else "120-300"
            rows += [f"ink {band} px tall"] + [f"degraded: {d}" for d in info["degraded"].split("+")]
        return rows + [f"{'colour' if item.image.ndim == 3 else 'grey'}"]
    if item.category == "small digit 1080p":
        return [f"ink {'22-27' if info['height'] < 28 else '28-34'} px (before rotation)", *style]
    if item.category == "number":
        length = info["length"]
        return [
            f"{'2-4' if length <= 4 else '5-8' if length <= 8 else '9-12'} digits",
            f"frame {info['frame']}",
            *style,
        ]
    if item.category in ("slanted number", "faint number"):
        length = f"{'2-6' if info['length'] <= 6 else '7-12'} digits"
        if "slant" in info:
            return [length, f"slant {'3-7' if abs(info['slant']) < 7 else '7-12'} degrees"]
        return [length, f"contrast {'30-40' if info['contrast'] < 0.4 else '40-50'}%"]
    if item.category == "touching number":
        band = "below 0.84" if info["pitch"] < 0.84 else "0.84 and up"
        return [f"pitch {band}", f"{'2-3' if info['length'] <= 3 else '4-6'} digits", *style]
    if item.category == "non-digit scene":
        return [f"kind {info['kind']}"] + [s for s in style if s in ("ruled", "shadow")]
    if item.category in SURFACES:
        rows = [f"{info['style']}", f"frame {info['frame']}"]
        return rows + [f"{info['surface']} {info['content']}"] if "surface" in info else rows
    return style


def evaluate(
    model: DigitModel, mnist: MnistData, counts: dict[str, int], seed: int, failures: Path | None
) -> tuple[dict[str, Tally], float | None]:
    """Read every item of the evaluation set; also the naive reference on the photographed digits."""
    tallies: dict[str, Tally] = {}
    naive = None
    for category in CATEGORIES:
        tally = tallies[category] = Tally()
        naive_inputs, naive_labels = [], []
        for item in iter_category(category, mnist.x_test, mnist.y_test, counts[category], seed):
            start = time.perf_counter()
            try:
                reading = read_digits(model, item.image)
                read, text, rejects = reading.number, reading.text, bool(reading.rejected)
            except Exception as error:  # a crash is a result too: counted as a wrong read, and shown
                read, text, rejects = ERROR, ERROR, False
                tally.errors.append(f"{type(error).__name__}: {str(error).strip().splitlines()[-1]}")
            tally.seconds += time.perf_counter() - start
            tally.expected.append(item.expected)
            tally.read.append(read)
            tally.expected_text.append(item.text)
            tally.read_text.append(text)
            tally.with_rejects.append(rejects)
            for group in groups_of(item):
                tally.groups[group].append(read == item.expected)
            if read != item.expected:
                tally.failures.append((item.expected, read, item.info))
                if failures is not None:
                    _save_failure(failures, item, read, len(tally.expected) - 1)
            if category == "photographed digit":
                naive_inputs.append(naive_global_otsu(item.image))
                naive_labels.append(int(item.expected))
        if naive_inputs:
            found = np.array([x is not None for x in naive_inputs])
            stack = np.stack([x if x is not None else np.zeros((28, 28), np.uint8) for x in naive_inputs])
            naive = 100 * float(((model.predict(stack).argmax(axis=1) == naive_labels) & found).mean())
    return tallies, naive


def _save_failure(folder: Path, item: EvalItem, read: str | None, index: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{slug(item.category)}-{index:04d}-expected-{item.expected}-read-{read}{item.suffix}"
    write_image(folder / name, item.image)


def naive_global_otsu(photo: np.ndarray) -> np.ndarray | None:
    """The 28x28 input of the largest dark blob after one global Otsu threshold of the raw grey frame."""
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    x, y, w, h = cv2.boundingRect(max(contours, key=cv2.contourArea))
    return to_mnist(cv2.bitwise_and(255 - grey, binary)[y : y + h, x : x + w])


def print_accuracy(model: DigitModel, mnist: MnistData, args: argparse.Namespace) -> dict:
    """The accuracy tables (raw images, each category, breakdowns, failures, targets); returns them."""
    raw = 100 * float((model.predict(mnist.x_test).argmax(axis=1) == mnist.y_test).mean())
    reported = ((model.manifest or {}).get("validation") or {}).get("tflite_accuracy_pct")
    counts = dict.fromkeys(CATEGORIES, args.per_category) | {"photographed digit": args.photos}
    start = time.perf_counter()
    tallies, naive = evaluate(model, mnist, counts, args.seed, args.failures)
    elapsed = time.perf_counter() - start

    print(
        f"\n{'accuracy':<36} {'images':>7} {'exact%':>7} {'none%':>7} {'wrong%':>7} {'rejects%':>8} {'ms':>6}"
    )
    print(f"{'raw 28x28 test images':<36} {len(mnist.x_test):7d} {raw:7.2f}")
    if reported is not None:
        print(f"{'  export report (manifest)':<36} {'':7} {reported:7.2f}")
    rows = {}
    for category, t in tallies.items():
        n = len(t.read)
        exact, none = t.share(EXACT), t.share(NOTHING)
        wrong = 100 - exact - (none if category not in NO_DIGIT else 0)
        rejects = 100 * float(np.mean(t.with_rejects)) if n else float("nan")
        ms = 1e3 * t.seconds / max(n, 1)
        rows[category] = {"images": n, "exact_pct": exact, "no_digit_pct": none, "wrong_pct": wrong}
        rows[category] |= {"with_rejects_pct": rejects, "ms_per_image": ms, "errors": len(t.errors)}
        print(f"{category:<36} {n:7d} {exact:7.2f} {none:7.2f} {wrong:7.2f} {rejects:8.2f} {ms:6.1f}")
    if naive is not None:
        print(f"{'  photographed, naive global Otsu':<36} {counts['photographed digit']:7d} {naive:7.2f}")
    print("(exact: the number read is the one shown (None for a non-digit scene); none: no digit read;")
    print(" wrong: another number read, or an error; rejects: some region was rejected;")
    print(" ms: read_digits per image)")
    for category, t in tallies.items():
        if t.errors:
            print(f"ERRORS: read_digits raised on {len(t.errors)} {category} image(s), e.g. {t.errors[0]}")

    print(f"\n{'breakdown (exact %)':<44} {'images':>7} {'exact%':>7}")
    for category, t in tallies.items():
        for group in sorted(t.groups):
            hits = t.groups[group]
            print(f"{category + ': ' + group:<44} {len(hits):7d} {100 * np.mean(hits):7.2f}")

    print("\nfailures (first few per category): expected → read  (how the image was drawn)")
    for category, t in tallies.items():
        for expected, read, info in t.failures[:EXAMPLES]:
            print(f"  {category}: {expected} → {read}  {info}")

    results = []
    print(f"\n{'target':<48} {'measured':>9} {'goal':>8}  result")
    for target in TARGETS:
        pooled = Tally()
        for category in target.categories:
            pooled.expected += tallies[category].expected
            pooled.read += tallies[category].read
            pooled.expected_text += tallies[category].expected_text
            pooled.read_text += tallies[category].read_text
        value = pooled.share(target.hit, target.text)
        passed = value <= target.goal if target.at_most else value >= target.goal
        goal = f"{'<=' if target.at_most else '>='}{target.goal:g}%"
        print(f"{target.name:<48} {value:8.2f}% {goal:>8}  {'pass' if passed else 'FAIL'}")
        results.append({"target": target.name, "measured_pct": value, "goal": goal, "passed": passed})
    print(f"(evaluation set made and read in {elapsed:.0f} s)")
    return {"raw_accuracy_pct": raw, "naive_otsu_pct": naive, "categories": rows, "targets": results}


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
    """Per-call times of `read_digits` and, when the pipeline's stage functions are there, of its first
    stages; segmentation and classification are the rest."""
    total = timed(lambda f: read_digits(model, f), frames, repeats)
    rows = [("read_digits", total)]
    try:  # the stages are internal: their names may change, the whole-pipeline figure stays
        from edge_runtime.reading.find import find_groups
        from edge_runtime.reading.ink import ink_image

        inks = [ink_image(f) for f in frames]
        flatten, groups = timed(ink_image, frames, repeats), timed(find_groups, inks, repeats)
        rest = np.full(repeats, total.mean() - flatten.mean() - groups.mean())  # a mean only
        rows += [
            ("  ink image (flatten paper)", flatten),
            ("  ink groups", groups),
            ("  segment + classify (rest)", rest),
        ]
    except (ImportError, AttributeError, TypeError) as error:
        print(f"(stage times unavailable: {error})")
    return rows


def speed_frames(mnist: MnistData, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The frames the speed part reads: 640x480 one-digit photos and 1080p six-digit numbers."""
    rng = np.random.default_rng(seed + 100)
    picks = iter(rng.permutation(len(mnist.x_test)))
    small = [paper_photo([mnist.x_test[next(picks)]], rng) for _ in range(SPEED_FRAMES)]
    large = [
        spaced_number(
            [mnist.x_test[next(picks)] for _ in range(SPEED_NUMBER_LENGTH)],
            rng,
            [FULL_HD],
            SPEED_DIGIT_HEIGHT,
        )[0]
        for _ in range(SPEED_FRAMES)
    ]
    return small, large


def print_speed(model: DigitModel, mnist: MnistData, args: argparse.Namespace) -> dict:
    """Frames/s of `read_digits` on 640x480 one-digit photos and 1080p six-digit numbers; returns them."""
    small, large = speed_frames(mnist, args.seed)
    results = {}
    for (name, goal), frames, repeats in zip(
        SPEED_TARGETS.items(), (small, large), (args.frames, args.frames_1080p), strict=True
    ):
        stages = stage_times(model, frames, repeats)
        total = stages[0][1].mean()
        print(f"\n{name}: {repeats} calls per row, {args.threads} interpreter thread(s)")
        print(f"{'stage':<30} {'mean ms':>8} {'p50 ms':>8} {'p90 ms':>8} {'share':>6}")
        for stage, times in stages:
            p50, p90 = (
                (f"{v:8.3f}" for v in np.percentile(times, [50, 90])) if len(set(times)) > 1 else ("-",) * 2
            )
            print(f"{stage:<30} {times.mean():8.3f} {p50:>8} {p90:>8} {times.mean() / total * 100:5.0f}%")
        mean_fps, median_fps = 1000 / total, 1000 / np.percentile(stages[0][1], 50)
        passed = mean_fps >= goal
        print(
            f"read_digits: {mean_fps:.0f} frames/s (mean), {median_fps:.0f} frames/s (median); "
            f"target >= {goal:g} (mean): {'pass' if passed else 'FAIL'}"
        )
        results[name] = {"mean_fps": mean_fps, "median_fps": median_fps, "goal_fps": goal, "passed": passed}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="an exported .tflite (the int8 model for the targets)")
    parser.add_argument("--data", default=None, help="MNIST (default: $EDGE_MNIST or the Keras cache)")
    parser.add_argument("--per-category", type=int, default=DEFAULT_PER_CATEGORY, help="images per category")
    parser.add_argument("--photos", type=int, default=DEFAULT_PHOTOS, help="photographed digits (one each)")
    parser.add_argument("--frames", type=int, default=500, help="640x480 frames to time")
    parser.add_argument("--frames-1080p", type=int, default=200, help="1920x1080 frames to time")
    parser.add_argument("--threads", type=int, default=1, help="interpreter threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed-only", action="store_true", help="skip the accuracy part")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--failures", type=Path, default=None, help="save every misread image in this folder")
    parser.add_argument(
        "--no-line-reader", action="store_true", help="read without the line reader the manifest names"
    )
    parser.add_argument("--compare", metavar="REV", help="time this checkout against git revision REV")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of --compare")
    args = parser.parse_args()

    start = time.perf_counter()
    model = DigitModel(args.model, threads=args.threads, line_reader=not args.no_line_reader)
    mnist = load_mnist(args.data)
    reader = model.line_reader
    print(f"model {args.model} ({model.input_dtype} input, accept at {model.accept_threshold:.3f}), ", end="")
    print(
        f"line reader {reader.path.name} (accept at {reader.accept_threshold:.3f}), " if reader else "",
        end="",
    )
    print(f"MNIST test digits from {mnist.source}, OpenCV {cv2.__version__}")
    report: dict = {
        "model": str(args.model),
        "line_reader": str(reader.path) if reader else None,
        "seed": args.seed,
        "threads": args.threads,
    }
    if not args.speed_only:
        report["accuracy"] = print_accuracy(model, mnist, args)
    if args.compare:
        frames = dict(zip(speed_compare.SIZES, speed_frames(mnist, args.seed), strict=True))
        repeats = dict(zip(speed_compare.SIZES, (args.frames, args.frames_1080p), strict=True))
        compared = speed_compare.compare(args.model, args.compare, frames, args.rounds, repeats)
        report["speed_compare"] = compared
    else:
        report["speed"] = print_speed(model, mnist, args)
    print(f"\n(whole benchmark: {time.perf_counter() - start:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=float) + "\n")


if __name__ == "__main__":
    main()
