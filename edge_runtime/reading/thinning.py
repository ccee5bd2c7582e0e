"""Zhang-Suen thinning: a mask worn down to its one-pixel centre line, its holes and branches kept.

Each pass removes, in two sub-steps, every boundary pixel whose eight neighbours say it is neither an
end nor a bridge (Zhang & Suen, 1984). The neighbours are read as one 8-bit code per pixel (a 3x3
filter with powers of two) and each sub-step's rule is a 256-entry lookup table, so that a pass costs
a few OpenCV calls rather than a loop over pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

# P2..P9 of Zhang-Suen, clockwise from the pixel above: (row, column) offsets
_NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _code_kernel() -> np.ndarray:
    """The 3x3 filter that sums 2**i over the set neighbours Pi (i = 0 for P2 ... 7 for P9)."""
    kernel = np.zeros((3, 3), np.float32)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        kernel[1 + dy, 1 + dx] = 2**bit
    return kernel


def _removable(step: int) -> np.ndarray:
    """For each neighbour code: 255 where Zhang-Suen's sub-step `step` (0 or 1) removes the pixel."""
    table = np.zeros(256, np.uint8)
    for code in range(256):
        p = [(code >> bit) & 1 for bit in range(8)]
        count = sum(p)
        transitions = sum(p[i] == 0 and p[(i + 1) % 8] == 1 for i in range(8))
        if step == 0:
            side = p[0] * p[2] * p[4] == 0 and p[2] * p[4] * p[6] == 0
        else:
            side = p[0] * p[2] * p[6] == 0 and p[0] * p[4] * p[6] == 0
        if 2 <= count <= 6 and transitions == 1 and side:
            table[code] = 255
    return table


_KERNEL = _code_kernel()
_TABLES = (_removable(0), _removable(1))


def skeleton(mask: np.ndarray) -> np.ndarray:
    """The one-pixel skeleton of a mask (nonzero: set) as uint8 0/255; outside the mask is unset."""
    image = np.pad((mask > 0).astype(np.uint8), 1)
    while True:
        changed = False
        for table in _TABLES:
            # the codes reach 255 at most: exact in uint8
            remove = cv2.LUT(cv2.filter2D(image, -1, _KERNEL, borderType=cv2.BORDER_CONSTANT), table)
            remove &= image * 255
            if cv2.countNonZero(remove):
                image &= ~remove
                changed = True
        if not changed:
            return image[1:-1, 1:-1] * 255
