"""`--orientation auto`: an image in which nothing is read upright is read turned back each other way,
the strongest reading kept and its boxes mapped back to the image (`reading/orientation.py`)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge_runtime.reading import DigitPrediction, Reading
from edge_runtime.reading.orientation import TURNED_BACK, read_any_way_up, turned_back
from edge_runtime.reading.separators import DigitGroup, Written

# how a number upright in a photo is turned clockwise by `degrees`
TURNED = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def _marked(box: tuple[int, int, int, int], shape=(120, 200)) -> np.ndarray:
    image = np.zeros(shape, np.uint8)
    x, y, w, h = box
    image[y : y + h, x : x + w] = 255
    return image


def _box_of(image: np.ndarray) -> tuple[int, int, int, int]:
    return tuple(int(v) for v in cv2.boundingRect(cv2.findNonZero(image)))


def _digit(box, label: str = "7", confidence: float = 0.9) -> DigitPrediction:
    return DigitPrediction(box, label, confidence, [(label, confidence)], np.zeros((28, 28), np.uint8))


def _reads_a_mark_in_the_top_left(image: np.ndarray) -> Reading:
    """A stand-in reader: a 7 where the mark is, when it lies in the image's top left quarter."""
    x, y, w, h = _box_of(image)
    if x + w > image.shape[1] / 2 or y + h > image.shape[0] / 2:
        return Reading([], [_digit((x, y, w, h), "1", 0.2)])
    return Reading([_digit((x, y, w, h))], [], written=Written("7", [DigitGroup("7", (x, y, w, h))]))


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_box_of_the_image_turned_back_maps_to_the_same_pixels_before_the_turn(degrees):
    image = _marked((140, 30, 30, 20))
    back = cv2.rotate(image, TURNED_BACK[degrees])
    digit = _digit(_box_of(back))
    reading = Reading([digit], [digit], written=Written("7", [DigitGroup("7", digit.box)]))
    mapped = turned_back(reading, degrees, image.shape)
    assert mapped.digits[0].box == mapped.rejected[0].box == mapped.groups[0].box == (140, 30, 30, 20)
    assert mapped.text == "7" and mapped.digits[0].label == "7"


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_number_turned_round_is_read_turned_back_with_its_box_in_the_image(degrees):
    upright = _marked((10, 8, 24, 16))
    photo = cv2.rotate(upright, TURNED[degrees])
    reading, turned = read_any_way_up(_reads_a_mark_in_the_top_left, photo)
    assert turned == degrees
    assert reading.number == "7" and reading.digits[0].box == _box_of(photo) == reading.groups[0].box


def _in_turn(*readings: Reading):
    """A stand-in reader answering `readings` in the order they are read: upright, then the image
    turned back 90, 270 and 180 degrees."""
    answers = iter(readings)
    return lambda image: next(answers)


def _number(digits: str, confidence: float = 0.9) -> Reading:
    return Reading([_digit((10 * k, 10, 8, 16), d, confidence) for k, d in enumerate(digits)])


def test_upright_is_kept_unless_a_turned_reading_reads_a_margin_more_or_upright_reads_nothing():
    image, nothing = _marked((10, 8, 24, 16)), Reading([])
    two, three = _number("77"), _number("777")  # 1.8 and 2.7 against upright's 0.9 + 1.25
    reading, turned = read_any_way_up(_in_turn(_number("7"), two, nothing, nothing), image, margin=1.25)
    assert (reading.number, turned) == ("7", 0)
    reading, turned = read_any_way_up(_in_turn(_number("7"), two, three, nothing), image, margin=1.25)
    assert (reading.number, turned) == ("777", 270)
    reading, turned = read_any_way_up(_in_turn(nothing, nothing, nothing, _number("1", 0.5)), image)
    assert (reading.number, turned) == ("1", 180)
    reading, turned = read_any_way_up(_in_turn(_number("7"), two, two, two), image, margin=0.5)
    assert (reading.number, turned) == ("77", 90)  # of equal turned readings the first


def test_nothing_read_any_way_up_is_upright_nothing_with_its_own_regions():
    centre = _marked((90, 50, 20, 20))  # in no top left quarter, whichever way up
    reading, turned = read_any_way_up(_reads_a_mark_in_the_top_left, centre)
    assert (reading.number, turned) == (None, 0)
    assert reading.rejected[0].box == (90, 50, 20, 20)
