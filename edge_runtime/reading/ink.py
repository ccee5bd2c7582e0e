"""Stage 1 of reading, ink: how much darker than its paper each pixel of an image's working copy is.

Photos and camera frames show dark ink on unevenly lit paper. A global threshold on the raw grey
image reads shadows as ink, so the paper is flattened first: its brightness is estimated on a small
copy (a morphological close erases the thin strokes, a blur smooths the rest) and the image is
divided by it. Only one resize touches the full-resolution frame; the rest runs on a working copy
whose short side is `work_short_side` (480x360 for a webcam frame), except that it is never shrunk
below 3/4 (1440x810 for 1080p, so that a 20-pixel digit is still 15 pixels tall), and small
images are enlarged to `work_min_side`. The copy is extended past its edges where the light darkens
towards them (vignetting, a shadow), so that the close sees the edge's own light. The
paper of a small image (a crop, not a camera frame) is a smooth surface fitted to its light pixels,
so that a digit that fills the image and touches its edges is still ink, not paper.
(The values named here are `policy.InkPolicy`'s.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import cv2
import numpy as np

from edge_runtime.reading.geometry import Transform
from edge_runtime.reading.policy import DEFAULT, InkPolicy

CHANNEL_KERNEL = np.ones((1, 3), np.uint8)  # over a pixel's B, G, R (`_across_channels`)
COLOUR_COPY = (64, 48)  # the small copy `is_coloured` looks at


@dataclass(frozen=True)
class InkImage:
    """Ink strength 0-255 (0 = bare paper) of an image's working copy, and how to read it."""

    ink: np.ndarray  # uint8 (h, w): bright where the ink is dark
    scale: float  # working-copy pixels per original pixel
    ink_threshold: int  # ink strength above which a pixel is part of a stroke
    crop: bool = False  # a small image around a digit (at most `crop_side`), not a camera scene

    @property
    def to_image(self) -> Transform:
        """Working-copy coordinates → the image's."""
        return Transform(scale=self.scale)


def darkest_channel(image: np.ndarray) -> np.ndarray:
    """Grey image in which any coloured ink (blue, red, black) is dark: the minimum over B, G, R."""
    return _across_channels(image, cv2.erode)


def brightest_channel(image: np.ndarray) -> np.ndarray:
    """Grey image in which a coloured surface (a yellow sign, a red tag, a brick wall) is as light as
    its colour is bright: the maximum over B, G, R. (In `darkest_channel` a yellow sign is as dark as
    the black digits on it.)"""
    return _across_channels(image, cv2.dilate)


def is_coloured(image: np.ndarray, policy: InkPolicy = DEFAULT.ink) -> bool:
    """True for a colour image whose coloured areas (channels `colour_spread` apart) cover at least
    `colour_share` of it, on a small copy: tags, signs, walls; not ink on white paper, whose colour is
    only in its thin strokes."""
    if image.ndim == 2:
        return False
    small = _colour_sample(image)
    spread = cv2.subtract(brightest_channel(small), darkest_channel(small))
    return (
        cv2.countNonZero(cv2.compare(spread, policy.colour_spread, cv2.CMP_GE))
        >= policy.colour_share * spread.size
    )


def has_dark_ground(image: np.ndarray, policy: InkPolicy = DEFAULT.ink) -> bool:
    """True for an image (colour or grey) of which at least `dark_share` is dark in every channel (its
    brightest at most `max_lit_ground`), on the small copy `is_coloured` samples: a display's or a
    screen's window, not a photo of paper."""
    dark = cv2.compare(brightest_channel(_colour_sample(image)), policy.max_lit_ground, cv2.CMP_LE)
    return cv2.countNonZero(dark) >= policy.dark_share * dark.size


def _colour_sample(image: np.ndarray) -> np.ndarray:
    """A small copy of a colour image (`COLOUR_COPY`, nearest pixels): a sample, cheap at 1080p."""
    return cv2.resize(image, COLOUR_COPY, interpolation=cv2.INTER_NEAREST)


def lit_as_ink(image: np.ndarray) -> np.ndarray:
    """Grey image in which whatever is lit in any colour (a red LED, a blue screen's digits) is dark and
    a dark ground is light: 255 minus the maximum over B, G, R. (In `darkest_channel` a blue digit on
    black is as dark as its ground.)"""
    return cv2.bitwise_not(brightest_channel(image))


def lit_without_bands(image: np.ndarray, policy: InkPolicy = DEFAULT.ink) -> np.ndarray:
    """`lit_as_ink` of `image` with its long straight light bands taken out (a glare band across a
    screen's glass, joined to the digits under it or hiding them): its brightest channel less the
    light that fills a line `band_length` of its short side long at one of `band_angles` (the most of
    its grey openings by such lines, on a copy `band_side` pixels on its long side). A digit's strokes
    are shorter, so they stay; a band goes, and so does any large lit area (a wall, a bezel)."""
    bright = brightest_channel(image)
    height, width = bright.shape
    scale = min(policy.band_side / max(height, width), 1.0)
    small = cv2.resize(bright, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    length = max(5, int(policy.band_length * min(small.shape)))
    light = np.zeros_like(small)
    for angle in policy.band_angles:
        np.maximum(light, cv2.morphologyEx(small, cv2.MORPH_OPEN, _line(length, angle)), out=light)
    light = cv2.resize(light, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.bitwise_not(cv2.subtract(bright, light))


@functools.lru_cache(maxsize=64)
def _line(length: int, degrees: float) -> np.ndarray:
    """A structuring element: a line `length` pixels long at `degrees` from the horizontal."""
    kernel = np.zeros((length, length), np.uint8)
    middle = (length - 1) / 2
    dx, dy = np.cos(np.radians(degrees)) * middle, -np.sin(np.radians(degrees)) * middle
    cv2.line(kernel, (round(middle - dx), round(middle - dy)), (round(middle + dx), round(middle + dy)), 1)
    return kernel


def _across_channels(image: np.ndarray, extreme) -> np.ndarray:
    """The minimum (`cv2.erode`) or maximum (`cv2.dilate`) over each pixel's channels."""
    if image.ndim == 2:
        return image
    height, width, channels = image.shape
    # each pixel's B, G, R are neighbours in a row of the interleaved image: a 3-wide erosion anchored
    # on B gives their minimum at every `channels`-th column (3-4x faster than splitting the channels)
    rows = np.ascontiguousarray(image).reshape(height, width * channels)
    return np.ascontiguousarray(extreme(rows, CHANNEL_KERNEL, anchor=(0, 0))[:, ::channels])


def working_copy(grey: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """`grey` shrunk (area-averaged) so its long side is at most `max_side`, and the scale used."""
    scale = min(1.0, max_side / max(grey.shape[:2]))
    return resized(grey, scale), scale


def work_scale(height: int, width: int, policy: InkPolicy) -> float:
    """The scale of an image's working copy (see the module docstring)."""
    short, long = min(height, width), max(height, width)
    if short < policy.work_min_side:
        return min(policy.work_min_side / short, policy.max_enlarge, policy.work_max_side / long)
    return min(1.0, max(policy.min_work_scale, policy.work_short_side / short), policy.work_max_side / long)


def resized(image: np.ndarray, scale: float) -> np.ndarray:
    """`image` scaled by `scale`; the image itself at scale 1."""
    if scale == 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    # area-averaging only pays when shrinking by half or more (and is 4x slower at 3/4)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale <= 0.5 else cv2.INTER_LINEAR)


def is_light_background(grey: np.ndarray, policy: InkPolicy = DEFAULT.ink) -> bool:
    """True for dark ink on a light background (paper), False for light ink on a dark one.

    Ink is thin and sparse, so it stands out from a box-blurred copy on one side only: the cube of
    the difference sums negative for dark ink. Shadows and light gradients deviate from the blur
    about equally on both sides. Each test gives a vote between -1 and 1: first on a small copy
    against a blur a third of its size (thick strokes); when that vote is not clear, again on a
    larger copy against a blur a twenty-fourth of its size (a small digit in a frame whose shadow
    edge outweighs it at the coarse size).
    """
    vote = _polarity_vote(grey, policy.polarity_coarse)
    if abs(vote) < policy.clear_polarity_vote:
        vote += _polarity_vote(grey, policy.polarity_fine)
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


def paper_brightness(grey: np.ndarray, crop: bool, policy: InkPolicy) -> np.ndarray:
    """Estimated brightness of the bare paper under `grey` (dark ink on light), same size as `grey`.

    `crop`: the image is a small crop around a digit that may fill it: its paper is a smooth surface
    fitted to its light pixels (`_smooth_paper`), since strokes there can be of any width.
    """
    if crop:
        return _smooth_paper(grey, policy)
    size, blur = policy.background_kernel, policy.background_blur
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    small, _ = working_copy(grey, policy.background_side)
    pad = size // 2 + blur // 2
    small = cv2.morphologyEx(_extended(small, pad), cv2.MORPH_CLOSE, kernel)
    small = cv2.GaussianBlur(small, (blur, blur), 0)[pad:-pad, pad:-pad]
    return cv2.resize(small, grey.shape[::-1], interpolation=cv2.INTER_LINEAR)


def _smooth_paper(grey: np.ndarray, policy: InkPolicy) -> np.ndarray:
    """The paper of a crop: a quadratic surface fitted to its paper pixels (light falls off smoothly
    across a small photo), those at least `paper_near_fit` of the bright end, then of the first fit."""
    height, width = grey.shape
    step = max(1, int(np.sqrt(height * width / policy.paper_samples)))
    values = grey[::step, ::step].astype(np.float32).ravel()
    terms = _quadratic_terms(np.arange(0, height, step), np.arange(0, width, step), grey.shape)
    terms = terms.reshape(len(terms), -1).T
    paper = values >= policy.paper_near_fit * np.percentile(values, policy.crop_paper_percentile)
    fit = np.linalg.lstsq(terms[paper], values[paper], rcond=None)[0]
    near = values >= policy.paper_near_fit * (terms @ fit)
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


def _grey_working_copy(image: np.ndarray, scale: float, policy: InkPolicy) -> np.ndarray:
    """The darkest channel of `image` scaled by `scale`: the minimum first for frames up to
    `small_frame_pixels` (one grey resize is cheaper than resizing three channels), the resize
    first for larger ones (the minimum of the full frame costs more than it saves)."""
    if image.shape[0] * image.shape[1] <= policy.small_frame_pixels:
        return resized(darkest_channel(image), scale)
    return darkest_channel(resized(image, scale))


def is_crop(image: np.ndarray, policy: InkPolicy = DEFAULT.ink, crop: bool | None = None) -> bool:
    """Whether `image` is read as a small crop around a digit rather than a scene: `crop` when given,
    else whether it is at most `crop_side` pixels each way."""
    return max(image.shape[:2]) <= policy.crop_side if crop is None else crop


def ink_image(
    image: np.ndarray, policy: InkPolicy = DEFAULT.ink, crop: bool | None = None, dark_ink: bool | None = None
) -> InkImage:
    """Flatten the paper of a BGR or grey image and measure the ink on its working copy.

    The ink threshold (0-255 ink strength) is the policy's `ink_threshold` when set, else Otsu's, but
    never below `min_ink_contrast` (lower for faint ink: `_ink_floor`), so that blank paper and sensor
    noise never count as a digit. `crop` says whether the image is a crop around a digit (its light
    smooth, the digit may fill it) rather than a scene; by default, images of at most `crop_side`
    pixels are. `dark_ink` says whether the ink is darker than its ground (a `lit_as_ink` image's is);
    by default the image's polarity decides (`light_border`, `is_light_background`).
    """
    scale = work_scale(*image.shape[:2], policy)
    grey = _grey_working_copy(image, scale, policy)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    crop = is_crop(image, policy, crop)
    if dark_ink is None:
        dark_ink = light_border(grey) if crop else is_light_background(grey, policy)
    if not dark_ink:
        grey = cv2.bitwise_not(grey)
    paper = paper_brightness(grey, crop, policy)
    # ink strength = how much darker than its paper, relative to the paper (0 where it is no darker)
    ink = cv2.divide(cv2.subtract(paper, grey), cv2.max(paper, policy.min_paper_brightness), scale=255)
    threshold = policy.ink_threshold
    if threshold is None:
        otsu, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        threshold = int(otsu * (policy.crop_otsu_share if crop else 1.0))
        if threshold < policy.min_ink_contrast:
            threshold = max(threshold, _ink_floor(ink, policy))
    return InkImage(ink=ink, scale=scale, ink_threshold=threshold, crop=crop)


def strongest_ink(ink: InkImage, policy: InkPolicy = DEFAULT.ink) -> InkImage | None:
    """The same scene's ink at the threshold that splits its strokes in two (Otsu's over the pixels
    above its threshold): digits lit brighter than a screen's glare band, which joins them at the
    first threshold. None for a crop, or when that split is under `strong_ink_ratio` times the first
    threshold."""
    strokes = ink.ink[ink.ink > ink.ink_threshold]
    if ink.crop or strokes.size == 0:
        return None
    split, _ = cv2.threshold(strokes.reshape(1, -1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if split < policy.strong_ink_ratio * ink.ink_threshold:
        return None
    return replace(ink, ink_threshold=int(split))


def weaker_ink_is_a_band(ink: InkImage, stronger: InkImage, policy: InkPolicy = DEFAULT.ink) -> bool:
    """True when the ink between `ink`'s threshold and `stronger`'s (`strongest_ink`) is an area (a
    band), not only the soft rim of strokes of one strength: `band_share` of it at least is left once
    eroded by `band_kernel` pixels (a letter on paper, read thinner, can pass for a digit)."""
    weaker = cv2.inRange(ink.ink, ink.ink_threshold + 1, stronger.ink_threshold)
    inside = cv2.erode(weaker, np.ones((policy.band_kernel, policy.band_kernel), np.uint8))
    return cv2.countNonZero(inside) >= policy.band_share * cv2.countNonZero(weaker)


def _ink_floor(ink: np.ndarray, policy: InkPolicy) -> int:
    """The least ink threshold: `min_ink_contrast`, but for faint ink (pencil, dim light: its darkest
    strokes `faint_ink` to ~2x that) `faint_share` of those strokes' strength, down to
    `min_faint_contrast`. Blank paper's darkest "ink" (a shadow's edge, noise) stays below `faint_ink`."""
    darker = np.cumsum(cv2.calcHist([ink], [0], None, [256], [0, 256]).ravel()[::-1])  # pixels >= 255 - i
    strongest = 255 - int(np.searchsorted(darker, policy.strong_ink_pixels))
    if strongest < policy.faint_ink:
        return policy.min_ink_contrast
    return int(np.clip(policy.faint_share * strongest, policy.min_faint_contrast, policy.min_ink_contrast))
