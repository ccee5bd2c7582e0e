"""Generated "not one digit" images, so the classifier learns to reject what a camera also sees.

Everything is drawn here, from fonts installed on the machine, OpenCV drawing calls and MNIST digits
themselves: letters and symbols, words, digit fragments and slices, touching or overlapping pairs of
digits, scribbles and doodles, filled shapes, textures, ruled lines and shadow edges, and
frame-filling 28x28 pictures. Each image goes through the runtime's own `to_mnist` (crop, fit 20x20,
centre of mass) unless it is a frame-filling picture, which the runtime passes through as it is.
No third-party image data set is used, by design: the product is measured on held-out sets.

`font_digits` renders digits 0-9 in the same fonts: printed digits, used as extra positives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.reading.inputs import to_mnist
from edge_runtime.reading.policy import FindPolicy
from edge_runtime.samples import ink_crop
from ground.contract import IMAGE_SHAPE, IMAGE_SIDE

CANVAS = 84  # side of the drawing canvas (3x MNIST): shapes are drawn here, then cut by `to_mnist`
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_SUFFIXES = (".ttf", ".otf")
# Families never used for training: the tests and the evaluation set render letters in these.
HELD_OUT_FONT_FAMILIES = ("Humor", "Andika")
SYMBOL_FONTS = ("StandardSymbols", "D050000L", "Dingbat", "Math")  # no letters or digits in these
MIN_NEGATIVE_ASPECT = 0.4  # width/height of the ink: anything thinner is a "1" whatever drew it
CUT_GROUP_HEIGHT = FindPolicy().group_max_height  # rows of a group when the runtime cuts it
CUT_THRESHOLD = 100  # ink strength of a stroke in the cut digits' masks
TOUCHING_OVERLAP = (0.05, 0.3)  # of the narrower tile's width: how far touching digits overlap
RIGHT_PIECE_INK = 0.85  # a right piece holds this share of one digit's ink...
STRAY_PIECE_INK = 0.15  # ...and at most this share of any other digit's
WRONG_PIECE_INK = 0.4  # a wrong piece holds this share of a second digit's ink...
FRAGMENT_PIECE_INK = 0.6  # ...or less than this share of any digit's
PIECES_PER_GROUP = 4  # right pieces and wrong pieces taken from one touching group, at most
MAX_STROKE_ELONGATION = 0.3  # minor/major spread of the ink below which it is one stroke
# Letters that are digits in other clothes (I l i | look like 1) are left out; O and o stay in:
# they are rounder than handwritten zeros, and "Room 12" must not read as "800012".
LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZabcdefghkmnopqrstuvwxyz"
SYMBOLS = "#%&@?!+=*<>$/\\()[]{}~^€£¥§¶©®±÷×"
HERSHEY_SHARE = 0.2  # of rendered text drawn in OpenCV's own stroke fonts
HERSHEY_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)


def font_files(held_out: bool = False) -> list[Path]:
    """TrueType/OpenType fonts installed here: the training ones, or only the held-out families."""
    found = sorted(
        p for d in FONT_DIRS if d.is_dir() for p in d.rglob("*") if p.suffix.lower() in FONT_SUFFIXES
    )
    found = [p for p in found if not any(s.lower() in p.name.lower() for s in SYMBOL_FONTS)]
    return [p for p in found if any(f.lower() in p.name.lower() for f in HELD_OUT_FONT_FAMILIES) == held_out]


@cache
def load_font(path: Path, size: int):
    """`path` as a Pillow font of `size` pixels (cached)."""
    from PIL import ImageFont  # Pillow comes with the training extra (matplotlib needs it)

    return ImageFont.truetype(str(path), size)


def render_text(
    text: str, rng: np.random.Generator, fonts: Sequence[Path], hershey: float = HERSHEY_SHARE
) -> np.ndarray:
    """`text` as white ink on black, slanted and of varied weight, in a random font of `fonts`, or in
    one of OpenCV's Hershey fonts (a share `hershey` of the time, and always when `fonts` is empty)."""
    if fonts and rng.random() >= hershey:
        from PIL import Image, ImageDraw

        font = load_font(fonts[int(rng.integers(len(fonts)))], 64)
        image = Image.new("L", (64 * (len(text) + 2), 128), 0)
        ImageDraw.Draw(image).text((32, 16), text, fill=255, font=font)
        canvas = np.asarray(image)
    else:
        font = HERSHEY_FONTS[int(rng.integers(len(HERSHEY_FONTS)))]
        thickness = int(rng.integers(2, 7))
        scale = cv2.getFontScaleFromHeight(font, 56, thickness)
        (width, _), _ = cv2.getTextSize(text, font, scale, thickness)
        canvas = np.zeros((128, width + 40), np.uint8)
        cv2.putText(canvas, text, (20, 90), font, scale, 255, thickness, cv2.LINE_AA)
    return _thicken(_slant(canvas, rng), rng)


def _slant(image: np.ndarray, rng: np.random.Generator, max_shear: float = 0.3) -> np.ndarray:
    """Shear horizontally and rotate a little, like handwriting (the canvas grows to fit)."""
    height, width = image.shape
    shear, angle = rng.uniform(-max_shear, max_shear), rng.uniform(-12, 12)
    centre = (width / 2, height / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    matrix[0, 1] += shear
    matrix[0, 2] -= shear * height / 2
    pad = int(abs(shear) * height) + 8
    matrix[:, 2] += pad
    return cv2.warpAffine(image, matrix, (width + 2 * pad, height + 2 * pad))


def _thicken(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vary the stroke weight: erode, keep or dilate by a pixel or two."""
    step = int(rng.integers(-1, 3))
    kernel = np.ones((3, 3), np.uint8)
    if step > 0:
        return cv2.dilate(image, kernel, iterations=step)
    if step < 0:
        return cv2.erode(image, kernel, iterations=-step)
    return image


# ---- the negative kinds: each returns an ink image (white on black), any size ----------------------


def letter(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """One letter or symbol."""
    pool = LETTERS if rng.random() < 0.75 else SYMBOLS
    return render_text(pool[int(rng.integers(len(pool)))], rng, fonts)


def word(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """Two or three letters (touching in many fonts), or a letter next to a digit."""
    count = int(rng.integers(2, 4))
    text = "".join(LETTERS[int(i)] for i in rng.integers(len(LETTERS), size=count))
    if rng.random() < 0.3:
        text = text[0] + str(int(rng.integers(10)))
    return render_text(text, rng, fonts)


def fragment(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """Part of one MNIST digit or of a letter: a vertical slice or a corner (what a wrong cut
    through touching digits, or through a wide letter such as m or M, gives)."""
    if rng.random() < 0.4:
        digit = _squared(ink_crop(render_text(LETTERS[int(rng.integers(len(LETTERS)))], rng, fonts)))
    else:
        digit = digits[int(rng.integers(len(digits)))]
    digit = cv2.resize(digit, (CANVAS, CANVAS), interpolation=cv2.INTER_LINEAR)
    ys, xs = np.nonzero(digit > 32)
    if len(xs) == 0:
        return digit
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    if rng.random() < 0.7:  # a vertical slice: what a wrong cut through touching digits gives
        width = x1 - x0
        lo = int(x0 + rng.uniform(0, 0.5) * width)
        hi = int(lo + rng.uniform(0.25, 0.55) * width)
        return digit[:, lo:hi]
    cx, cy = int(rng.uniform(x0, x1)), int(rng.uniform(y0, y1))  # a corner
    return digit[:cy, :cx] if rng.random() < 0.5 else digit[cy:, cx:]


def digit_pair(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """Two or three MNIST digits side by side, touching or overlapping (what the runtime must split)."""
    count = 2 if rng.random() < 0.8 else 3
    tiles = [ink_crop(digits[int(i)]) for i in rng.integers(len(digits), size=count)]
    height = max(t.shape[0] for t in tiles)
    canvas = np.zeros((height + 4, sum(t.shape[1] for t in tiles) + 4), np.uint8)
    x = 2
    for tile in tiles:
        top = 2 + int(rng.integers(0, height - tile.shape[0] + 1))
        window = canvas[top : top + tile.shape[0], x : x + tile.shape[1]]
        np.maximum(window, tile, out=window)
        x += max(1, tile.shape[1] - int(rng.uniform(-0.05, 0.35) * tile.shape[1]))
    return canvas[:, : x + 4]


def _squared(image: np.ndarray) -> np.ndarray:
    """`image` centred on a square black canvas (aspect kept)."""
    height, width = image.shape
    side = max(height, width)
    canvas = np.zeros((side, side), np.uint8)
    canvas[
        (side - height) // 2 : (side - height) // 2 + height,
        (side - width) // 2 : (side - width) // 2 + width,
    ] = image
    return canvas


def scribble(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """A random pen path: a few to many joined curve segments (never one straight vertical stroke)."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    points = rng.uniform(8, CANVAS - 8, size=(int(rng.integers(4, 12)), 2))
    curve = _smooth_path(points)
    cv2.polylines(canvas, [curve.astype(np.int32)], False, 255, int(rng.integers(2, 8)), cv2.LINE_AA)
    return canvas


def _smooth_path(points: np.ndarray, steps: int = 12) -> np.ndarray:
    """A Catmull-Rom spline through `points`."""
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    return np.vstack(out + [points[-1:]])


def doodle(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """A little drawing made of several primitives: a face, a house, a star, arrows, boxes, crosses."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    thickness = int(rng.integers(2, 6))
    for _ in range(int(rng.integers(2, 6))):
        _PRIMITIVES[int(rng.integers(len(_PRIMITIVES)))](canvas, rng, thickness)
    return canvas


def _face(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    c, r = (42 + int(rng.integers(-6, 7)), 42 + int(rng.integers(-6, 7))), int(rng.integers(22, 36))
    cv2.circle(canvas, c, r, 255, t, cv2.LINE_AA)
    for dx in (-r // 3, r // 3):
        cv2.circle(canvas, (c[0] + dx, c[1] - r // 4), max(2, r // 8), 255, -1, cv2.LINE_AA)
    cv2.ellipse(canvas, (c[0], c[1] + r // 5), (r // 2, r // 3), 0, 20, 160, 255, t, cv2.LINE_AA)


def _polygon(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    points = rng.integers(6, CANVAS - 6, size=(int(rng.integers(3, 7)), 2)).astype(np.int32)
    if rng.random() < 0.5:
        cv2.fillPoly(canvas, [points], 255, cv2.LINE_AA)
    else:
        cv2.polylines(canvas, [points], True, 255, t, cv2.LINE_AA)


def _box(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    x0, y0 = (int(v) for v in rng.integers(4, 40, 2))
    x1, y1 = (int(v) for v in rng.integers(44, CANVAS - 4, 2))
    cv2.rectangle(canvas, (x0, y0), (x1, y1), 255, -1 if rng.random() < 0.4 else t, cv2.LINE_AA)


def _cross(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    c = rng.integers(20, CANVAS - 20, 2)
    r = int(rng.integers(8, 20))
    angle = rng.uniform(0, np.pi / 2)
    for a in (angle, angle + np.pi / 2):
        d = np.array([np.cos(a), np.sin(a)]) * r
        cv2.line(canvas, tuple(int(v) for v in c - d), tuple(int(v) for v in c + d), 255, t, cv2.LINE_AA)


def _arrow(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    a, b = rng.integers(6, CANVAS - 6, size=(2, 2))
    cv2.arrowedLine(canvas, tuple(int(v) for v in a), tuple(int(v) for v in b), 255, t, cv2.LINE_AA, 0, 0.3)


def _star(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    c, r = rng.integers(30, CANVAS - 30, 2), rng.uniform(16, 30)
    angles = np.linspace(0, 2 * np.pi, 11)[:-1] + rng.uniform(0, np.pi)
    radii = np.where(np.arange(10) % 2 == 0, r, r * 0.45)
    points = np.stack([c[0] + radii * np.cos(angles), c[1] + radii * np.sin(angles)], 1).astype(np.int32)
    cv2.polylines(canvas, [points], True, 255, t, cv2.LINE_AA)


def _blob(canvas: np.ndarray, rng: np.random.Generator, t: int) -> None:
    c = tuple(int(v) for v in rng.integers(20, CANVAS - 20, 2))
    axes = tuple(int(v) for v in rng.integers(6, 30, 2))
    cv2.ellipse(canvas, c, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1, cv2.LINE_AA)


_PRIMITIVES: tuple[Callable[[np.ndarray, np.random.Generator, int], None], ...] = (
    _face,
    _polygon,
    _box,
    _cross,
    _arrow,
    _star,
    _blob,
)


def solid(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """Filled shapes, alone or touching: a disc, an ellipse, a box, a polygon, a row of dots or
    buttons (a filled disc must not be a 0, nor two touching ones an 8)."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    count = 1 if rng.random() < 0.6 else int(rng.integers(2, 4))
    centre = rng.uniform(25, CANVAS - 25, 2)
    for _ in range(count):
        axes = rng.uniform(8, 26, 2)
        if rng.random() < 0.3:
            axes[1] = axes[0]  # a disc
        point = tuple(int(v) for v in centre)
        if rng.random() < 0.7:
            cv2.ellipse(
                canvas, point, tuple(int(a) for a in axes), float(rng.uniform(0, 180)), 0, 360, 255, -1
            )
        else:
            corners = cv2.boxPoints((point, tuple(float(2 * a) for a in axes), float(rng.uniform(0, 90))))
            cv2.fillPoly(canvas, [corners.astype(np.int32)], 255)
        centre = centre + rng.uniform(-1, 1, 2) * axes * 1.6  # the next one touches or overlaps
    shade = rng.uniform(0.5, 1.0) - 0.3 * cv2.GaussianBlur(
        rng.random((CANVAS, CANVAS)).astype(np.float32), (0, 0), 4
    )
    return (canvas * np.clip(shade, 0.2, 1.0)).astype(np.uint8)


def texture(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """What thresholding a surface gives: noise blobs, gratings, checks, dots, ruled lines, shadow edges."""
    kind = int(rng.integers(6))
    if kind == 0:  # thresholded smooth noise: paper grain, wood, fabric
        field = cv2.GaussianBlur(rng.random((CANVAS, CANVAS)).astype(np.float32), (0, 0), rng.uniform(1, 6))
        return ((field > np.quantile(field, rng.uniform(0.5, 0.85))) * 255).astype(np.uint8)
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    if kind == 1:  # parallel lines: ruled paper, blinds, a keyboard's edge
        spacing, t = int(rng.integers(6, 20)), int(rng.integers(1, 4))
        for y in range(int(rng.integers(spacing)), CANVAS, spacing):
            cv2.line(canvas, (0, y), (CANVAS, y), 255, t)
        angle = rng.uniform(-90, 90)
        return cv2.warpAffine(canvas, cv2.getRotationMatrix2D((42, 42), angle, 1.3), (CANVAS, CANVAS))
    if kind == 2:  # checks and grids
        cell = int(rng.integers(6, 22))
        ys, xs = np.mgrid[:CANVAS, :CANVAS]
        return ((((ys // cell) + (xs // cell)) % 2) * 255).astype(np.uint8)
    if kind == 3:  # scattered dots
        for _ in range(int(rng.integers(5, 40))):
            centre = tuple(int(v) for v in rng.integers(0, CANVAS, 2))
            cv2.circle(canvas, centre, int(rng.integers(1, 6)), 255, -1, cv2.LINE_AA)
        return canvas
    if kind == 4:  # a shadow edge or a dark corner: a filled half-plane
        angle = rng.uniform(0, 2 * np.pi)
        ys, xs = np.mgrid[:CANVAS, :CANVAS] - 42
        edge = np.cos(angle) * xs + np.sin(angle) * ys > rng.uniform(-20, 20)
        return (edge * 255).astype(np.uint8)
    # a long thin line with a bit of something: a ruled line, a table edge
    y = int(rng.integers(20, 64))
    cv2.line(canvas, (0, y), (CANVAS, y + int(rng.integers(-8, 9))), 255, int(rng.integers(1, 5)))
    return canvas


def picture(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """A frame-filling 28x28 grey picture (an object on a background, or a natural-looking texture).

    Returned at 28x28 already: such images reach the model without `to_mnist` (the runtime passes a
    28x28 input through), so they are not recentred.
    """
    side = IMAGE_SIDE * 4
    canvas = np.full((side, side), rng.uniform(0, 60), np.float32)
    if rng.random() < 0.5:
        field = cv2.GaussianBlur(rng.random((side, side)).astype(np.float32), (0, 0), rng.uniform(2, 12))
        field = (field - field.min()) / max(float(np.ptp(field)), 1e-6)
        canvas += field * rng.uniform(60, 255)
    for _ in range(int(rng.integers(1, 4))):  # silhouettes: shirts, shoes, bags, cups are blobs with parts
        mask = np.zeros((side, side), np.uint8)
        points = rng.integers(0, side, size=(int(rng.integers(3, 9)), 2)).astype(np.int32)
        cv2.fillPoly(mask, [cv2.convexHull(points)], 255, cv2.LINE_AA)
        shade = rng.uniform(80, 255) * (1 - 0.4 * rng.random((side, side)).astype(np.float32))
        shade = cv2.GaussianBlur(shade, (0, 0), 3)
        canvas = np.where(mask > 0, shade, canvas)
    small = cv2.resize(canvas, IMAGE_SHAPE, interpolation=cv2.INTER_AREA)
    return np.clip(small, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class NegativeKind:
    """One kind of negative, how often it is drawn, and whether it is cut like a runtime crop."""

    name: str
    make: Callable[[np.random.Generator, np.ndarray, Sequence[Path]], np.ndarray]
    weight: float
    cropped: bool = True  # through `to_mnist` (False: already a 28x28 picture)


KINDS = (
    NegativeKind("letter", letter, 0.22),
    NegativeKind("word", word, 0.06),
    NegativeKind("fragment", fragment, 0.15),
    NegativeKind("digit pair", digit_pair, 0.15),
    NegativeKind("scribble", scribble, 0.06),
    NegativeKind("doodle", doodle, 0.08),
    NegativeKind("solid", solid, 0.06),
    NegativeKind("texture", texture, 0.10),
    NegativeKind("picture", picture, 0.12, cropped=False),
)


def negative_images(
    count: int,
    digits: np.ndarray,
    seed: int = 0,
    fonts: Sequence[Path] | None = None,
    kinds: Sequence[NegativeKind] = KINDS,
) -> np.ndarray:
    """`count` 28x28 uint8 non-digit images (white on black, as MNIST), drawn with `seed`.

    `digits` are MNIST-style images to cut fragments and pairs from; `fonts` default to the
    training fonts installed here (`font_files()`).
    """
    rng = np.random.default_rng(seed)
    fonts = font_files() if fonts is None else list(fonts)
    weights = np.array([k.weight for k in kinds])
    picks = rng.choice(len(kinds), size=count, p=weights / weights.sum())
    out = np.zeros((count, *IMAGE_SHAPE), np.uint8)
    for i, pick in enumerate(picks):
        kind = kinds[pick]
        image = kind.make(rng, digits, fonts)
        while kind.cropped and not not_a_one(image):
            image = kind.make(rng, digits, fonts)
        out[i] = to_mnist(image) if kind.cropped else image
    return out


def not_a_one(image: np.ndarray) -> bool:
    """False for empty ink and for anything a digit 1 could be: a thin upright box, or one elongated
    stroke within 45 degrees of vertical (MNIST's 1s slant a lot)."""
    ys, xs = np.nonzero(image > 64)
    if len(xs) < 2:
        return False
    if (np.ptp(xs) + 1) < MIN_NEGATIVE_ASPECT * (np.ptp(ys) + 1):
        return False
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    elongated = eigenvalues[0] < (MAX_STROKE_ELONGATION**2) * eigenvalues[1]
    upright = abs(eigenvectors[1, 1]) >= abs(eigenvectors[0, 1])  # major axis nearer y than x
    return not (elongated and upright)


def font_digits(
    count: int, seed: int = 0, fonts: Sequence[Path] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`count` printed digits (28x28, white on black) in the training fonts, and their labels."""
    rng = np.random.default_rng(seed)
    fonts = font_files() if fonts is None else list(fonts)
    labels = rng.integers(0, 10, size=count).astype(np.uint8)
    images = np.stack([to_mnist(render_text(str(int(d)), rng, fonts)) for d in labels])
    return images, labels


def photographed_digits(
    count: int, digits: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """`count` MNIST digits as the runtime cuts them out of a photo, labelled: enlarged, blurred or
    not, strokes thinned or thickened, thresholded at a random ink level and recut by `to_mnist`
    (photographed strokes come out thinner and harder-edged than MNIST's)."""
    rng = np.random.default_rng(seed)
    chosen = rng.integers(len(digits), size=count)
    images = np.empty((count, *IMAGE_SHAPE), np.uint8)
    for i, index in enumerate(chosen):
        ink = cv2.resize(digits[index], (CANVAS, CANVAS), interpolation=cv2.INTER_LINEAR)
        if rng.random() < 0.5:
            ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.5, 2.0))
        step = int(rng.integers(-1, 4))  # thinning more than a pixel (of 3) breaks MNIST strokes
        if step:
            morph = cv2.dilate if step > 0 else cv2.erode
            ink = morph(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(step) + 1,) * 2))
        level = int(rng.integers(50, 150))
        ink = np.where(ink > level, ink - level // 2, 0).astype(np.uint8)
        images[i] = to_mnist(ink) if ink.any() else digits[index]
    return images, labels[chosen].astype(np.uint8)


def cut_digits(
    count: int, digits: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces of touching pairs and triples cut the way the runtime cuts them: `count` right pieces
    (one whole digit, labelled) and `count` wrong ones (a fragment, or parts of two digits).

    The digits are set side by side until they touch or overlap, and every candidate piece of the
    runtime's own search (`edge_runtime.reading.cuts.candidate_pieces`) is judged by whose ink it holds:
    right when it holds `RIGHT_PIECE_INK` of one digit and little of the others, wrong when it holds
    `WRONG_PIECE_INK` of a second digit or too little of any. The model learns to accept a digit with a
    sliver of its neighbour or a nick from the cut, and to reject the pieces of a wrong segmentation.
    """
    from edge_runtime.reading.cuts import candidate_pieces
    from edge_runtime.reading.geometry import Transform
    from edge_runtime.reading.groups import Group

    rng = np.random.default_rng(seed)
    right, picked, wrong = [], [], []
    while len(right) < count or len(wrong) < count:
        chosen = rng.integers(len(digits), size=2 if rng.random() < 0.7 else 3)
        canvas, owners = _touching([ink_crop(digits[i]) for i in chosen], rng)
        _, mask = cv2.threshold(canvas, CUT_THRESHOLD, 255, cv2.THRESH_BINARY)
        group = Group((0, 0, canvas.shape[1], canvas.shape[0]), canvas, mask, Transform(), CUT_THRESHOLD)
        paths, pieces = candidate_pieces(group)
        own = [(mask > 0) & (owners == k) for k in range(len(chosen))]
        totals = [max(1, int(o.sum())) for o in own]
        columns = np.arange(mask.shape[1])[None, :]
        taken = {True: 0, False: 0}  # right and wrong pieces taken from this group
        for index in rng.permutation(len(pieces)):
            a, b, crop = pieces[index]
            inside = (columns >= paths[a][:, None]) & (columns < paths[b][:, None])
            shares = sorted(
                ((o & inside).sum() / t, k) for k, (o, t) in enumerate(zip(own, totals, strict=True))
            )
            (second, _), (first, k) = ([(0.0, -1)] + shares)[-2:]
            if first >= RIGHT_PIECE_INK and second <= STRAY_PIECE_INK:
                if len(right) < count and taken[True] < PIECES_PER_GROUP:
                    right.append(crop.pixels)
                    picked.append(labels[chosen[k]])
                    taken[True] += 1
            elif second >= WRONG_PIECE_INK or first < FRAGMENT_PIECE_INK:
                # a single stroke of a digit may be read as a 1
                if len(wrong) < count and taken[False] < PIECES_PER_GROUP and not_a_one(crop.pixels):
                    wrong.append(crop.pixels)
                    taken[False] += 1
    return np.stack(right), np.asarray(picked, np.uint8), np.stack(wrong)


def _touching(
    tiles: list[np.ndarray],
    rng: np.random.Generator,
    overlap: tuple[float, float] = TOUCHING_OVERLAP,
    pair_width: Callable[[int, int], float] = min,
) -> tuple[np.ndarray, np.ndarray]:
    """Trimmed digit tiles enlarged to a runtime group's height and set side by side, each
    overlapping the previous one by `overlap` of `pair_width` of the two (by default the narrower
    one's width); also which tile owns each pixel (the one with the most ink there)."""
    scale = CUT_GROUP_HEIGHT / max(t.shape[0] for t in tiles)
    tiles = [
        cv2.resize(t, (max(1, round(t.shape[1] * scale)), max(1, round(t.shape[0] * scale)))) for t in tiles
    ]
    height = max(t.shape[0] for t in tiles)
    width = sum(t.shape[1] for t in tiles)
    layers = np.zeros((len(tiles), height + 2, width + int(max(0.0, -overlap[0]) * width) + 2), np.uint8)
    x = 1
    for i, tile in enumerate(tiles):
        if i:
            x -= int(rng.uniform(*overlap) * pair_width(tile.shape[1], tiles[i - 1].shape[1]))
        top = 1 + int(rng.integers(0, height - tile.shape[0] + 1))
        layers[i, top : top + tile.shape[0], x : x + tile.shape[1]] = tile
        x += tile.shape[1]
    layers = layers[:, :, : x + 1]
    return layers.max(axis=0), layers.argmax(axis=0)
