"""Real images → the MNIST pixel contract: 28x28 uint8, white digit on black, as MNIST was made.

Photos and camera frames show dark ink on unevenly lit paper. A global threshold on the raw grey
image reads shadows as ink, so the paper is flattened first: its brightness is estimated on a small
copy (a morphological close erases the thin strokes, a blur smooths the rest) and the image is
divided by it. Only one resize touches the full-resolution frame; the rest runs on a working copy
whose short side is `WORK_SHORT_SIDE` (480x360 for a webcam frame), except that it is never shrunk
below 3/4 (1440x810 for 1080p, so that a 20-pixel digit is still 15 pixels tall), and small
images are enlarged to `WORK_MIN_SIDE`. The copy is extended past its edges where the light darkens
towards them (vignetting, a shadow), so that the close sees the edge's own light. The
paper of a small image (a crop, not a camera frame) is a smooth surface fitted to its light pixels,
so that a digit that fills the image and touches its edges is still ink, not paper.

MNIST's recipe for one digit (`to_mnist`): crop to the digit's bounding box, scale it to fit
20x20 keeping its aspect ratio, pad to 28x28, and shift it so its centre of mass is at the centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ground.contract import IMAGE_SIDE, LINE_HEIGHT, LINE_INK_HEIGHT, LINE_WIDTH

DIGIT_BOX = 20
LINE_MARGIN = (LINE_HEIGHT - LINE_INK_HEIGHT) // 2  # columns left blank before a line's ink
WORK_SHORT_SIDE = 360  # the working copy's short side, in pixels...
MIN_WORK_SCALE = 0.75  # ...but never smaller than this, so that a 20-pixel digit stays 15 pixels tall...
WORK_MAX_SIDE = 1920  # ...nor with a long side above this
WORK_MIN_SIDE = 64  # short side below which an image is enlarged (a small tight crop)
MAX_ENLARGE = 8.0
POLARITY_COARSE = (160, 1 / 3)  # long side of a copy on which the ink's polarity is decided, blur share...
POLARITY_FINE = (480, 1 / 24)  # ...and, when that is not clear, a finer look
CLEAR_POLARITY_VOTE = 0.8
BACKGROUND_SIDE = 48  # long side of the copy on which the paper's brightness is estimated
BACKGROUND_KERNEL = 17  # close kernel at that scale: erases (keeps as ink) dark blobs up to ~1/3 of the
# image wide, so that a filled disc stays a disc, not a ring; shadows wider than that stay paper
BACKGROUND_BLUR = 5  # Gaussian blur of the closed copy (its side)
CROP_SIDE = 400  # an image no larger than this is a crop, not a scene: its digit may fill it (a crop of
# a digit up to 300 px tall, with its margin; a camera frame is 640x480 or larger)
CROP_PAPER_PERCENTILE = 90  # a crop's paper brightness: ink covers well under 90% of any digit crop...
PAPER_NEAR_FIT = 0.85  # ...and its paper pixels at least this share of it, or of the fitted paper
PAPER_SAMPLES = 4000  # pixels of a crop sampled to fit its paper
CROP_OTSU_SHARE = 0.6  # a crop's soft, enlarged strokes break at Otsu's threshold: take less of it
MIN_PAPER_BRIGHTNESS = 32  # darker "paper" (a black frame) is not divided by: no ink is invented in the dark
MIN_INK_CONTRAST = 48  # ink must be at least this much darker than the paper (0-255), else "no digit"...
FAINT_INK = 64  # ...unless the darkest strokes (the `STRONG_INK_PIXELS` darkest pixels) reach this:
STRONG_INK_PIXELS = 64
FAINT_SHARE = 0.45  # then the ink threshold may be this share of their strength...
MIN_FAINT_CONTRAST = 32  # ...but no lower
SMALL_FRAME_PIXELS = 640 * 480  # up to this size, a frame's channel minimum is taken before it is resized
CHANNEL_MINIMUM = np.ones((1, 3), np.uint8)  # erosion kernel over a pixel's B, G, R (see darkest_channel)
STROKE_PERCENTILE = 90  # this percentile of a digit's ink becomes full white: MNIST strokes saturate


@dataclass(frozen=True)
class InkImage:
    """Ink strength 0-255 (0 = bare paper) of an image's working copy, and how to read it."""

    ink: np.ndarray  # uint8 (h, w): bright where the ink is dark
    scale: float  # working-copy pixels per original pixel
    threshold: int  # ink above this is part of a digit
    crop: bool = False  # a small image around a digit (at most CROP_SIDE), not a camera scene


def darkest_channel(image: np.ndarray) -> np.ndarray:
    """Grey image in which any coloured ink (blue, red, black) is dark: the minimum over B, G, R."""
    if image.ndim == 2:
        return image
    height, width, channels = image.shape
    # each pixel's B, G, R are neighbours in a row of the interleaved image: a 3-wide erosion anchored
    # on B gives their minimum at every `channels`-th column (3-4x faster than splitting the channels)
    rows = np.ascontiguousarray(image).reshape(height, width * channels)
    return np.ascontiguousarray(cv2.erode(rows, CHANNEL_MINIMUM, anchor=(0, 0))[:, ::channels])


def working_copy(grey: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """`grey` shrunk (area-averaged) so its long side is at most `max_side`, and the scale used."""
    scale = min(1.0, max_side / max(grey.shape[:2]))
    return resized(grey, scale), scale


def work_scale(height: int, width: int) -> float:
    """The scale of an image's working copy (see the module docstring)."""
    short, long = min(height, width), max(height, width)
    if short < WORK_MIN_SIDE:
        return min(WORK_MIN_SIDE / short, MAX_ENLARGE, WORK_MAX_SIDE / long)
    return min(1.0, max(MIN_WORK_SCALE, WORK_SHORT_SIDE / short), WORK_MAX_SIDE / long)


def resized(image: np.ndarray, scale: float) -> np.ndarray:
    """`image` scaled by `scale`; the image itself at scale 1."""
    if scale == 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    # area-averaging only pays when shrinking by half or more (and is 4x slower at 3/4)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale <= 0.5 else cv2.INTER_LINEAR)


def is_light_background(grey: np.ndarray) -> bool:
    """True for dark ink on a light background (paper), False for light ink on a dark one.

    Ink is thin and sparse, so it stands out from a box-blurred copy on one side only: the cube of
    the difference sums negative for dark ink. Shadows and light gradients deviate from the blur
    about equally on both sides. Each test gives a vote between -1 and 1: first on a small copy
    against a blur a third of its size (thick strokes); when that vote is not clear, again on a
    larger copy against a blur a twenty-fourth of its size (a small digit in a frame whose shadow
    edge outweighs it at the coarse size).
    """
    vote = _polarity_vote(grey, POLARITY_COARSE)
    if abs(vote) < CLEAR_POLARITY_VOTE:
        vote += _polarity_vote(grey, POLARITY_FINE)
    return vote <= 0


def _polarity_vote(grey: np.ndarray, scale: tuple[int, float]) -> float:
    side, share = scale
    small, _ = working_copy(grey, side)
    kernel = max(3, int(max(small.shape) * share)) | 1
    residual = small.astype(np.float32) - cv2.blur(small, (kernel, kernel), borderType=cv2.BORDER_REFLECT)
    cube = residual * residual * residual
    return cv2.sumElems(cube)[0] / max(cv2.norm(cube, cv2.NORM_L1), 1e-6)


def light_border(grey: np.ndarray) -> bool:
    """True when the border of `grey` is mostly nearer its light end than its dark end: the polarity
    of a tight crop, whose thick ink is not sparse enough for `is_light_background` (a narrow 1 can
    cover most of it) but touches each side only along a part of it."""
    dark, light = np.percentile(grey, [5, 95])
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return float(np.median(border)) >= (dark + light) / 2


def paper_brightness(grey: np.ndarray, crop: bool = False) -> np.ndarray:
    """Estimated brightness of the bare paper under `grey` (dark ink on light), same size as `grey`.

    `crop`: the image is a small crop around a digit that may fill it: its paper is a smooth surface
    fitted to its light pixels (`_smooth_paper`), since strokes there can be of any width.
    """
    if crop:
        return _smooth_paper(grey)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (BACKGROUND_KERNEL, BACKGROUND_KERNEL))
    small, _ = working_copy(grey, BACKGROUND_SIDE)
    pad = BACKGROUND_KERNEL // 2 + BACKGROUND_BLUR // 2
    small = cv2.morphologyEx(_extended(small, pad), cv2.MORPH_CLOSE, kernel)
    small = cv2.GaussianBlur(small, (BACKGROUND_BLUR, BACKGROUND_BLUR), 0)[pad:-pad, pad:-pad]
    return cv2.resize(small, grey.shape[::-1], interpolation=cv2.INTER_LINEAR)


def _smooth_paper(grey: np.ndarray) -> np.ndarray:
    """The paper of a crop: a quadratic surface fitted to its paper pixels (light falls off smoothly
    across a small photo), those at least `PAPER_NEAR_FIT` of the bright end, then of the first fit."""
    height, width = grey.shape
    step = max(1, int(np.sqrt(height * width / PAPER_SAMPLES)))
    values = grey[::step, ::step].astype(np.float32).ravel()
    terms = _quadratic_terms(np.arange(0, height, step), np.arange(0, width, step), grey.shape)
    terms = terms.reshape(len(terms), -1).T
    paper = values >= PAPER_NEAR_FIT * np.percentile(values, CROP_PAPER_PERCENTILE)
    fit = np.linalg.lstsq(terms[paper], values[paper], rcond=None)[0]
    near = values >= PAPER_NEAR_FIT * (terms @ fit)
    if near.sum() >= terms.shape[1]:
        fit = np.linalg.lstsq(terms[near], values[near], rcond=None)[0]
    surface = np.tensordot(fit, _quadratic_terms(np.arange(height), np.arange(width), grey.shape), axes=1)
    return np.clip(surface, 0, 255).astype(np.uint8)


def _quadratic_terms(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """1, x, y, x², y², xy over the grid of `rows` x `columns`, as (6, rows, columns), centred and
    scaled to the image's `shape`."""
    y = rows[:, None] / shape[0] - 0.5
    x = columns[None, :] / shape[1] - 0.5
    return np.stack(np.broadcast_arrays(np.ones_like(x * y), x, y, x * x, y * y, x * y))


def _extended(image: np.ndarray, pad: int) -> np.ndarray:
    """`image` (uint8) with `pad` pixels added on each side that continue it darkening towards its
    edge: each added pixel is the edge pixel less what the pixel mirrored inside is brighter than
    the edge (never brighter than the edge pixel: mirrored ink would be a bright blob).

    A morphological close sees light that darkens towards the frame's edge (vignetting, a shadow)
    as it is, where a replicated border would make it take the brighter light further in for the
    paper of the last rows, and read the dark edge as ink.
    """
    mirrored = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
    edge = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return cv2.subtract(edge, cv2.subtract(mirrored, edge))  # saturating: min(edge, 2 edge - mirrored)


def _grey_working_copy(image: np.ndarray, scale: float) -> np.ndarray:
    """The darkest channel of `image` scaled by `scale`: the minimum first for frames up to
    `SMALL_FRAME_PIXELS` (one grey resize is cheaper than resizing three channels), the resize
    first for larger ones (the minimum of the full frame costs more than it saves)."""
    if image.shape[0] * image.shape[1] <= SMALL_FRAME_PIXELS:
        return resized(darkest_channel(image), scale)
    return darkest_channel(resized(image, scale))


def ink_image(image: np.ndarray, threshold: int | None = None, crop: bool | None = None) -> InkImage:
    """Flatten the paper of a BGR or grey image and measure the ink on its working copy.

    `threshold` (0-255 ink strength) overrides the automatic one: Otsu's, but never below
    `MIN_INK_CONTRAST` (lower for faint ink: `_ink_floor`), so that blank paper and sensor noise never
    count as a digit. `crop` says
    whether the image is a crop around a digit (its light smooth, the digit may fill it) rather than a
    scene; by default, images of at most `CROP_SIDE` pixels are.
    """
    scale = work_scale(*image.shape[:2])
    grey = _grey_working_copy(image, scale)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    crop = max(image.shape[:2]) <= CROP_SIDE if crop is None else crop
    if not (light_border(grey) if crop else is_light_background(grey)):
        grey = cv2.bitwise_not(grey)
    paper = paper_brightness(grey, crop)
    # ink strength = how much darker than its paper, relative to the paper (0 where it is no darker)
    ink = cv2.divide(cv2.subtract(paper, grey), cv2.max(paper, MIN_PAPER_BRIGHTNESS), scale=255)
    if threshold is None:
        otsu, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        threshold = int(otsu * (CROP_OTSU_SHARE if crop else 1.0))
        if threshold < MIN_INK_CONTRAST:
            threshold = max(threshold, _ink_floor(ink))
    return InkImage(ink=ink, scale=scale, threshold=threshold, crop=crop)


def _ink_floor(ink: np.ndarray) -> int:
    """The least ink threshold: `MIN_INK_CONTRAST`, but for faint ink (pencil, dim light: its darkest
    strokes `FAINT_INK` to ~2x that) `FAINT_SHARE` of those strokes' strength, down to
    `MIN_FAINT_CONTRAST`. Blank paper's darkest "ink" (a shadow's edge, noise) stays below `FAINT_INK`."""
    darker = np.cumsum(cv2.calcHist([ink], [0], None, [256], [0, 256]).ravel()[::-1])  # pixels >= 255 - i
    strongest = 255 - int(np.searchsorted(darker, STRONG_INK_PIXELS))
    if strongest < FAINT_INK:
        return MIN_INK_CONTRAST
    return int(np.clip(FAINT_SHARE * strongest, MIN_FAINT_CONTRAST, MIN_INK_CONTRAST))


def to_mnist(digit: np.ndarray) -> np.ndarray:
    """28x28 MNIST input from a white-on-black digit image whose background is exactly 0.

    The digit's bounding box is scaled to fit 20x20 (aspect ratio kept), brightened so its
    strokes reach 255, and placed on 28x28 with its centre of mass at the centre.
    """
    ys, xs = np.nonzero(digit)
    if len(xs) == 0:
        return np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8)
    crop = digit[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    height, width = crop.shape
    return _centre_by_mass(_brightened(_resized(crop, DIGIT_BOX / max(height, width))))


@dataclass(frozen=True)
class LineInput:
    """The line reader's input for one group, and where its columns came from: input column x shows
    the group's column `left + (x - LINE_MARGIN) / factor`."""

    pixels: np.ndarray  # uint8 `LINE_SHAPE`, white on black
    left: int
    factor: float

    def group_column(self, x: float) -> float:
        """The group column that input column `x` shows."""
        return self.left + (x - LINE_MARGIN) / self.factor


def to_line(ink: np.ndarray) -> LineInput:
    """The line reader's input from a white-on-black image of a group whose background is exactly 0.

    The ink's bounding box is scaled to `LINE_INK_HEIGHT` rows (less when it would not fit the width),
    brightened as `to_mnist` brightens, and placed `LINE_MARGIN` from the left, centred in height.
    """
    canvas = np.zeros((LINE_HEIGHT, LINE_WIDTH), np.uint8)
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return LineInput(canvas, 0, 1.0)
    crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    height, width = crop.shape
    factor = min(LINE_INK_HEIGHT / height, (LINE_WIDTH - 2 * LINE_MARGIN) / width)
    box = _resized(crop, factor)
    top = (LINE_HEIGHT - box.shape[0]) // 2
    canvas[top : top + box.shape[0], LINE_MARGIN : LINE_MARGIN + box.shape[1]] = _brightened(box)
    return LineInput(canvas, int(xs.min()), factor)


def _resized(crop: np.ndarray, factor: float) -> np.ndarray:
    """`crop` scaled by `factor` (area-averaged when shrinking), as float32."""
    height, width = crop.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(crop, size, interpolation=interpolation).astype(np.float32)


def _brightened(box: np.ndarray) -> np.ndarray:
    """`box` scaled so that its `STROKE_PERCENTILE` stroke pixel becomes 255."""
    strokes = box[box > 0]
    rank = (strokes.size - 1) * STROKE_PERCENTILE // 100  # the percentile by rank: np.percentile is slow
    brightest = float(np.partition(strokes, rank)[rank]) if strokes.size else 255.0
    return np.clip(box * (255 / max(brightest, 1.0)), 0, 255).astype(np.uint8)


def _centre_by_mass(box: np.ndarray) -> np.ndarray:
    """Place `box` (at most 20x20) on a 28x28 canvas so that its centre of mass lands at (14, 14)."""
    moments = cv2.moments(box)
    height, width = box.shape
    cx = moments["m10"] / moments["m00"] if moments["m00"] else width / 2
    cy = moments["m01"] / moments["m00"] if moments["m00"] else height / 2
    left = min(max(round(IMAGE_SIDE / 2 - cx), 0), IMAGE_SIDE - width)
    top = min(max(round(IMAGE_SIDE / 2 - cy), 0), IMAGE_SIDE - height)
    canvas = np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8)
    canvas[top : top + height, left : left + width] = box
    return canvas
