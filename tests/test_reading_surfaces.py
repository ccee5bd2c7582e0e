"""Digits on surfaces besides paper through `edge classify --json` (the packaged model): a house number
on a plate inside its outline, light digits on a dark screen in its bezel, a six-digit LED display,
a price on a red tag, blank plates, words on screens, blank LCD displays, a lone LED digit, prices on
tags of every colour, printed dates and house numbers photographed on their side (`--orientation
auto`), each drawn by `train.surfaces` and asserted as a rate over 30 photos (60 for the words on
screens). The rates say what the reading does today (frames and surfaces, `reading/nesting.py`;
bars gathered into digits, `reading/segments.py`; lit and coloured looks, `reading/pipeline.py`; the
digit model trained on surface digits), still short of the issue's goal (22): each sits a photo or
two below what it measured."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from benchmarks.eval_set import iter_category
from edge_runtime.cli import app
from edge_runtime.samples import drawn_digit, write_image
from train.negatives import font_files
from train.surfaces import Deck, Sources, Surface, date_time, plate, price_tag, screen, seven_segment

PHOTOS = 30
HELD_OUT = font_files(held_out=True)
pytestmark = [
    pytest.mark.train_extra,  # Pillow draws the fonts
    pytest.mark.skipif(not HELD_OUT, reason="no fonts here: scripts/fonts.sh"),
]


def _sources(seed: int) -> Sources:
    """Synthetic handwritten digits (no MNIST file needed) and the held-out fonts, as the evaluation
    set draws its surfaces."""
    rng = np.random.default_rng(seed)
    labels = np.arange(30) % 10
    digits = np.stack([drawn_digit(int(d), rng) for d in labels])
    return Sources(Deck(digits, labels.astype(np.uint8), rng), HELD_OUT)


def _readings(
    make: Callable[..., Surface], folder: Path, seed: int, *options: str
) -> list[tuple[dict, str | None]]:
    """`edge classify --json` (with `options`) of `PHOTOS` photos drawn by `make`, in the order drawn,
    each with the number the photo shows (None for none)."""
    rng, sources = np.random.default_rng(seed), _sources(seed)
    expected = {}
    for index in range(PHOTOS):
        surface = make(rng, sources)
        path = write_image(folder / f"{index:02d}.png", surface.image)
        expected[str(path)] = surface.number
    result = CliRunner().invoke(app, ["classify", *expected, "--json", *options])
    assert result.exit_code == 0, result.output
    readings = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in readings] == list(expected)
    return [(r, expected[r["path"]]) for r in readings]


def _share_read(make: Callable[..., Surface], folder: Path, seed: int, *options: str) -> float:
    """The share of the photos `_readings` reads exactly (no digit where the surface shows none)."""
    return sum(r["number"] == number for r, number in _readings(make, folder, seed, *options)) / PHOTOS


def _count_read(make: Callable[..., Surface], folder: Path, seeds: tuple[int, ...]) -> int:
    """How many of `PHOTOS` photos for each of `seeds` `_readings` reads exactly."""
    read = 0.0
    for seed in seeds:
        (drawn := folder / str(seed)).mkdir()
        read += _share_read(make, drawn, seed)
    return round(read * PHOTOS)


def test_a_house_number_on_a_plate_inside_its_outline_is_read(tmp_path):
    """The outline is a frame: dropped for the digits it holds, and the plate inside it read with no
    ruled lines looked for, nor in the whole coloured scene (30 of these 30 read; 28 with ruled lines
    looked for in the scene, 20 while its 1s and straight strokes were cut out as margin lines on the
    plate too, 19 before a frame's edge beside a number was dropped, 6 with the frames alone, none
    before)."""
    assert _share_read(plate, tmp_path, seed=3) >= 0.9


def test_light_digits_on_a_dark_screen_in_its_bezel_are_read(tmp_path):
    """The screen is a surface read with its own ground, polarity and threshold, and again at its
    strongest ink when a glare band is cut off by its edge (25 of these 30 read; 24 before that, 25
    with ruled lines looked for in the coloured scene, 20 with the whole image's ground, 19 with
    ruled lines looked for on it, 10 with the surfaces alone, none before)."""
    assert _share_read(screen, tmp_path, seed=4) >= 0.7


def test_a_slanted_displays_decimal_point_is_read_under_its_digit(tmp_path):
    """A slanted seven-segment display's point sits under its digit's right side, which the digit's
    top overhangs: no mark lies between the two digits' boxes, and the point was lost (4.3 read 43).
    Of the first 20 slanted displays with a point drawn here, 19 read right, each with its point (10
    of them before)."""
    rng, sources = np.random.default_rng(23), _sources(23)
    expected = {}
    while len(expected) < 20:
        surface = seven_segment(rng, sources, count=int(rng.integers(2, 7)))
        if "." in (surface.text or "") and surface.info["slanted"]:
            expected[str(write_image(tmp_path / f"{len(expected):02d}.png", surface.image))] = surface
    result = CliRunner().invoke(app, ["classify", *expected, "--json"])
    assert result.exit_code == 0, result.output
    readings = [json.loads(line) for line in result.stdout.splitlines()]
    read = [
        (r["text"], expected[r["path"]].text) for r in readings if r["number"] == expected[r["path"]].number
    ]
    assert len(read) >= 16
    assert sum(text == shown for text, shown in read) >= 0.9 * len(read)


def test_a_blank_plate_reads_no_digit(tmp_path):
    """Its outline is a blank frame and its brick or wood wall no number (29 of these 30 read no digit;
    27 before a lone 1 read below 0.9 in a coloured scene was taken for an edge; 25 with ruled lines
    looked for in the coloured scene, since a lone, unsure 0 much wider than tall
    is taken for an outline; 23 before, 24 before a look
    that accepts nothing was read again at its strongest ink; 27 with the model before the surface
    digits: brick mortar's loose joints read as 1s)."""
    assert _share_read(lambda rng, sources: plate(rng, sources, "blank"), tmp_path, seed=5) >= 0.8


def test_a_word_lit_on_a_screen_reads_no_digit(tmp_path):
    """OPEN, MENU, EXIT lit on a dark screen in its bezel: a word's straight strokes read as 1s beside a
    letter read as nothing are no number, the letter no currency sign before them, and where the
    screen read alone holds such a word, a 1 read in the whole scene there is one of its strokes (57
    of these 60 read no digit, 56 before the second rule, 55 before both; one in ten such words still
    reads as digits: SHOP as 5140)."""
    worded = lambda rng, sources: screen(rng, sources, "word")  # noqa: E731
    assert _count_read(worded, tmp_path, (17, 19)) >= 56


def test_a_blank_screen_with_its_glare_band_reads_no_digit(tmp_path):
    """A glare band across a blank screen's glass reads as a slanted 1: in the screen read alone, or
    lit, its edges fade over more than a tenth of its height, and it is dropped (54 of these 60 read
    no digit, 50 before the screen read alone was taken for part of a scene and every 1 of a lit look
    for a lit one; the rest read a band's brightest stretch, or its edge on the bezel, as a 1 or 0)."""
    blank = lambda rng, sources: screen(rng, sources, "blank")  # noqa: E731
    assert _count_read(blank, tmp_path, (2, 3)) >= 53


def test_a_blank_lcd_display_with_its_unlit_segments_reads_no_digit(tmp_path):
    """Unlit segments, 5-12% darker than the window, are as dark as no digit is printed or lit: a line
    whose digits barely stand out from the ground around them is dropped (28 of these 30 read no
    digit, 26 before)."""
    blank = lambda rng, sources: seven_segment(rng, sources, "blank", style="LCD")  # noqa: E731
    assert _share_read(blank, tmp_path, seed=10) >= 27 / PHOTOS


def test_a_blank_displays_window_or_bezel_read_as_a_digit_is_its_rim(tmp_path):
    """A blank display's window or its housing, read as a 0 or a 2 whose ink runs along three or four
    sides of its box (`shapes.a_rim`), is dropped with its line (its edge read as a 1 beside it): 60
    of these 60 read no digit, 58 before."""
    blank = lambda rng, sources: seven_segment(rng, sources, "blank")  # noqa: E731
    assert _count_read(blank, tmp_path, (3, 5)) >= 59


def test_a_six_digit_seven_segment_led_display_is_read(tmp_path):
    """Its bars are gathered into digits (reading/segments.py) and its coloured light read lit
    (ink.lit_as_ink): 24 of these 30 read (20 at f9466a8, before session 34's seven-segment and edge
    rules; 15 when the bars were first gathered), none before."""
    six_digits = lambda rng, sources: seven_segment(rng, sources, count=6, style="LED")  # noqa: E731
    assert _share_read(six_digits, tmp_path, seed=6) >= 0.55


def test_lit_digits_joined_to_a_glare_band_or_a_lit_edge_are_read_without_them(tmp_path):
    """A screen's glare band joins its first digits or hides them, and a display's lit edge joins its
    digits: a colour scene with a dark ground is read lit without its long light bands and areas too
    (`ink.lit_without_bands`), taken when it reads more (57 of these 60 read, 50 without it)."""
    led = lambda rng, sources: seven_segment(rng, sources, count=6, style="LED")  # noqa: E731
    (tmp_path / "screens").mkdir(), (tmp_path / "displays").mkdir()
    screens, displays = (
        _share_read(make, tmp_path / name, seed=41) for make, name in ((screen, "screens"), (led, "displays"))
    )
    assert (screens + displays) * PHOTOS >= 55


def test_a_lone_digit_on_an_led_display_is_read(tmp_path):
    """Its dark window can read as an unsure 0 and a segment alone on the display's surface as a 1:
    the lit look is taken when it reads stronger, and the view's reading when it reads the surface
    stronger (25 of these 30 read; 20 when only a look reading nothing was read again lit)."""
    one_digit = lambda rng, sources: seven_segment(rng, sources, count=1, style="LED")  # noqa: E731
    assert _share_read(one_digit, tmp_path, seed=9) >= 0.77


def test_a_price_on_a_red_tag_is_read(tmp_path):
    """12.50 in held-out fonts, its dot a separator (27 of these 30 read; 26 at f9466a8, before session
    34's seven-segment and edge rules; 25 before surfaces were also
    looked for in the ink without its thin lines, a brick wall's mortar; 24 with ruled lines looked
    for in the coloured scene, 21 with ruled lines looked for on the tag too)."""
    twelve_fifty = lambda rng, sources: price_tag(rng, sources, price="12.50", colour="red")  # noqa: E731
    assert _share_read(twelve_fifty, tmp_path, seed=7) >= 0.7


def test_prices_on_tags_of_every_colour_on_walls_are_read(tmp_path):
    """A tag's edges join its digits in the darkest and the brightest channel; lit, the tag is a surface
    read with its own polarity, and a tag's edge read as a 1 after the price is dropped (27 of these
    30 read; 26 before a look with a glare band cut off by its edge was read again at its strongest
    ink, 25 before an 8 with a dollar's loops was a dollar sign, 24 with ruled lines looked for in the
    coloured scene, 18 before the lit look)."""
    assert _share_read(price_tag, tmp_path, seed=13) >= 0.77


def test_a_pale_tag_on_a_dark_brick_wall_is_read_though_a_joint_reads_as_a_lone_1(tmp_path):
    """The evaluation set's 41st price tag of seed 21 ("$358.48" on a pink tag, the wall darkened by the
    light's falloff): too little colour to count as coloured, its darkest channel reads a wall joint as
    a lone 1 (unsurely) and nothing else; read in its brightest channel too, as when nothing is read,
    it is the price (read "1" at cb17ffa). The price tags are drawn from fonts only, so the deck of
    digits, blank here, draws nothing; it only takes the generator's first numbers, as MNIST's does."""
    blank = np.zeros((10_000, 28, 28), np.uint8)
    *_, tag = iter_category("price tag", blank, blank[:, 0, 0], 41, seed=21, fonts=HELD_OUT)
    path = write_image(tmp_path / "tag.png", tag.image)
    result = CliRunner().invoke(app, ["classify", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert (tag.expected, json.loads(result.stdout)["number"]) == ("35848", "35848")


def test_a_tag_read_alone_keeps_its_decimal_point_where_the_whole_wall_reads_the_same_digits(tmp_path):
    """The evaluation set's 8th price tag of seed 7 ("173.38" on a pink tag on a brick wall): its tag,
    read alone, reads 173.38, point and all; the whole scene's brightest channel reads the same digits,
    one 3 surer because the point and a joint above the tag joined it, so the point was lost (read
    "17338" at 4a56141). The same digits read on the whole scene no longer take over a surface's."""
    blank = np.zeros((10_000, 28, 28), np.uint8)
    *_, tag = iter_category("price tag", blank, blank[:, 0, 0], 8, seed=7, fonts=HELD_OUT)
    path = write_image(tmp_path / "tag.png", tag.image)
    result = CliRunner().invoke(app, ["classify", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert (tag.text, json.loads(result.stdout)["text"]) == ("173.38", "173.38")


def test_dates_times_and_phone_numbers_on_signs_are_read(tmp_path):
    """Printed on paper or on a sign on a wall (29 of these 30 read; 28 with ruled lines looked for in
    coloured scenes, 24 before the lit look read tags)."""
    assert _share_read(date_time, tmp_path, seed=13) >= 0.9


def test_a_house_number_photographed_on_its_side_or_upside_down_is_read_with_orientation_auto(tmp_path):
    """Each plate turned 90, 180 or 270 degrees at random is read turned back when that reads clearly
    more than upright (23 of these 30 read, each number of two digits or more said turned as it was;
    a lone 2 and a lone 7 read as well upside down; none read without --orientation auto). Upright
    wins unless a turned reading is a margin stronger (`test_orientation.py`)."""
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    turned: list[int] = []

    def turned_plate(rng: np.random.Generator, sources: Sources) -> Surface:
        surface, degrees = plate(rng, sources), int(rng.choice(list(turns)))
        turned.append(degrees)
        return replace(surface, image=cv2.rotate(surface.image, turns[degrees]))

    readings = _readings(turned_plate, tmp_path, 5, "--orientation", "auto")
    right = [
        (r, degrees) for (r, number), degrees in zip(readings, turned, strict=True) if r["number"] == number
    ]
    assert len(right) >= 0.7 * PHOTOS
    assert all(r["turned"] == degrees for r, degrees in right if len(r["number"]) > 1)
