"""The runtime next to the OCR engines a user would otherwise install, on the runtime's evaluation set.

  .venv/bin/python benchmarks/peers.py [--per-category 300] [--categories "number,faint number"]
      [--engines edge,rapidocr,tesseract,ssocr] [--model MODEL.tflite] [--data mnist.npz] [--seed 0]
      [--threads 1] [--json OUT.json]

Every image of `eval_set.py` (MNIST test digits, fonts and drawings; made in memory, once) goes
through every engine, one after the other, on the same machine in one run. An engine's answer is the
digits of the text it found, in its own reading order ("" is "no digit"). Per category and engine:
the exact numbers read, the "no digit" answers (for the non-digit scenes and surfaces: answered
correctly) and milliseconds per image. Engines (`ENGINES`; adding one is one row):

- edge: this project's `read_digits` with the packaged model (or `--model`), as `runtime_bench.py`
  reads;
- rapidocr: RapidOCR (`rapidocr-onnxruntime`, PaddleOCR's PP-OCRv4 detection and recognition models,
  shipped inside its wheel: no download), default settings;
- tesseract: Tesseract 5 (Debian's `tesseract-ocr`, run as a subprocess per image, as `pytesseract`
  does), digits-only whitelist, each page-segmentation mode of `TESSERACT_PSMS`; the table shows its
  best mode per category, and which one it was;
- ssocr: Debian's `ssocr` 2.22, made for seven-segment displays (a subprocess per image, on a
  temporary PNG), any number of digits (`-d -1`), with its defaults and each option set of
  `SSOCR_VARIANTS` (digits only, iterative threshold, light digits on a dark background); the best
  variant per category, as for tesseract. Its "-" and "_" (a digit it could not recognise) count as
  no digit there; exit 1 or 2 (it did not read the number) is "no digit".

Every engine gets `--threads` threads (interpreter, ONNX Runtime, `OMP_THREAD_LIMIT`; ssocr has one).
The peers are a benchmark-only extra, never part of the runtime install:

  pip install -e '.[peers]'          # rapidocr-onnxruntime
  apt-get install -y tesseract-ocr   # Tesseract 5 (Debian 12: 5.3)
  apt-get install -y ssocr           # seven-segment OCR (Debian 12: 2.22.1)

An engine that is not installed is skipped with the reason (`--engines` names it: an error).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.eval_set import CATEGORIES, DEFAULT_PER_CATEGORY, iter_category  # noqa: E402
from edge_runtime.packaged import default_model  # noqa: E402
from ground.atomic import atomic_write_bytes  # noqa: E402
from train.data import load_mnist  # noqa: E402

Reader = Callable[[np.ndarray], str]  # an image (grey or BGR uint8) -> the text an engine found
TESSERACT_PSMS = (6, 7, 8, 11, 13)  # block, line, word, sparse text, raw line
SSOCR_VARIANTS = (  # ssocr's options after `-d -1`: its defaults, then digits only, ...
    (),
    ("-c", "digits"),
    ("-c", "digits", "-T"),  # ... iterative (k-means) threshold, ...
    ("-c", "digits", "-b", "black"),  # ... light segments on a dark background (LEDs, backlit LCDs)
    ("-c", "digits", "-T", "-b", "black"),
)
SSOCR_NOT_READ = (1, 2)  # ssocr's exit codes: another number of digits found, a digit not recognised
NON_DIGIT = "non-digit scene"
NO_DIGIT = (NON_DIGIT, "non-digit surface")  # categories whose items show no digit


class EngineMissing(Exception):
    """An engine cannot run here (not installed); the message says how to install it."""


@dataclass(frozen=True)
class Options:
    """What the engines are set up with."""

    model: Path
    threads: int = 1


@dataclass(frozen=True)
class Engine:
    """A peer: `setup(options)` returns its variants, {variant: reader} ("" when it has one)."""

    name: str
    setup: Callable[[Options], dict[str, Reader]]


# ---- the engines ----------------------------------------------------------------------------------


def edge_setup(options: Options) -> dict[str, Reader]:
    """This project's runtime: `read_digits`'s number ("" for none)."""
    from edge_runtime.interpreter import DigitModel
    from edge_runtime.reading import read_digits

    model = DigitModel(options.model, threads=options.threads)
    return {"": lambda image: read_digits(model, image).number or ""}


def rapidocr_setup(options: Options) -> dict[str, Reader]:
    """RapidOCR's detection, orientation and recognition: its texts in its reading order."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as error:
        raise EngineMissing(f"{error}; pip install -e '.[peers]'") from None
    threads = {"intra_op_num_threads": options.threads, "inter_op_num_threads": 1}
    engine = RapidOCR(**threads)

    def read(image: np.ndarray) -> str:
        found, _ = engine(image)
        return " ".join(text for _, text, _ in found or [])

    return {"": read}


def tesseract_setup(options: Options) -> dict[str, Reader]:
    """Tesseract 5, digits only, one variant per page-segmentation mode."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise EngineMissing("no tesseract on PATH; apt-get install -y tesseract-ocr")
    environment = os.environ | {"OMP_THREAD_LIMIT": str(options.threads)}

    def reader(psm: int) -> Reader:
        command = [binary, "stdin", "stdout", "--psm", str(psm), "-c", "tessedit_char_whitelist=0123456789"]

        def read(image: np.ndarray) -> str:
            png = cv2.imencode(".png", image)[1].tobytes()
            done = subprocess.run(command, input=png, capture_output=True, env=environment, check=False)
            if done.returncode != 0:  # e.g. -8: Tesseract 5.3's psm 7 dies of SIGFPE on some photos
                raise RuntimeError(f"tesseract exited with {done.returncode}: {done.stderr[-200:]!r}")
            return done.stdout.decode(errors="replace")

        return read

    return {f"psm {psm}": reader(psm) for psm in TESSERACT_PSMS}


def ssocr_setup(options: Options) -> dict[str, Reader]:
    """ssocr (seven-segment displays), any number of digits, one variant per `SSOCR_VARIANTS` entry."""
    binary = shutil.which("ssocr")
    if binary is None:
        raise EngineMissing("no ssocr on PATH; apt-get install -y ssocr")

    def reader(flags: tuple[str, ...]) -> Reader:
        def read(image: np.ndarray) -> str:
            with tempfile.NamedTemporaryFile(suffix=".png") as file:
                file.write(cv2.imencode(".png", image)[1].tobytes())
                file.flush()
                command = [binary, "-d", "-1", *flags, file.name]
                done = subprocess.run(command, capture_output=True, check=False)
            if done.returncode in SSOCR_NOT_READ:
                return ""
            if done.returncode != 0:  # 99: e.g. an image it cannot load
                raise RuntimeError(f"ssocr exited with {done.returncode}: {done.stderr[-200:]!r}")
            return done.stdout.decode(errors="replace")

        return read

    return {" ".join(flags) or "defaults": reader(flags) for flags in SSOCR_VARIANTS}


ENGINES = {
    engine.name: engine
    for engine in (
        Engine("edge", edge_setup),
        Engine("rapidocr", rapidocr_setup),
        Engine("tesseract", tesseract_setup),
        Engine("ssocr", ssocr_setup),
    )
}


def digits_of(text: str) -> str | None:
    """The digits of an engine's text, in order; None when there is none ("no digit")."""
    return "".join(re.findall(r"[0-9]", text)) or None


# ---- running --------------------------------------------------------------------------------------


@dataclass
class Score:
    """One engine variant on one category."""

    images: int = 0
    exact: int = 0
    nothing: int = 0
    errors: int = 0
    seconds: float = 0.0
    examples: list[tuple[str | None, str | None]] = field(default_factory=list)  # a few misreads

    def add(self, expected: str | None, read: str | None, seconds: float) -> None:
        """Count one answer."""
        self.images += 1
        self.exact += read == expected
        self.nothing += read is None
        self.seconds += seconds
        if read != expected and len(self.examples) < 3:
            self.examples.append((expected, read))

    def row(self) -> dict:
        """The figures: exact %, no-digit %, ms per image."""
        n = max(self.images, 1)
        return {
            "images": self.images,
            "exact_pct": 100 * self.exact / n,
            "no_digit_pct": 100 * self.nothing / n,
            "ms_per_image": 1e3 * self.seconds / n,
            "errors": self.errors,
            "examples": self.examples,
        }


def read_timed(reader: Reader, image: np.ndarray) -> tuple[str | None, float, bool]:
    """`reader`'s digits for `image`, its seconds, and whether it raised (then: no digit)."""
    start = time.perf_counter()
    try:
        read, failed = digits_of(reader(image)), False
    except Exception:  # a crash is an answer too: counted as no digit, and shown
        read, failed = None, True
    return read, time.perf_counter() - start, failed


def run(
    readers: dict[tuple[str, str], Reader],
    images: np.ndarray,
    labels: np.ndarray,
    counts: dict[str, int],
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[tuple[str, str], Score]]:
    """Every (engine, variant) reader on each category's `counts` items: {category: {key: Score}}."""
    scores: dict[str, dict[tuple[str, str], Score]] = {}
    for category, count in counts.items():
        scores[category] = {key: Score() for key in readers}
        start = time.perf_counter()
        for item in iter_category(category, images, labels, count, seed):
            for key, reader in readers.items():
                read, seconds, failed = read_timed(reader, item.image)
                scores[category][key].add(item.expected, read, seconds)
                scores[category][key].errors += failed
        if progress:
            progress(f"{category}: {count} images in {time.perf_counter() - start:.0f} s")
    return scores


def best_rows(scores: dict[str, dict[tuple[str, str], Score]]) -> dict[str, dict[str, dict]]:
    """Per category and engine, its best variant's row (most exact answers; `variant` names it)."""
    table: dict[str, dict[str, dict]] = {}
    for category, by_key in scores.items():
        table[category] = {}
        for (engine, variant), score in by_key.items():
            row = score.row() | {"variant": variant}
            held = table[category].get(engine)
            if held is None or row["exact_pct"] > held["exact_pct"]:
                table[category][engine] = row
    return table


def markdown_table(table: dict[str, dict[str, dict]]) -> str:
    """The table as markdown: a row per category, per engine exact %, no-digit % and ms per image."""
    engines = list(next(iter(table.values())))
    header = ["category", "images"]
    for engine in engines:
        header += [f"{engine} exact %", f"{engine} no digit %", f"{engine} ms"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for category, rows in table.items():
        cells = [category, str(next(iter(rows.values()))["images"])]
        for engine in engines:
            row = rows[engine]
            variant = f" ({row['variant']})" if row["variant"] else ""
            no_digit = f"{row['no_digit_pct']:.1f}" + (" ✓" if category in NO_DIGIT else "")
            cells += [f"{row['exact_pct']:.1f}{variant}", no_digit, f"{row['ms_per_image']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def set_up(names: Sequence[str], options: Options, required: bool) -> tuple[dict, dict[str, str]]:
    """The readers of the engines `names`, {(engine, variant): reader}, and {engine: why skipped}."""
    readers, skipped = {}, {}
    for name in names:
        try:
            variants = ENGINES[name].setup(options)
        except EngineMissing as error:
            if required:
                raise
            skipped[name] = str(error)
            continue
        readers |= {(name, variant): reader for variant, reader in variants.items()}
    return readers, skipped


def listed(text: str, allowed: Sequence[str], what: str) -> list[str]:
    """A comma-separated list of names, each one of `allowed`."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise ValueError(f"unknown {what} {', '.join(unknown) or '(none)'}; expected: {', '.join(allowed)}")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-category", type=int, default=DEFAULT_PER_CATEGORY, help="images per category")
    parser.add_argument("--categories", default=",".join(CATEGORIES), help="comma-separated categories")
    parser.add_argument("--engines", default=None, help=f"comma-separated, of {', '.join(ENGINES)} (all)")
    parser.add_argument("--model", "-m", type=Path, default=None, help="the edge model (packaged)")
    parser.add_argument("--data", default=None, help="MNIST (default: $EDGE_MNIST or the Keras cache)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="threads each engine may use")
    parser.add_argument("--json", type=Path, default=None, help="also write the table to this JSON file")
    args = parser.parse_args(argv)
    try:
        categories = listed(args.categories, CATEGORIES, "category")
        engines = listed(args.engines or ",".join(ENGINES), list(ENGINES), "engine")
        options = Options(args.model or default_model(), args.threads)
        readers, skipped = set_up(engines, options, required=args.engines is not None)
        mnist = load_mnist(args.data)
    except (ValueError, EngineMissing, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name, reason in skipped.items():
        print(f"skipped {name}: {reason}")
    print(f"model {options.model}, {args.threads} thread(s), MNIST test digits from {mnist.source}")
    counts = dict.fromkeys(categories, args.per_category)
    start = time.perf_counter()
    scores = run(readers, mnist.x_test, mnist.y_test, counts, args.seed, progress=print)
    table = best_rows(scores)
    print()
    print(markdown_table(table))
    print("\n(exact: the number read is the one shown; no digit: answered nothing (✓: correctly, no digit")
    print(" shown); ms: per image; a variant in brackets: the engine's best one for that category)")
    for category, by_key in scores.items():
        for (engine, variant), score in by_key.items():
            label = f"{engine} {variant}".strip()
            print(f"  {category}, {label}: exact {score.row()['exact_pct']:.1f}%, examples {score.examples}")
            if score.errors:
                print(f"  ERRORS: {label} raised on {score.errors} {category} image(s)")
    print(f"(whole run: {time.perf_counter() - start:.0f} s)")
    if args.json:
        every = {c: {f"{e} {v}".strip(): s.row() for (e, v), s in by.items()} for c, by in scores.items()}
        report = {"model": str(options.model), "seed": args.seed, "threads": args.threads, "skipped": skipped}
        report |= {"best": table, "every_variant": every, "versions": versions()}
        atomic_write_bytes(args.json, (json.dumps(report, indent=1) + "\n").encode())
    return 0


def versions() -> dict[str, str | None]:
    """The engines' versions, for the record."""
    found: dict[str, str | None] = {"opencv": cv2.__version__}
    for package in ("ai-edge-litert", "rapidocr-onnxruntime", "onnxruntime"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    for program in ("tesseract", "ssocr"):
        binary = shutil.which(program)
        if binary:
            out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
            found[program] = out.splitlines()[0] if out else None
    return found


if __name__ == "__main__":
    sys.exit(main())
