"""The generated training data for rejection: negatives, printed digits, digits cut from touching ones."""

from __future__ import annotations

import numpy as np
import pytest

from train.negatives import (
    HELD_OUT_FONT_FAMILIES,
    KINDS,
    cut_digits,
    font_digits,
    font_files,
    negative_images,
    not_a_one,
)

pytestmark = pytest.mark.train_extra  # Pillow draws the fonts


@pytest.fixture(scope="module")
def digits(full_mnist) -> tuple[np.ndarray, np.ndarray]:
    return full_mnist.x_train[:2000], full_mnist.y_train[:2000]


def test_held_out_fonts_never_reach_training():
    training = font_files()
    assert not any(f.lower() in p.name.lower() for p in training for f in HELD_OUT_FONT_FAMILIES)
    assert all(
        any(f.lower() in p.name.lower() for f in HELD_OUT_FONT_FAMILIES) for p in font_files(held_out=True)
    )


def test_negatives_are_seeded_mnist_style_and_of_every_kind(digits):
    x, _ = digits
    first = negative_images(300, x, seed=3)
    assert first.shape == (300, 28, 28) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, negative_images(300, x, seed=3))
    assert not np.array_equal(first, negative_images(300, x, seed=4))
    assert (first.reshape(300, -1).max(axis=1) > 128).mean() > 0.95  # ink, white on black
    for kind in KINDS:
        assert negative_images(5, x, seed=0, kinds=[kind]).any(), kind.name


def test_no_negative_is_shaped_like_a_one(digits):
    """Thin upright strokes are 1s whatever drew them: none may be taught as "not a digit"."""
    x, _ = digits
    cropped = [k for k in KINDS if k.cropped]
    for image in negative_images(400, x, seed=1, kinds=cropped):
        ys, xs = np.nonzero(image > 64)
        assert np.ptp(xs) + 1 >= 0.35 * (np.ptp(ys) + 1)


def test_printed_digits_are_labelled_and_seeded():
    images, labels = font_digits(50, seed=2)
    assert images.shape == (50, 28, 28) and labels.shape == (50,) and set(labels) <= set(range(10))
    np.testing.assert_array_equal(images, font_digits(50, seed=2)[0])


def test_pieces_cut_from_touching_digits_are_right_or_wrong(digits):
    x, y = digits
    right, labels, wrong = cut_digits(60, x, y, seed=0)
    assert right.shape == wrong.shape == (60, 28, 28) and set(labels) <= set(range(10))
    assert len(set(labels)) >= 8  # right pieces of every kind of digit, not one kind the cuts favour
    # a right piece is a whole digit recentred as MNIST: its ink fills the 20-pixel box
    heights = [np.ptp(np.nonzero(image > 64)[0]) + 1 for image in right]
    assert np.median(heights) >= 18
    # a wrong piece is never one upright stroke (a 1 cut out of anything must stay a 1)
    assert all(not_a_one(image) for image in wrong)
    np.testing.assert_array_equal(wrong, cut_digits(60, x, y, seed=0)[2])


def test_training_set_adds_each_generated_share_with_its_target(digits):
    from train.config import TrainConfig
    from train.training import training_set

    x, y = digits
    config = TrainConfig(negatives=0.2, printed_digits=0.05, cut_digits=0.1, photographed_digits=0.15)
    images, targets, record = training_set(x[:1000], y[:1000], config)
    assert record == {
        "mnist_digits": 1000,
        "printed_digits": 50,
        "cut_digits": 100,
        "photographed_digits": 150,
        "surface_digits": 0,
        "negatives": 200,
        "surface_signs": 0,
        "wrong_cuts": 100,
    }
    assert len(images) == len(targets) == 1600
    np.testing.assert_allclose(targets[-300:], 0.1)  # negatives and wrong cuts: uniform
    assert (targets[:1300].max(axis=1) == 1.0).all()  # digits: one-hot
    np.testing.assert_array_equal(targets[:1000].argmax(axis=1), y[:1000])
