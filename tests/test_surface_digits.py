"""Digits in the styles of other surfaces (train/surface_digits.py), and `edge train --surface-digits`."""

from __future__ import annotations

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from train.surface_digits import (
    STYLES,
    photographed,
    runtime_cut,
    seven_segment,
    surface_digits,
    surface_signs,
)

pytestmark = pytest.mark.train_extra  # Pillow draws the fonts

PER_STYLE = 12


@pytest.fixture(scope="module")
def digits(full_mnist) -> tuple[np.ndarray, np.ndarray]:
    return full_mnist.x_train[:1000], full_mnist.y_train[:1000]


@pytest.fixture(scope="module")
def by_style(digits) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    x, y = digits
    return {s.name: surface_digits(PER_STYLE, x, y, seed=5, styles=[s]) for s in STYLES}


def test_surface_digits_are_labelled_and_seeded(digits):
    x, y = digits
    images, labels = surface_digits(20, x, y, seed=3)
    assert images.shape == (20, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (20,) and set(labels) <= set(range(10)) and len(set(labels)) >= 5
    again, again_labels = surface_digits(20, x, y, seed=3)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, again_labels)
    assert not np.array_equal(images, surface_digits(20, x, y, seed=4)[0])


@pytest.mark.parametrize("style", [s.name for s in STYLES])
def test_each_style_gives_digits_in_the_mnist_contract(by_style, style):
    """White ink on black, fitted to MNIST's 20x20 box, its centre of mass at the centre."""
    images, labels = by_style[style]
    assert images.shape == (PER_STYLE, 28, 28) and set(labels) <= set(range(10))
    for image in images:
        ys, xs = np.nonzero(image > 32)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 in range(18, 21), style
        mass = image.astype(np.float64)
        rows, cols = np.indices(image.shape)
        centre = (rows * mass).sum() / mass.sum(), (cols * mass).sum() / mass.sum()
        assert np.hypot(centre[0] - 13.5, centre[1] - 13.5) < 2.0, style


def test_mnist_styles_keep_the_label_of_the_digit_they_draw(digits):
    x, y = digits
    for style in (s for s in STYLES if s.from_mnist):
        _, labels = surface_digits(10, x[y == 7], y[y == 7], seed=1, styles=[style])
        assert set(labels) == {7}, style.name


def test_a_seven_segment_one_is_a_narrow_bar_and_an_eight_a_wide_box():
    rng = np.random.default_rng(0)
    for label, lo, hi in ((1, 0.0, 0.45), (8, 0.45, 1.0)):
        for _ in range(10):
            pixels = runtime_cut(*photographed(seven_segment(rng, label, np.zeros((28, 28)), []), rng))
            if pixels is None:
                continue
            ys, xs = np.nonzero(pixels > 64)
            assert lo <= (np.ptp(xs) + 1) / (np.ptp(ys) + 1) <= hi, label


def test_a_blank_surface_gives_no_digit():
    blank = np.full((120, 100), 180, np.uint8)
    assert runtime_cut(blank, (30, 30, 40, 60)) is None


@pytest.mark.parametrize("style", [s for s in STYLES if s.from_mnist], ids=lambda s: s.name)
def test_blank_digits_are_an_error_not_an_endless_loop(style):
    with pytest.raises(ValueError, match="blank image"):
        surface_digits(1, np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8), styles=[style])


def test_training_set_mixes_surface_digits_in(digits):
    from train.config import TrainConfig
    from train.training import training_set

    x, y = digits
    config = TrainConfig(
        negatives=0.0, printed_digits=0.01, cut_digits=0.0, photographed_digits=0.0, surface_digits=0.1
    )
    images, targets, record = training_set(x[:200], y[:200], config)
    assert record["surface_digits"] == 20 and len(images) == len(targets) == 222
    assert (targets.max(axis=1) == 1.0).all()  # labelled digits, one-hot
    assert TrainConfig().surface_digits == 0.0  # today's recipe is unchanged


def test_surface_signs_are_seeded_cut_as_the_runtime_cuts_and_trained_as_non_digits(digits):
    from train.config import TrainConfig
    from train.training import training_set

    signs = surface_signs(12, seed=2)
    assert signs.shape == (12, 28, 28) and signs.dtype == np.uint8
    for image in signs:  # in the MNIST contract: fitted to the 20x20 box
        ys, xs = np.nonzero(image > 32)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 in range(18, 21)
    np.testing.assert_array_equal(signs, surface_signs(12, seed=2))
    assert not np.array_equal(signs, surface_signs(12, seed=3))
    x, y = digits
    config = TrainConfig(
        negatives=0.0, printed_digits=0.01, cut_digits=0.0, photographed_digits=0.0, surface_signs=0.05
    )
    images, targets, record = training_set(x[:200], y[:200], config)
    assert record["surface_signs"] == 10 and len(images) == len(targets) == 212
    np.testing.assert_allclose(targets[-10:], 0.1)  # non-digits: uniform


def test_edge_train_passes_the_surface_digits_share(monkeypatch, tmp_path):
    from edge_cli import app, train_commands

    seen = []

    def capture(config):
        seen.append(config)
        raise typer.Exit(0)

    monkeypatch.setattr(train_commands, "_run", capture)
    runner = CliRunner()
    result = runner.invoke(app, ["train", "--out", str(tmp_path / "run"), "--surface-digits", "0.3"])
    assert result.exit_code == 0, result.output
    assert seen[0].surface_digits == 0.3
    refused = runner.invoke(app, ["train", "--out", str(tmp_path / "run"), "--surface-digits", "-1"])
    assert refused.exit_code == 2 and not seen[1:]
    assert "--surface-digits" in runner.invoke(app, ["train", "--help"]).output
    result = runner.invoke(app, ["train", "--out", str(tmp_path / "run"), "--surface-signs", "0.1"])
    assert result.exit_code == 0, result.output
    assert seen[-1].surface_signs == 0.1
