"""The evaluation set's generators make what they claim (no model involved): benchmarks/eval_set.py."""

from __future__ import annotations

import json
import re

import cv2
import numpy as np
import pytest

from benchmarks.eval_set import (
    CATEGORIES,
    build_category,
    main,
    non_digit_scene,
    slug,
    tight_crop,
    touching_number,
)
from edge_runtime.samples import block_scan, drawn_digit, ink_crop, paper_photo

ITEMS = 12


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """Synthetic 28x28 digits (white on black), so that the tests need no MNIST file."""
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 10
    return np.stack([drawn_digit(int(d), rng) for d in labels]), labels.astype(np.uint8)


def ink_mask(image: np.ndarray, level: float = 0.5, kernel: int = 61, shrink: float = 0.25) -> np.ndarray:
    """Where a photo's ink is: pixels darker than `level` times the paper around them (a grey close
    with a `kernel` wider than the strokes, on a copy shrunk by `shrink`, erases the ink)."""
    grey = image.min(axis=2) if image.ndim == 3 else image
    ellipse = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel))
    small = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.morphologyEx(small, cv2.MORPH_CLOSE, ellipse), grey.shape[::-1])
    return grey.astype(np.float32) < level * paper.astype(np.float32)


def test_tight_crops_have_ink_on_all_four_edges(digits):
    rng = np.random.default_rng(1)
    for digit in digits[0]:
        image, info = tight_crop(digit, rng)
        grey = (image.min(axis=2) if image.ndim == 3 else image).astype(np.float32)
        away = np.abs(grey - np.median(grey))  # the background is most of the crop, either polarity
        ys, xs = np.nonzero(away > 0.25 * away.max())
        margin = 3  # the 0-2 px crop margin, and a pixel for blur, noise and JPEG
        gaps = (ys.min(), xs.min(), grey.shape[0] - 1 - ys.max(), grey.shape[1] - 1 - xs.max())
        assert max(gaps) <= margin, info
        if info["kind"] == "blocky":
            assert grey.shape[0] == 64 and grey.shape[1] <= 64
            assert len(np.unique(grey)) <= 17 or info["enlarge"] == "linear"
        else:
            assert info["height"] - 2 <= grey.shape[0] <= 1.1 * info["height"] + 5, info  # thick: dilated


def test_small_digits_in_1080p_are_20_to_40_px_tall(digits):
    heights = []
    for item in build_category("small digit 1080p", *digits, 20, seed=2):
        assert item.image.shape == (1080, 1920, 3) and item.expected is not None
        x, y = item.info["position"]
        window = item.image[max(y - 40, 0) : y + 80, max(x - 40, 0) : x + 80]  # the digit and paper around it
        ys, _ = np.nonzero(ink_mask(window, kernel=15, shrink=1.0))
        heights.append(np.ptp(ys) + 1)
    heights = np.array(heights)
    # the ink at half contrast: a faint stroke end (blurred, in blue ink) may fall short of it
    assert heights.max() <= 40 and heights.min() >= 16 and np.mean(heights >= 20) >= 0.9, heights


def test_paper_photo_places_a_tile_at_the_given_height_and_position(digits):
    tile = ink_crop(digits[0][3])
    photo = paper_photo(
        [tile], np.random.default_rng(3), (640, 480), shadow=False, digit_height=60, position=(100, 50)
    )
    ys, xs = np.nonzero(ink_mask(photo))
    assert abs(ys.min() - 50) <= 12 and abs(xs.min() - 100) <= 12
    assert 50 <= np.ptp(ys) + 1 <= 75


@pytest.mark.parametrize("pitch", [1.0, 2.0])
def test_paper_photo_steps_from_tile_to_tile_by_the_given_pitch(digits, pitch):
    """Two tiles of one digit, 60 px tall: the second starts `pitch` tile widths after the first."""
    tile = ink_crop(digits[0][0])
    width = round(60 * tile.shape[1] / tile.shape[0])  # the tile's width at that height
    rng = np.random.default_rng(4)
    photo = paper_photo(
        [tile, tile],
        rng,
        (640, 480),
        ruled=False,
        shadow=False,
        digit_height=60,
        pitch=pitch,
        position=(100, 50),
    )
    _, xs = np.nonzero(ink_mask(photo))
    span = np.ptp(xs) + 1  # from the first tile's left edge to the second's right edge
    assert abs(span - (pitch + 1) * width) <= 0.25 * width, (span, width)


def test_touching_numbers_touch(digits):
    rng = np.random.default_rng(5)
    touching = 0
    for i in range(ITEMS):
        picks = rng.choice(len(digits[0]), 2 + i % 3, replace=False)
        photo, info = touching_number(list(digits[0][picks]), rng)
        count, _, stats, _ = cv2.connectedComponentsWithStats(ink_mask(photo).astype(np.uint8))
        widest = stats[1:, cv2.CC_STAT_WIDTH].max()
        touching += widest >= 1.2 * info["height"]  # one piece of ink wider than a digit: two or more
    assert touching >= 0.75 * ITEMS


def test_numbers_are_well_spaced_and_spell_the_expected_digits(digits):
    for item in build_category("number", *digits, ITEMS, seed=6):
        assert 2 <= len(item.expected) <= 12 and item.expected.isdigit()
        assert item.info["height"] >= 24 and item.image.shape[1] in (640, 1280, 1920)


def test_non_digit_scenes_hold_no_digit_and_vary(digits):
    rng = np.random.default_rng(7)
    kinds = set()
    for _ in range(60):
        image, info = non_digit_scene(rng, digits[0], [])
        kinds.add(info["kind"])
        assert image.dtype == np.uint8 and image.size > 0
        assert not any(c.isdigit() for c in info.get("text", ""))
    assert {"word", "doodle", "paper"} <= kinds and len(kinds) >= 6
    items = build_category("non-digit scene", *digits, 4, seed=8)
    assert all(item.expected is None for item in items)


@pytest.mark.train_extra  # its non-digit scenes are drawn with train/negatives' fonts
def test_the_cli_writes_every_image_and_labels_json(full_mnist, tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, **{k: getattr(full_mnist, k)[:200] for k in ("x_train", "y_train", "x_test", "y_test")})
    main([str(tmp_path / "set"), "--data", str(path), "--per-category", "2", "--seed", "3"])
    labels = json.loads((tmp_path / "set" / "labels.json").read_text())
    texts = json.loads((tmp_path / "set" / "texts.json").read_text())
    files = {str(p.relative_to(tmp_path / "set")) for p in (tmp_path / "set").rglob("*.*")}
    files -= {"labels.json", "texts.json"}
    assert set(labels) == set(texts) == files and len(files) == 2 * len(CATEGORIES)
    for category in CATEGORIES:
        expected = [v for k, v in labels.items() if k.startswith(slug(category) + "/")]
        assert len(expected) == 2
        assert all(v is None for v in expected) == (category in ("non-digit scene", "non-digit surface"))
    for relative, number in labels.items():
        assert number == (re.sub(r"\D", "", texts[relative]) if texts[relative] else None)
    for relative in labels:
        assert cv2.imread(str(tmp_path / "set" / relative), cv2.IMREAD_UNCHANGED) is not None


def test_a_block_scan_counts_the_ink_box_in_blocks():
    ring = np.zeros((28, 28), np.uint8)
    cv2.circle(ring, (14, 14), 9, 255, 3)
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 13:16] = 255
    scan = block_scan(ring, 8)
    assert scan.shape == (8, 8)
    assert np.allclose(scan * 16, np.round(scan * 16)) and scan.max() == 1.0  # 0-16 pixels a block
    assert scan[3:5, 3:5].max() < 0.5 < scan[0].max()  # the hole stays a hole
    assert block_scan(bar, 8).shape[1] <= 2  # a 1 stays a bar, not widened to a square


@pytest.mark.train_extra  # the surfaces print in the held-out fonts
def test_surface_categories_hold_their_text_and_leave_the_others_as_they_were(digits):
    for category in ("price tag", "date/time", "plate", "non-digit surface"):
        for item in build_category(category, *digits, 3, seed=9):
            if category == "price tag":  # its text is what it prints without the currency sign
                assert item.text == item.info["printed"].strip("€$ ")
            digits_of_text = re.sub(r"\D", "", item.text or "") or None
            assert digits_of_text == item.expected and item.suffix in (".png", ".jpg")
    for item in build_category("number", *digits, 3, seed=9):
        assert item.text == item.expected  # a number's text is its digits
    assert slug("date/time") == "date-time"
