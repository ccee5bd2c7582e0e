"""The peer benchmark's own parts (benchmarks/peers.py): answers, counting, the table, the registry.

The tests that run a peer engine skip, saying how to install it, where it is missing (the peers are a
benchmark-only extra, not in the test venvs).
"""

from __future__ import annotations

import importlib.util
import shutil

import cv2
import numpy as np
import pytest

from benchmarks.peers import (
    ENGINES,
    NON_DIGIT,
    Options,
    Score,
    best_rows,
    digits_of,
    main,
    markdown_table,
    run,
    set_up,
)
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit

OPTIONS = Options(PACKAGED_MODEL)
SEGMENT_BOXES = {  # a seven-segment digit on a 5x9 grid: (x0, y0, x1, y1); the segments meet only at corners
    "a": (1, 0, 4, 1), "b": (4, 1, 5, 4), "c": (4, 5, 5, 8), "d": (1, 8, 4, 9),
    "e": (0, 5, 1, 8), "f": (0, 1, 1, 4), "g": (1, 4, 4, 5),
}  # fmt: skip
DIGIT_SEGMENTS = dict(
    zip("0123456789", "abcdef bc abdeg abcdg bcfg acdfg acdefg abc abcdefg abcdfg".split(), strict=True)
)


def printed_number(text: str) -> np.ndarray:
    """`text` printed large and black on a white 320x160 image, with a margin."""
    image = np.full((160, 320), 255, np.uint8)
    cv2.putText(image, text, (30, 110), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 0, 8, cv2.LINE_AA)
    return image


def seven_segment_display(text: str, unit: int = 10) -> np.ndarray:
    """`text`'s digits as black seven-segment glyphs on white, `unit` pixels a grid step, a 3-unit margin."""
    image = np.full((15 * unit, (7 * len(text) + 4) * unit), 255, np.uint8)
    for place, digit in enumerate(text):
        for segment in DIGIT_SEGMENTS[digit]:
            x0, y0, x1, y1 = SEGMENT_BOXES[segment]
            corners = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)]) + (3 + 7 * place, 3)
            cv2.fillPoly(image, [corners * unit], 0)
    return image


def test_digits_of_keeps_the_digits_in_order_and_nothing_is_no_digit():
    assert digits_of("Room 12, floor 3") == "123"
    assert digits_of("20 24\n") == "2024"
    assert digits_of("EXIT") is None
    assert digits_of("") is None


def test_score_counts_exact_and_no_digit_answers():
    score = Score()
    score.add("12", "12", 0.010)
    score.add("12", None, 0.030)
    score.add("7", "1", 0.020)
    row = score.row()
    assert row["images"] == 3
    assert row["exact_pct"] == pytest.approx(100 / 3)
    assert row["no_digit_pct"] == pytest.approx(100 / 3)
    assert row["ms_per_image"] == pytest.approx(20.0)
    assert row["examples"] == [("12", None), ("7", "1")]


def test_best_rows_keep_each_engines_best_variant_and_name_it():
    def score(exact: int) -> Score:
        s = Score()
        for i in range(4):
            s.add("5", "5" if i < exact else None, 0.001)
        return s

    scores = {"number": {("edge", ""): score(3), ("tess", "psm 6"): score(1), ("tess", "psm 7"): score(2)}}
    table = best_rows(scores)
    assert table["number"]["edge"]["exact_pct"] == 75.0
    assert table["number"]["tess"]["variant"] == "psm 7"
    assert table["number"]["tess"]["exact_pct"] == 50.0


def test_markdown_table_has_a_row_per_category_and_three_columns_per_engine():
    row = {"images": 4, "exact_pct": 75.0, "no_digit_pct": 25.0, "ms_per_image": 12.3, "variant": ""}
    table = {
        "number": {"edge": row, "tess": row | {"variant": "psm 7"}},
        NON_DIGIT: {"edge": row, "tess": row | {"variant": "psm 11"}},
    }
    lines = markdown_table(table).splitlines()
    assert len(lines) == 4
    assert lines[0].count("|") == 2 + 3 * 2 + 1
    assert lines[2] == "| number | 4 | 75.0 | 25.0 | 12 | 75.0 (psm 7) | 25.0 | 12 |"
    assert "25.0 ✓" in lines[3] and "(psm 11)" in lines[3]  # no digit there is the right answer


def test_run_scores_every_reader_on_the_same_items():
    rng = np.random.default_rng(0)
    labels = np.arange(20) % 10
    images = np.stack([drawn_digit(int(d), rng) for d in labels])
    silent = lambda image: ""  # noqa: E731 - an engine that never finds anything
    shapes = []
    readers = {("silent", ""): silent, ("spy", ""): lambda image: shapes.append(image.shape) or "x"}
    counts = {"tight crop": 3, NON_DIGIT: 2}
    scores = run(readers, images, labels.astype(np.uint8), counts)
    assert scores["tight crop"][("silent", "")].row()["no_digit_pct"] == 100.0
    assert scores["tight crop"][("silent", "")].row()["exact_pct"] == 0.0
    assert scores[NON_DIGIT][("silent", "")].row()["exact_pct"] == 100.0
    assert len(shapes) == 5


def test_the_registry_holds_the_runtime_and_its_peers():
    assert {"edge", "rapidocr", "tesseract", "ssocr"} <= set(ENGINES)
    assert all(name == engine.name for name, engine in ENGINES.items())


def test_the_runtime_reads_a_printed_number_through_the_registry():
    readers, skipped = set_up(["edge"], OPTIONS, required=True)
    assert skipped == {}
    assert digits_of(readers[("edge", "")](printed_number("47"))) == "47"


def test_an_unknown_engine_is_one_error_line(capsys):
    assert main(["--engines", "edge,abbyy", "--per-category", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown engine abbyy") and err.count("\n") == 1


@pytest.mark.skipif(
    importlib.util.find_spec("rapidocr_onnxruntime") is None,
    reason="RapidOCR not installed: pip install -e '.[peers]'",
)
def test_rapidocr_reads_a_printed_number():
    readers, _ = set_up(["rapidocr"], OPTIONS, required=True)
    assert digits_of(readers[("rapidocr", "")](printed_number("47"))) == "47"


@pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract not installed: apt-get install tesseract-ocr"
)
def test_tesseract_reads_a_printed_number_in_line_mode():
    readers, _ = set_up(["tesseract"], OPTIONS, required=True)
    assert {variant for _, variant in readers} == {"psm 6", "psm 7", "psm 8", "psm 11", "psm 13"}
    assert digits_of(readers[("tesseract", "psm 7")](printed_number("47"))) == "47"


@pytest.mark.skipif(shutil.which("ssocr") is None, reason="ssocr not installed: apt-get install ssocr")
def test_ssocr_reads_a_drawn_seven_segment_display_with_the_variants_for_its_polarity():
    readers, _ = set_up(["ssocr"], OPTIONS, required=True)
    display = seven_segment_display("1234")  # black segments on white, as an LCD
    dark = {variant: digits_of(read(display)) for (_, variant), read in readers.items()}
    light = {variant: digits_of(read(255 - display)) for (_, variant), read in readers.items()}  # as LEDs
    for_dark = ["defaults", "-c digits", "-c digits -T"]
    for_light = ["-c digits -b black", "-c digits -T -b black"]
    assert list(dark) == for_dark + for_light
    assert dark == dict.fromkeys(for_dark, "1234") | dict.fromkeys(for_light, None)
    assert light == dict.fromkeys(for_dark, None) | dict.fromkeys(for_light, "1234")
