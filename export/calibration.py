"""The int8 calibration set: a seeded sample of training images, stratified by class, plus some
generated non-digits, so that the quantization ranges also cover what the model must reject."""

from __future__ import annotations

import numpy as np

from export.config import MIN_CALIBRATION_SAMPLES
from ground.contract import IMAGE_SHAPE, IMAGE_SIDE, NUM_CLASSES
from ground.errors import EdgeError
from train.negatives import negative_images

NEGATIVE_SHARE = 0.2  # of the calibration images


def stratified_sample(labels: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """Indices of `samples` items, as equal per class as the classes allow, in a seeded order."""
    rng = np.random.default_rng(seed)
    classes = [rng.permutation(np.flatnonzero(labels == c)) for c in range(NUM_CLASSES)]
    classes = [c for c in classes if len(c)]
    picked: list[int] = []
    depth = 0
    while len(picked) < samples:  # round-robin over classes: one image of each per round
        for members in classes:
            if depth < len(members) and len(picked) < samples:
                picked.append(int(members[depth]))
        depth += 1
    return rng.permutation(np.asarray(picked, dtype=np.int64))


def calibration_images(x_train: np.ndarray, y_train: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """`samples` images (uint8, N x 28 x 28): training digits stratified by class and
    `NEGATIVE_SHARE` generated non-digits, seeded."""
    if samples < MIN_CALIBRATION_SAMPLES:
        raise EdgeError(
            f"calibration set too small: {samples} images (need at least {MIN_CALIBRATION_SAMPLES})"
        )
    if samples > len(x_train):
        raise EdgeError(f"calibration set too large: {samples} images, the training set has {len(x_train)}")
    negatives = int(NEGATIVE_SHARE * samples)
    digits = x_train[stratified_sample(y_train, samples - negatives, seed)]
    images = np.concatenate([digits, negative_images(negatives, digits, seed)])
    images = images[np.random.default_rng(seed).permutation(len(images))]
    check_calibration_images(images)
    return images


def check_calibration_images(images: np.ndarray) -> None:
    """EdgeError unless `images` is a usable calibration set: uint8, (N, 28, 28[, 1]), N >= 10."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        side = IMAGE_SIDE
        raise EdgeError(f"calibration images have shape {images.shape}, expected (N, {side}, {side})")
    if images.dtype != np.uint8:
        raise EdgeError(f"calibration images have dtype {images.dtype}, expected uint8 pixels 0-255")
    if len(images) < MIN_CALIBRATION_SAMPLES:
        raise EdgeError(
            f"calibration set too small: {len(images)} images (need at least {MIN_CALIBRATION_SAMPLES})"
        )
