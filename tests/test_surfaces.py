"""The surfaces' drawing code makes what it claims (no model involved): train/surfaces.py."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from edge_runtime.samples import drawn_digit
from train.negatives import font_files
from train.surfaces import (
    KINDS,
    Deck,
    Sources,
    draw,
    hairline,
    non_digit_surface,
    outlined,
    printed,
    seven_segments,
)

HELD_OUT = font_files(held_out=True)
TRAINING = font_files()
pytestmark = [
    pytest.mark.train_extra,  # Pillow draws the fonts
    pytest.mark.skipif(not HELD_OUT or not TRAINING, reason="no fonts here: scripts/fonts.sh"),
]
WRITTEN = {  # what each kind's text looks like
    "price tag": r"\d{1,3}(\.\d\d)?|\d,\d{3}|\d{1,2},\d\d",
    "date/time": r"\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}|\d\d\.\d\d\.\d{4}|\d\d:\d\d|\d{3} \d{4}",
    "screen": r"\d{1,6}|\d{1,3}\.\d|\d\d:\d\d",
    "seven-segment": r"\d{1,6}|\d+\.\d+",
}


def sources(seed: int, fonts=HELD_OUT) -> Sources:
    """Synthetic handwritten digits (no MNIST file needed) and `fonts`."""
    rng = np.random.default_rng(seed)
    labels = np.arange(30) % 10
    digits = np.stack([drawn_digit(int(d), rng) for d in labels])
    return Sources(Deck(digits, labels.astype(np.uint8), rng), fonts)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_draws_a_camera_photo_and_what_it_shows(kind):
    rng = np.random.default_rng(1)
    for _ in range(2):
        surface = draw(kind, rng, sources(1))
        assert surface.image.dtype == np.uint8 and surface.image.shape in ((480, 640, 3), (720, 1280, 3))
        assert np.ptp(surface.image) > 60  # not a blank frame
        if kind == "non-digit surface":
            assert surface.number is None and surface.text is None
            assert surface.info["content"] in ("word", "blank")
            continue
        assert surface.number is not None and surface.number.isdigit()
        assert "".join(c for c in surface.text if c.isdigit()) == surface.number
        if kind in WRITTEN:
            assert re.fullmatch(WRITTEN[kind], surface.text), surface.text
        else:
            assert surface.text == surface.number and 1 <= len(surface.number) <= 6


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_seed_draws_the_same_photo(kind):
    first, again, other = (draw(kind, np.random.default_rng(s), sources(2)) for s in (5, 5, 6))
    assert np.array_equal(first.image, again.image) and first.text == again.text
    assert not np.array_equal(first.image, other.image) or first.image.shape != other.image.shape


def test_printed_text_is_as_tall_as_asked_and_holds_every_digit():
    for font in HELD_OUT:
        ink = printed("2047", font, 60)
        assert 58 <= ink.shape[0] <= 75 and ink.dtype == np.float32 and ink.max() <= 1.0  # Humor's 7 hangs
        count, _ = cv2.connectedComponents((ink > 0.5).astype(np.uint8))
        assert count - 1 == 4, font.name  # one blob a digit


def test_seven_segments_light_the_digits_segments_with_gaps_between_them():
    rng = np.random.default_rng(3)
    lit, unlit = seven_segments("8.1", 80, rng, slant=8.0)
    assert lit.shape == unlit.shape and lit.shape[0] > 80
    pieces = lambda mask: cv2.connectedComponents((mask > 0.5).astype(np.uint8))[0] - 1  # noqa: E731
    assert pieces(lit) == 7 + 1 + 2  # every segment apart from its neighbours, and the point
    assert pieces(unlit) == 5  # the segments of the 1 that stay dark
    clock, _ = seven_segments("12:45", 80, rng)
    assert pieces(clock) == 2 + 5 + 2 + 4 + 5  # and the colon's two dots
    upright, _ = seven_segments("1", 80, rng)
    slanted, _ = seven_segments("1", 80, rng, slant=10.0)
    assert slanted.shape[1] > upright.shape[1]  # the shear leans the digit


def test_outlined_digits_are_hollow_and_hairlines_thin():
    rng = np.random.default_rng(4)
    blob = np.zeros((28, 28), np.uint8)
    cv2.circle(blob, (14, 14), 9, 255, -1)
    bubble = outlined(blob, 100, rng)
    assert bubble[bubble.shape[0] // 2, bubble.shape[1] // 2] == 0  # the inside left blank
    assert bubble.max() == 255
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 11:17] = 255
    line = hairline(bar, 100, rng)
    assert line.shape[0] >= 60 and (line > 127).sum(axis=1).max() <= 3  # 1-2 px wide


def test_the_sources_given_are_the_only_glyphs_used():
    held_out = {f.stem for f in HELD_OUT}
    rng = np.random.default_rng(5)
    for fonts, expect_held_out in ((HELD_OUT, True), (TRAINING, False)):
        for _ in range(4):
            surface = draw("plate", rng, sources(5, fonts))
            assert (surface.info["font"] in held_out) == expect_held_out
    digits = np.zeros((3, 28, 28), np.uint8)
    digits[:, 4:24, 12:16] = 255  # only ones: every handwritten number is 1s
    deck = Deck(digits, np.ones(3, np.uint8), rng)
    surface = draw("chalkboard", rng, Sources(deck, HELD_OUT))
    assert set(surface.number) == {"1"}


def test_non_digit_surfaces_vary():
    rng = np.random.default_rng(6)
    seen = {
        (s.info["surface"], s.info["content"])
        for s in (non_digit_surface(rng, sources(6)) for _ in range(16))
    }
    assert len({kind for kind, _ in seen}) >= 4 and {content for _, content in seen} == {"word", "blank"}


def test_no_fonts_is_one_clear_error():
    with pytest.raises(ValueError, match="no font files"):
        draw("plate", np.random.default_rng(7), sources(7, []))
