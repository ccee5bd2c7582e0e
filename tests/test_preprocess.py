"""Preprocessing into the MNIST contract and digit finding, on generated photos (no model needed)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge_runtime.reading.find import find_groups
from edge_runtime.reading.geometry import crop_roi
from edge_runtime.reading.groups import crop_piece
from edge_runtime.reading.ink import ink_image, is_light_background
from edge_runtime.reading.inputs import DIGIT_BOX, to_mnist
from edge_runtime.reading.policy import DEFAULT
from edge_runtime.reading.recognise import read_mnist_input
from edge_runtime.samples import drawn_digit, paper_photo
from ground.contract import IMAGE_SHAPE, IMAGE_SIDE, NUM_CLASSES


def extract_digits(image: np.ndarray, roi=None) -> list:
    """Each ink group found in `image`, whole, as its 28x28 crop (no model: no splitting, no rejection)."""
    image, to_frame = crop_roi(image, roi)
    if image.shape[:2] == IMAGE_SHAPE:
        recognised = read_mnist_input(image, _undecided, DEFAULT)
        return [p.crop for r in recognised.readings for p in [*r.digits, r.rejected] if p is not None]
    ink = ink_image(image)
    crops = [crop_piece(g) for g in find_groups(ink).groups]
    return [type(c)(to_frame.pixel_box(c.box), c.pixels) for c in crops]


def _undecided(batch: np.ndarray) -> np.ndarray:
    """A stand-in for the digit model: every digit equally likely."""
    return np.full((len(batch), NUM_CLASSES), 1 / NUM_CLASSES, np.float32)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.mark.parametrize("digit", range(10))
def test_a_28x28_mnist_style_input_passes_through_unchanged(digit, rng):
    image = drawn_digit(digit, rng)
    (crop,) = extract_digits(image)
    assert crop.pixels.dtype == np.uint8
    np.testing.assert_array_equal(crop.pixels, image)
    assert crop.box == (0, 0, *IMAGE_SHAPE)


def test_real_mnist_test_digits_pass_through_unchanged(full_mnist):
    for image in full_mnist.x_test[:200]:
        (crop,) = extract_digits(image)
        np.testing.assert_array_equal(crop.pixels, image)


def test_a_dark_on_light_28x28_digit_is_inverted_to_white_on_black(rng):
    image = drawn_digit(3, rng)
    (crop,) = extract_digits(255 - image)
    np.testing.assert_array_equal(crop.pixels, image)


@pytest.mark.parametrize(
    "image",
    [
        np.full((480, 640), 255, np.uint8),
        np.zeros((480, 640, 3), np.uint8),
        np.full((28, 28), 128, np.uint8),
        np.zeros((28, 28), np.uint8),
    ],
    ids=["white", "black", "grey-28x28", "black-28x28"],
)
def test_a_blank_image_has_no_digit(image):
    assert extract_digits(image) == []


def test_to_mnist_follows_the_mnist_recipe(rng):
    canvas = np.zeros((300, 200), np.uint8)
    cv2.putText(canvas, "7", (20, 260), cv2.FONT_HERSHEY_SIMPLEX, 9, 200, 25)
    pixels = to_mnist(canvas)
    ys, xs = np.nonzero(pixels)
    assert pixels.shape == IMAGE_SHAPE and pixels.dtype == np.uint8
    assert max(np.ptp(ys), np.ptp(xs)) + 1 == DIGIT_BOX  # the long side fills the 20x20 box
    moments = cv2.moments(pixels)
    centre = (moments["m10"] / moments["m00"], moments["m01"] / moments["m00"])
    assert np.allclose(centre, (IMAGE_SIDE / 2, IMAGE_SIDE / 2), atol=0.6)
    assert pixels.max() == 255  # strokes brightened to full white as in MNIST


@pytest.mark.parametrize("seed", range(8))
def test_polarity_is_found_whatever_the_lighting(seed):
    rng = np.random.default_rng(seed)
    grey = cv2.cvtColor(paper_photo([drawn_digit(seed, rng)], rng, shadow=True), cv2.COLOR_BGR2GRAY)
    assert is_light_background(grey)
    assert not is_light_background(255 - grey)


def test_flattening_the_paper_keeps_shadows_out_of_the_ink():
    rng = np.random.default_rng(2)  # a photo whose shadow covers about half of the page
    photo = paper_photo([drawn_digit(5, rng)], rng, shadow=True)
    ink = ink_image(photo)
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    _, global_otsu = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    assert (global_otsu > 0).mean() > 0.3  # a global threshold takes the shadow for ink
    assert (ink.ink > ink.ink_threshold).mean() < 0.05  # flattened: only the strokes remain


@pytest.mark.parametrize("seed", range(10))
def test_a_photographed_digit_comes_back_close_to_its_original(seed):
    rng = np.random.default_rng(seed)
    digit = drawn_digit(seed % 10, rng)
    photo = paper_photo([digit], rng)
    (crop,) = extract_digits(photo)
    assert _correlation(crop.pixels, digit) > 0.6


def test_several_digits_are_read_left_to_right(rng):
    digits = [drawn_digit(d, rng) for d in (3, 1, 4)]
    photo = paper_photo(digits, rng, ruled=True, shadow=False)
    crops = extract_digits(photo)
    assert len(crops) == 3
    assert [c.box[0] for c in crops] == sorted(c.box[0] for c in crops)
    for crop, digit in zip(crops, digits, strict=True):
        best = max(range(3), key=lambda i: _correlation(crop.pixels, digits[i]))
        assert digits[best] is digit


def test_a_region_of_interest_limits_the_search_and_keeps_frame_coordinates(rng):
    photo = paper_photo([drawn_digit(2, rng), drawn_digit(8, rng)], rng, shadow=False)
    both = extract_digits(photo)
    assert len(both) == 2
    right = both[1].box
    roi = (right[0] - 10, 0, photo.shape[1] - right[0] + 10, photo.shape[0])
    (crop,) = extract_digits(photo, roi=roi)
    assert abs(crop.box[0] - right[0]) <= 2 and abs(crop.box[1] - right[1]) <= 2
