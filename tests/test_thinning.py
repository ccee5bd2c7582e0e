"""Zhang-Suen thinning (edge_runtime/reading/thinning.py) against a pixel-by-pixel reading of the paper."""

from __future__ import annotations

import cv2
import numpy as np

from edge_runtime.reading.thinning import skeleton

NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))  # P2..P9


def _zhang_suen(mask: np.ndarray) -> np.ndarray:
    """Zhang & Suen (1984) pixel by pixel: each sub-step decides on the image as the last one left it."""
    image = np.pad(mask.astype(np.uint8), 1)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            remove = []
            for y, x in zip(*np.nonzero(image), strict=True):
                p = [int(image[y + dy, x + dx]) for dy, dx in NEIGHBOURS]
                transitions = sum(p[i] == 0 and p[(i + 1) % 8] == 1 for i in range(8))
                a, b = (
                    (p[0] * p[2] * p[4], p[2] * p[4] * p[6])
                    if step == 0
                    else (p[0] * p[2] * p[6], p[0] * p[4] * p[6])
                )
                if 2 <= sum(p) <= 6 and transitions == 1 and a == 0 and b == 0:
                    remove.append((y, x))
            for y, x in remove:
                image[y, x] = 0
            changed |= bool(remove)
    return image[1:-1, 1:-1] * 255


def test_thinning_is_zhang_and_suens_on_random_blobs():
    rng = np.random.default_rng(0)
    for _ in range(40):
        noise = rng.random((int(rng.integers(5, 40)), int(rng.integers(5, 40)))).astype(np.float32)
        mask = cv2.GaussianBlur(noise, (0, 0), rng.uniform(0.5, 3)) > 0.5
        assert np.array_equal(skeleton(mask), _zhang_suen(mask))


def test_a_bar_thins_to_a_one_pixel_line_and_a_ring_keeps_its_hole():
    bar = np.zeros((40, 40), bool)
    bar[5:35, 15:24] = True
    line = skeleton(bar) > 0
    assert line.any() and (line.sum(axis=1) <= 1).all() and line[10:30].sum() >= 18
    ring = np.zeros((60, 60), np.uint8)
    cv2.circle(ring, (30, 30), 20, 255, 9)
    thin = skeleton(ring)
    _, hierarchy = cv2.findContours(thin, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    assert (hierarchy[0][:, 3] >= 0).sum() == 1  # still one hole
    assert cv2.countNonZero(thin) < 0.2 * cv2.countNonZero(ring)
