"""Digits in the styles of the surfaces a camera sees (issue 22), cut out as the runtime cuts them.

Five styles, each drawn at a camera's size (40-150 px tall) on a small canvas, photographed (its
surface and ink levels, either polarity, light falloff, blur, sensor noise, JPEG) and then read by the
runtime's own stages: `ink_image` (paper flattened, polarity found, threshold) → `find_groups` (with
every blob of the canvas merged into one group, as a runtime that has found the digit's parts would)
→ `crop_piece`, so the 28x28 inputs are what `read_digits` feeds the model:

- seven-segment: LCD or LED bars with gaps, bevelled, rectangular or rounded, italic 0-12 degrees,
  varied thickness, faint "off" segments, 1 on the right two segments, 7 with or without its extra
  segment, 6 and 9 with or without their tails;
- outlined ("bubble") handwriting: the outline of a thickened MNIST digit;
- hairline handwriting: an MNIST digit's skeleton, 1-2 px wide;
- chalk: MNIST strokes broken by grain, light on a dark board;
- printed digits in bold and condensed training fonts.

`surface_signs` draws what surfaces show beside their digits the same way (currency and other signs,
letters; printed bold or outlined), as non-digits.

Only MNIST digits passed in and the training fonts (`font_files()`) are used; no image data set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from edge_runtime.reading.find import find_groups
from edge_runtime.reading.geometry import Box
from edge_runtime.reading.groups import crop_piece
from edge_runtime.reading.ink import ink_image
from edge_runtime.reading.policy import DEFAULT
from edge_runtime.reading.thinning import skeleton
from edge_runtime.samples import ink_crop
from ground.contract import IMAGE_SHAPE
from train.negatives import LETTERS, font_files, load_font, render_text

T = TypeVar("T")

DIGIT_HEIGHT = (40, 150)  # pixels: a digit as a camera frame holds it
HAIRLINE_HEIGHT = (60, 120)
MARGIN = (0.25, 0.8)  # of the digit's height, around it on the canvas
BOX_SLACK = 0.1  # of the digit's height: how far the ink found may reach beyond the digit drawn...
MIN_COVER = 0.8  # ...and how much of the digit's height it must span
MAX_BLUR = 1.2  # a photo's blur (Gaussian sigma) per 80 px of digit height, at most...
FINE_LINE_BLUR = 0.5  # ...and for a 1-3 px pen line, which more blur fades below any ink threshold
# every blob of the canvas is one group: the digit's segments, outline or chalk pieces together
ONE_GROUP = replace(DEFAULT.find, column_overlap_to_merge=-10.0, max_gap_to_merge=10.0)
BOLD_OR_CONDENSED = ("bold", "narrow", "condensed", "demi", "black", "heavy")
MAX_ITALIC_DEGREES = 12.0
INK_LEVEL = 0.25  # a drawing's ink (0-1) above this is its lit part, whose box the photo records
MAX_TRIES = 100  # photos drawn for one digit before giving up (the runtime found none of them)
# Non-digits beside a surface's digits (`surface_signs`): a price tag's currency and other signs, and
# letters but those that are digits in other clothes and the O (an outlined O is an outlined 0)
SIGNS = "$€£¥%#&@+?"  # no "!": cut as one group, its bar and dot are a 1
SIGN_LETTERS = LETTERS.replace("O", "").replace("o", "")
MISSING_GLYPH = "\U0010fffd"  # a private-use character: what a font draws for one it lacks
SIGN_SHARE = 0.6  # of the non-digits: signs (the rest letters)
OUTLINED_SIGN_SHARE = 0.3  # of the non-digits: outlined (the rest printed bold)
# segments a-g (top, top right, bottom right, bottom, bottom left, top left, middle) lit per digit,
# with the variants displays use: a 6 and 9 without tails, a 7 with its top-left segment
SEGMENTS = {
    0: ("abcdef",),
    1: ("bc",),
    2: ("abged",),
    3: ("abgcd",),
    4: ("fgbc",),
    5: ("afgcd",),
    6: ("afgedc", "fgedc"),
    7: ("abc", "abcf"),
    8: ("abcdefg",),
    9: ("abcdfg", "abcfg"),
}


@dataclass(frozen=True)
class Drawing:
    """A digit's ink (0-1, any size, no margin), its faint unlit parts, and whether it is light on dark."""

    ink: np.ndarray  # float32 (h, w)
    off: np.ndarray | None = None  # float32 like `ink`: unlit segments, drawn faintly
    light_on_dark: bool = False
    blur: float = MAX_BLUR  # the most blur a photo of it gets, per 80 px of its height


# ---- the styles: each draws one digit of `label`, from `digit` (an MNIST image of it) or a font ----


def seven_segment(rng: np.random.Generator, label: int, digit: np.ndarray, fonts: Sequence[Path]) -> Drawing:
    """An LCD or LED digit: slanted bars with gaps, `off` segments drawn as the faint rest."""
    height = float(rng.uniform(*DIGIT_HEIGHT))
    width = height * rng.uniform(0.45, 0.65)
    thickness = height * rng.uniform(0.07, 0.16)
    gap = thickness * rng.uniform(0.05, 0.4)
    shape = int(rng.integers(3))  # bevelled hexagons, rectangles or rounded bars
    shear = np.tan(np.radians(rng.uniform(0, MAX_ITALIC_DEGREES)))
    lit = SEGMENTS[label][int(rng.integers(len(SEGMENTS[label])))]
    pad = int(thickness + shear * height) + 2
    size = (int(height + thickness) + 2 * pad, int(width + thickness + shear * height) + 2 * pad)
    on, off = np.zeros(size, np.uint8), np.zeros(size, np.uint8)
    for name, (start, stop) in _segment_lines(width, height).items():
        polygon = _segment(start, stop, thickness, gap, shape)
        polygon[:, 0] += shear * (height - polygon[:, 1]) + pad  # italic: the top leans right
        polygon[:, 1] += pad
        cv2.fillPoly(
            on if name in lit else off, [np.round(polygon * 16).astype(np.int32)], 255, cv2.LINE_AA, 4
        )
    light = rng.random() < 0.5  # an LED (light on dark) or an LCD
    faint = rng.uniform(0.03, 0.15) if rng.random() < 0.5 else 0.0
    return Drawing(on / np.float32(255), off * np.float32(faint / 255), light)


def _segment_lines(width: float, height: float) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """Each segment's centre line in a digit box `width` x `height` (y down)."""
    mid = height / 2
    return {
        "a": ((0, 0), (width, 0)),
        "b": ((width, 0), (width, mid)),
        "c": ((width, mid), (width, height)),
        "d": ((0, height), (width, height)),
        "e": ((0, mid), (0, height)),
        "f": ((0, 0), (0, mid)),
        "g": ((0, mid), (width, mid)),
    }


def _segment(
    start: tuple[float, float], stop: tuple[float, float], thickness: float, gap: float, shape: int
) -> np.ndarray:
    """A segment's polygon (float, x y) along its centre line, shortened by `gap` plus half the bar at
    each end: a bevelled hexagon (0), a rectangle (1) or a bar with rounded ends (2)."""
    a, b = np.asarray(start, np.float64), np.asarray(stop, np.float64)
    along = (b - a) / np.linalg.norm(b - a)
    across = np.array([-along[1], along[0]]) * thickness / 2
    a, b = a + along * (gap + thickness / 2), b - along * (gap + thickness / 2)
    if shape == 0:
        tip = along * thickness / 2
        return np.array([a - tip, a + across, b + across, b + tip, b - across, a - across])
    if shape == 1:
        return np.array([a + across, b + across, b - across, a - across])
    turn = np.linspace(-np.pi / 2, np.pi / 2, 7)[:, None]
    side = across / np.linalg.norm(across)
    cap_b = b + thickness / 2 * (np.cos(turn) * along + np.sin(turn) * side)  # from -side round to +side
    cap_a = a + thickness / 2 * (-np.cos(turn) * along - np.sin(turn) * side)  # from +side round to -side
    return np.vstack([cap_b, cap_a])


def outlined(rng: np.random.Generator, label: int, digit: np.ndarray, fonts: Sequence[Path]) -> Drawing:
    """A bubble digit: only the outline of a thickened MNIST stroke, its inside sometimes faintly filled."""
    return _outlined(rng, _strokes(digit, rng.uniform(*DIGIT_HEIGHT)))


def _outlined(rng: np.random.Generator, strokes: np.ndarray) -> Drawing:
    """The outline of `strokes` (0 or 255) thickened, its inside sometimes faintly filled."""
    height = strokes.shape[0]
    bubble = _grown(strokes, max(2, round(height * rng.uniform(0.03, 0.07))))
    line = max(1, round(height * rng.uniform(0.015, 0.035)))
    inside = cv2.erode(bubble, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * line + 1,) * 2))
    outline = (bubble > 0) & (inside == 0)
    fill = rng.uniform(0.0, 0.15) if rng.random() < 0.3 else 0.0
    ink = cv2.GaussianBlur(outline.astype(np.float32), (0, 0), 0.6)
    return Drawing(ink, (inside > 0).astype(np.float32) * fill, rng.random() < 0.2, FINE_LINE_BLUR)


def hairline(rng: np.random.Generator, label: int, digit: np.ndarray, fonts: Sequence[Path]) -> Drawing:
    """A fine pen's digit: the skeleton of an MNIST digit, 1-2 px wide."""
    strokes = _strokes(digit, rng.uniform(*HAIRLINE_HEIGHT))
    line = (skeleton(strokes > 0) > 0).astype(np.uint8)
    if rng.random() < 0.5:
        line = cv2.dilate(line, np.ones((2, 2), np.uint8))
    ink = cv2.GaussianBlur(line.astype(np.float32), (0, 0), 0.5)
    return Drawing(ink / max(float(ink.max()), 1e-6), None, rng.random() < 0.2, FINE_LINE_BLUR)


def chalk(rng: np.random.Generator, label: int, digit: np.ndarray, fonts: Sequence[Path]) -> Drawing:
    """Chalk on a board: an MNIST digit's strokes broken by grain, of uneven pressure, light on dark."""
    strokes = _strokes(digit, rng.uniform(*DIGIT_HEIGHT)).astype(np.float32) / 255
    grain = cv2.GaussianBlur(rng.random(strokes.shape).astype(np.float32), (0, 0), rng.uniform(0.6, 1.5))
    kept = grain > np.quantile(grain, rng.uniform(0.2, 0.55))
    pressure = cv2.GaussianBlur(rng.random(strokes.shape).astype(np.float32), (0, 0), strokes.shape[0] / 8)
    pressure = 0.6 + 0.4 * (pressure - pressure.min()) / max(float(np.ptp(pressure)), 1e-6)
    return Drawing(strokes * kept * pressure, None, rng.random() < 0.9)


def printed(rng: np.random.Generator, label: int, digit: np.ndarray, fonts: Sequence[Path]) -> Drawing:
    """A printed digit in a bold or condensed training font, squeezed narrower or not."""
    return _printed(rng, str(label), fonts)


def _printed(rng: np.random.Generator, text: str, fonts: Sequence[Path]) -> Drawing:
    """`text` in a bold or condensed training font at a camera's size, squeezed narrower or not."""
    heavy = [f for f in fonts if any(w in f.name.lower() for w in BOLD_OR_CONDENSED)] or list(fonts)
    ink = ink_crop(render_text(text, rng, heavy, hershey=0.0))
    height = rng.uniform(*DIGIT_HEIGHT)
    squeeze = rng.uniform(0.6, 1.0) if rng.random() < 0.5 else 1.0
    size = (max(2, round(ink.shape[1] * height / ink.shape[0] * squeeze)), round(height))
    resized = cv2.resize(ink, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    return Drawing(resized, None, rng.random() < 0.4)


def _strokes(image: np.ndarray, height: float) -> np.ndarray:
    """The ink box of `image` (an MNIST digit, or rendered text: white on black) scaled to `height`
    rows, thresholded to its strokes (0 or 255)."""
    if not image.any():
        raise ValueError("a blank image has no strokes to draw")
    ink = ink_crop(image)
    factor = height / ink.shape[0]
    size = (max(2, round(ink.shape[1] * factor)), max(2, round(height)))
    big = cv2.resize(cv2.GaussianBlur(ink, (3, 3), 0), size, interpolation=cv2.INTER_LINEAR)
    return np.where(big > 100, 255, 0).astype(np.uint8)


def _grown(mask: np.ndarray, radius: int) -> np.ndarray:
    """`mask` dilated by a disc of `radius`, on a canvas grown so that a black margin stays around it."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    pad = radius + 2
    padded = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    return cv2.dilate(padded, kernel)


# ---- a photo of a drawing, and the runtime's cut of it --------------------------------------------


def photographed(drawing: Drawing, rng: np.random.Generator) -> tuple[np.ndarray, Box]:
    """The drawing on a surface with a margin, as a grey camera image (ink and surface levels of the
    drawing's polarity, light falloff, blur, sensor noise and JPEG), and the box of its (lit) ink."""
    ink = drawing.ink if drawing.off is None else np.maximum(drawing.ink, drawing.off)
    height, width = ink.shape
    ys, xs = np.nonzero(drawing.ink > INK_LEVEL)
    top, bottom, left, right = (int(height * rng.uniform(*MARGIN)) for _ in range(4))
    ink = cv2.copyMakeBorder(ink, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0)
    surface, strongest = (
        (rng.uniform(10, 80), rng.uniform(150, 255))
        if drawing.light_on_dark
        else (rng.uniform(140, 240), rng.uniform(0, 90))
    )
    rows, cols = np.mgrid[: ink.shape[0], : ink.shape[1]].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * cols / ink.shape[1] + np.sin(angle) * rows / ink.shape[0]) * rng.uniform(
        -0.3, 0.3
    )
    image = (surface + (strongest - surface) * ink) * (1 + ramp)
    blur = rng.uniform(0.0, drawing.blur) * max(height, 40) / 80
    if blur > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    image = image + rng.normal(0, rng.uniform(1, 8), image.shape)
    grey = np.clip(image, 0, 255).astype(np.uint8)
    _, jpeg = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 96))])
    box = (left + int(xs.min()), top + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE), box


def runtime_cut(photo: np.ndarray, digit_box: Box) -> np.ndarray | None:
    """The 28x28 input the runtime cuts out of a photo of one digit: its ink as `ink_image` measures
    it, every blob one group (`ONE_GROUP`), `crop_piece`. None when no ink is found, or when what was
    found reaches `BOX_SLACK` of the digit's height beyond the digit's box (x, y, w, h: the surface
    or unlit segments were taken for ink), or spans less than `MIN_COVER` of its height (a part of
    it, the rest too faint to be found)."""
    found = find_groups(ink_image(photo, crop=True), ONE_GROUP)
    if not found.groups:
        return None
    piece = crop_piece(max(found.groups, key=lambda g: int(np.count_nonzero(g.mask))))
    if piece is None:
        return None
    (x, y, w, h), (dx, dy, dw, dh) = piece.box, digit_box
    slack = BOX_SLACK * dh
    inside = x >= dx - slack and y >= dy - slack and x + w <= dx + dw + slack and y + h <= dy + dh + slack
    return piece.pixels if inside and h >= MIN_COVER * dh else None


@dataclass(frozen=True)
class SurfaceStyle:
    """One style of digit, how it is drawn, its share of the mix, and whether it needs an MNIST digit."""

    name: str
    draw: Callable[[np.random.Generator, int, np.ndarray, Sequence[Path]], Drawing]
    share: float
    from_mnist: bool  # drawn from an MNIST digit of the label (else from the label alone)


STYLES = (
    SurfaceStyle("seven-segment", seven_segment, 0.35, from_mnist=False),
    SurfaceStyle("outlined", outlined, 0.15, from_mnist=True),
    SurfaceStyle("hairline", hairline, 0.15, from_mnist=True),
    SurfaceStyle("chalk", chalk, 0.15, from_mnist=True),
    SurfaceStyle("printed bold", printed, 0.20, from_mnist=False),
)


def surface_digits(
    count: int,
    digits: np.ndarray,
    labels: np.ndarray,
    seed: int = 0,
    styles: Sequence[SurfaceStyle] = STYLES,
    fonts: Sequence[Path] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`count` digits in surface styles (28x28 uint8, white on black, as the runtime cuts them) and
    their labels, drawn with `seed` from the MNIST-style `digits` (`labels`) and the training fonts,
    each style taking its `share` of them."""
    rng = np.random.default_rng(seed)
    fonts = font_files() if fonts is None else list(fonts)
    shares = np.array([s.share for s in styles])
    picks = rng.choice(len(styles), size=count, p=shares / shares.sum())
    images = np.zeros((count, *IMAGE_SHAPE), np.uint8)
    out_labels = np.zeros(count, np.uint8)
    for i, pick in enumerate(picks):
        style = styles[pick]

        def draw(style: SurfaceStyle = style) -> tuple[Drawing, int]:
            index = int(rng.integers(len(digits)))
            label = int(labels[index]) if style.from_mnist else int(rng.integers(10))
            return style.draw(rng, label, digits[index], fonts), label

        images[i], out_labels[i] = _cut(draw, rng, style.name)
    return images, out_labels


def surface_signs(count: int, seed: int = 0, fonts: Sequence[Path] | None = None) -> np.ndarray:
    """`count` non-digits as surfaces show them beside their digits (28x28 uint8, white on black, as
    the runtime cuts them): currency and other signs, and letters, printed bold or outlined, drawn
    with `seed` from the training fonts and photographed as the surface digits are."""
    rng = np.random.default_rng(seed)
    fonts = font_files() if fonts is None else list(fonts)
    images = np.zeros((count, *IMAGE_SHAPE), np.uint8)
    for i in range(count):

        def draw() -> tuple[Drawing, None]:
            pool = SIGNS if rng.random() < SIGN_SHARE else SIGN_LETTERS
            text = pool[int(rng.integers(len(pool)))]
            having = _fonts_having(text, tuple(fonts))
            if rng.random() < OUTLINED_SIGN_SHARE:
                strokes = _strokes(render_text(text, rng, having, hershey=0.0), rng.uniform(*DIGIT_HEIGHT))
                return _outlined(rng, strokes), None
            return _printed(rng, text, having), None

        images[i], _ = _cut(draw, rng, "sign")
    return images


@cache
def _fonts_having(text: str, fonts: tuple[Path, ...]) -> list[Path]:
    """Those of `fonts` that draw `text`, not their missing-glyph box (or nothing) in its place."""
    from PIL import ImageFont  # Pillow comes with the training extra

    def drawn(font: ImageFont.FreeTypeFont, text: str) -> tuple[bytes, tuple[int, int]]:
        mask = font.getmask(text)
        return bytes(mask), mask.size

    having = [f for f in fonts if drawn(load_font(f, 64), text) != drawn(load_font(f, 64), MISSING_GLYPH)]
    if not having:
        raise ValueError(f"no training font draws {text!r}")
    return having


def _cut(draw: Callable[[], tuple[Drawing, T]], rng: np.random.Generator, name: str) -> tuple[np.ndarray, T]:
    """The runtime's cut of a photo of what `draw` draws, and what it returns beside the drawing
    (a label), drawing again until the runtime finds it (`MAX_TRIES` times at most)."""
    for _ in range(MAX_TRIES):
        drawing, label = draw()
        if drawing.ink.max() <= INK_LEVEL:  # a glyph too thin to keep any ink at this size
            continue
        pixels = runtime_cut(*photographed(drawing, rng))
        if pixels is not None:
            return pixels, label
    raise ValueError(f"no {name} was found in {MAX_TRIES} photos")
