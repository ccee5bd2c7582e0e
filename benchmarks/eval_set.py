"""The runtime's own evaluation set, generated from MNIST *test* digits, fonts and OpenCV drawing only.

  .venv/bin/python benchmarks/eval_set.py OUT_DIR [--data mnist.npz] [--per-category 300] [--seed 0]

Writes OUT_DIR/<category>/<index>.png|jpg, OUT_DIR/texts.json ({relative path: the text expected,
with its separators}) and, last, OUT_DIR/labels.json ({relative path: the number expected, or null
for "no digit"}). `iter_eval_set` makes the same items in memory, one at a
time, as `runtime_bench.py` reads them. Categories:

- tight crop: one digit whose ink touches all four edges (0-2 px margin), 24-300 px tall, mostly
  dark on light, some thick, blurred, noisy or JPEG-compressed, and a share of low-resolution
  blocky ones (the ink box counted into 8x8..16x16 blocks of 0-16 pixels, then enlarged to 64 px
  tall), like scanned digit sets;
- small digit 1080p: one digit 20-40 px tall anywhere on a 1920x1080 photo of paper;
- number: 2-12 well-spaced digits photographed (640x480 to 1920x1080, digits at least 24 px);
- touching number: 2-6 digits whose neighbours touch or overlap (pitch 0.55-0.8 of their width);
- non-digit scene: no digit at all: words and letters in the held-out fonts, doodles, scribbles,
  textures, shapes, frame-filling pictures, bare (ruled, shadowed) paper;
- photographed digit: one digit through the plain `paper_photo([digit], rng)` (640x480), as before;
- slanted number: a number as "number" draws it, photographed by a camera rolled 3-12 degrees either
  way (zoomed out so that the whole page stays in view);
- faint number: a number as "number" draws it, its photo keeping 30-50% of its contrast (pencil, dim
  light: grey strokes on grey paper);
- plate, screen, seven-segment, price tag, date/time, chalkboard, outlined handwriting, hairline
  handwriting, non-digit surface: numbers on the surfaces a camera sees besides paper, as
  `train.surfaces` draws them (its docstring describes each), in the held-out fonts. Their items
  also hold the `text` expected, with its separators ("12.50", "2024-05-17", "555 0123").

Photos record their ink, ruled paper and shadow in the item's info, for breakdowns.

Every handwritten digit is drawn from MNIST's test split, and every category deals from its own
shuffled deck of it (and draws with its own random generator), so categories do not depend on each
other. No third-party image data set is used.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.samples import INK_BGR, block_scan, ink_crop, jpeg, paper_photo, rolled, write_image
from ground.atomic import atomic_write_bytes
from train.data import load_mnist
from train.negatives import doodle, font_files, picture, render_text, scribble, texture
from train.surfaces import KINDS as SURFACES
from train.surfaces import Deck, Sources, draw

CATEGORIES = (
    "tight crop",
    "small digit 1080p",
    "number",
    "touching number",
    "non-digit scene",
    "photographed digit",
    "slanted number",
    "faint number",
    *SURFACES,  # plate, screen, seven-segment, ... (`train.surfaces`)
)
DEFAULT_PER_CATEGORY = 300
FRAMES = ((640, 480), (1280, 720), (1920, 1080))  # width, height
FULL_HD = (1920, 1080)
LABELS_FILE = "labels.json"
TEXTS_FILE = "texts.json"
PHOTO_JPEG_QUALITY = 92  # photos wider than 640 are kept (and written) as JPEG: real photos are

# tight crops
CROP_HEIGHT = (24, 300)  # ink height in pixels, log-uniform
DARK_ON_LIGHT = 0.8  # share of tight crops (and scanned ones) with dark ink on a light background
BLOCKY_SHARE = 0.2
BLOCKS = (8, 16)  # blocks per side of a blocky digit, inclusive
LEVELS = 16  # grey levels above blank: a 4x4 block has 0-16 pixels set
BLOCKY_HEIGHT = 64
MAX_STRETCH = 2.0  # a blocky digit is widened towards a square at most this much (a 1 stays narrow)
THICK_SHARE, BLUR_SHARE, NOISE_SHARE, JPEG_SHARE = 0.25, 0.3, 0.3, 0.3

# photos
SMALL_HEIGHT = (22, 34)  # trimmed ink height: 20-40 px once rotated up to 10 degrees
MIN_NUMBER_HEIGHT = 24
NUMBER_LENGTH = (2, 12)
NUMBER_GAP = (0.25, 0.5)  # blank between neighbours, of the digit height (rotation eats up to ~0.17)
TOUCHING_LENGTH = (2, 6)
TOUCHING_PITCH = (
    0.75,
    0.92,
)  # step between neighbours, of their trimmed width: the ink touches, a little overlaps
RULED_SHARE, SHADOW_SHARE = 0.5, 0.4  # as `paper_photo` draws them
EDGE_MARGIN = 0.03  # of the frame: room left around a line of digits for its rotation
SLANT = (3.0, 12.0)  # degrees a slanted number's photo is rolled, either way
FAINT_CONTRAST = (0.3, 0.5)  # share of a faint number's photo's contrast kept (pencil, dim light)...
FAINT_GREY = 200  # ...around this grey level

# non-digit scenes
WORDS = (
    "ABC", "Room", "Exit", "EXIT", "Push", "Open", "STOP", "Menu", "Name", "Date", "Cafe", "Enter",
    "Next", "Back", "Yes", "No", "Shop", "Park", "Zone", "Page", "Box", "Keys", "Tea", "Note", "Done",
    "Ready", "Hat", "Queen", "water", "mark", "bear", "fox", "Max", "WC", "Way", "sugar", "New", "Sale",
)  # fmt: skip
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghkmnpqrstuvwxyz"  # no I l i (ones) and no O o (zeros)
DIGIT_LIKE = set("IilOo|")  # a text made only of these is a number in all but name
SHAPE_KINDS = ("rectangle", "triangle", "disc", "star", "arrow", "plus", "cross")
SCENE_KINDS = {  # kind: weight
    "word": 0.25,
    "letters": 0.1,
    "doodle": 0.12,
    "scribble": 0.1,
    "texture": 0.1,
    "shape": 0.1,
    "picture": 0.08,
    "picture 28x28": 0.05,
    "paper": 0.1,
}
MIN_WIDE = 0.4  # ink width/height: a stroke thinner than this is a 1, whatever drew it...
ONE_HEIGHT = 0.25  # ...if it is at least this share of the drawing's height


@dataclass(frozen=True)
class EvalItem:
    """One image of the set, the number it shows (None: no digit), and how it was made."""

    category: str
    image: np.ndarray  # uint8, grey (h, w) or BGR (h, w, 3)
    expected: str | None
    info: dict = field(default_factory=dict)  # drawing parameters, to break results down
    suffix: str = ".png"  # the file format it is written in (JPEG items hold the decoded JPEG)
    text: str | None = None  # the number as written ("12.50", "2024-05-17"); None: `expected`

    def __post_init__(self) -> None:
        if self.text is None:
            object.__setattr__(self, "text", self.expected)


# ---- tight crops ----------------------------------------------------------------------------------


def tight_crop(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A digit cropped to its ink (0-2 px margin): photographed-looking or scanned-blocky."""
    if rng.random() < BLOCKY_SHARE:
        return blocky_crop(digit, rng)
    height = int(round(np.exp(rng.uniform(*np.log(CROP_HEIGHT)))))
    ink = cv2.copyMakeBorder(ink_crop(digit), 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=0)
    scale = height / (ink.shape[0] - 4)
    alpha = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255
    info: dict = {"kind": "plain", "height": height}
    if rng.random() < THICK_SHARE:
        side = max(2, round(height * rng.uniform(0.03, 0.08)))
        alpha = cv2.dilate(alpha, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
        info["kind"] = "thick"
    alpha = np.clip(alpha / max(float(alpha.max()), 1e-6), 0, 1)
    ys, xs = np.nonzero(alpha > 0.5)
    margin = int(rng.integers(0, 3))
    top, left = max(ys.min() - margin, 0), max(xs.min() - margin, 0)
    alpha = alpha[top : ys.max() + 1 + margin, left : xs.max() + 1 + margin]
    image = _colour(alpha, rng)
    degraded = []
    if rng.random() < BLUR_SHARE:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.4, 1.0) * max(1.0, height / 80))
        degraded.append("blur")
    if rng.random() < NOISE_SHARE:
        noise = rng.normal(0, rng.uniform(2, 10), image.shape)
        image = np.clip(image + noise, 0, 255).astype(np.uint8)
        degraded.append("noise")
    if rng.random() < JPEG_SHARE:
        image = jpeg(image, int(rng.integers(30, 91)))
        degraded.append("jpeg")
    info["degraded"] = "+".join(degraded) or "none"
    info["margin"] = margin
    return image, info


def blocky_crop(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """The digit as an 8x8..16x16 block scan of 17 grey levels (`samples.block_scan`, like scanned
    digit sets), enlarged to 64 px tall."""
    scan = block_scan(digit, int(rng.integers(BLOCKS[0], BLOCKS[1] + 1)), MAX_STRETCH, LEVELS)
    nearest = rng.random() < 0.5
    size = (max(1, round(BLOCKY_HEIGHT * scan.shape[1] / scan.shape[0])), BLOCKY_HEIGHT)
    alpha = cv2.resize(scan, size, interpolation=cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR)
    dark = rng.random() < DARK_ON_LIGHT
    image = np.round((1 - alpha) * 255 if dark else alpha * 255).astype(np.uint8)
    info = {"kind": "blocky", "blocks": f"{scan.shape[1]}x{scan.shape[0]}"}
    return image, {**info, "enlarge": "nearest" if nearest else "linear"}


def _colour(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink opacity → grey or BGR image: mostly dark ink on a light ground, else light on dark."""
    if rng.random() < DARK_ON_LIGHT:
        ground, ink = rng.uniform(170, 255), rng.uniform(0, 90)
    else:
        ground, ink = rng.uniform(0, 70), rng.uniform(170, 255)
    if rng.random() < 0.3:  # colour: tinted ground and ink
        ground = np.clip(ground + rng.uniform(-25, 25, 3), 0, 255)
        ink = np.clip(ink + rng.uniform(-40, 40, 3), 0, 255)
        alpha = alpha[..., None]
    image = ground + (ink - ground) * alpha
    return np.clip(image, 0, 255).astype(np.uint8)


# ---- photos of digits -----------------------------------------------------------------------------


def small_digit(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """One digit 20-40 px tall at a random place of a 1920x1080 photo."""
    tile = ink_crop(digit)
    height = int(rng.integers(SMALL_HEIGHT[0], SMALL_HEIGHT[1] + 1))
    width = round(height * tile.shape[1] / tile.shape[0])
    position = _random_position(width, height, FULL_HD, rng)
    style = paper_style(rng)
    photo = paper_photo([tile], rng, FULL_HD, digit_height=height, position=position, **style)
    return photo, {"height": height, "position": position, **style}


def spaced_number(
    digits: Sequence[np.ndarray],
    rng: np.random.Generator,
    frames: Sequence[tuple[int, int]] = FRAMES,
    height_range: tuple[float, float] | None = None,
) -> tuple[np.ndarray, dict]:
    """The digits written with clear gaps, on the first of `frames` (random order) where they fit.

    Heights are log-uniform in `height_range` (default: 24 px or a tenth of the frame, up to what fits).
    """
    gap = rng.uniform(*NUMBER_GAP)
    tiles = []
    for digit in digits:
        ink = ink_crop(digit)
        pad = max(1, round(gap * ink.shape[0] / 2))
        tiles.append(cv2.copyMakeBorder(ink, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=0))
    widths = sum(t.shape[1] / t.shape[0] for t in tiles)  # line width per pixel of digit height
    for frame in (frames[i] for i in rng.permutation(len(frames))):
        low, high = height_range or (max(MIN_NUMBER_HEIGHT, 0.1 * frame[1]), 0.5 * frame[1])
        high = min(high, (1 - 2 * EDGE_MARGIN) * frame[0] / widths)
        if high >= MIN_NUMBER_HEIGHT:
            break
    height = int(np.exp(rng.uniform(np.log(min(low, high)), np.log(high))))
    position = _random_position(round(widths * height), height, frame, rng)
    style = paper_style(rng)
    photo = paper_photo(tiles, rng, frame, digit_height=height, pitch=1.0, position=position, **style)
    return photo, {"frame": f"{frame[0]}x{frame[1]}", "height": height, "gap": round(gap, 2), **style}


def touching_number(digits: Sequence[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """The digits written so close that neighbours touch or overlap a little (`TOUCHING_PITCH`)."""
    pitch = float(rng.uniform(*TOUCHING_PITCH))
    frame = FRAMES[int(rng.integers(2))]
    widths = sum(ink_crop(d).shape[1] / ink_crop(d).shape[0] for d in digits) * pitch + 0.5
    high = min(0.5 * frame[1], (1 - 2 * EDGE_MARGIN) * frame[0] / widths)
    low = min(max(MIN_NUMBER_HEIGHT, 0.12 * frame[1]), high)
    height = int(np.exp(rng.uniform(np.log(low), np.log(high))))
    position = _random_position(round(widths * height), height, frame, rng)
    style = paper_style(rng)
    photo = paper_photo(
        list(digits), rng, frame, digit_height=height, pitch=pitch, position=position, **style
    )
    return photo, {"frame": f"{frame[0]}x{frame[1]}", "height": height, "pitch": round(pitch, 2), **style}


def slanted_number(digits: Sequence[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A spaced number photographed by a camera rolled by `SLANT` degrees, either way."""
    photo, info = spaced_number(digits, rng)
    degrees = float(rng.uniform(*SLANT) * rng.choice([-1, 1]))
    return rolled(photo, degrees), {**info, "slant": round(degrees, 1)}


def faint_number(digits: Sequence[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A spaced number whose photo keeps only `FAINT_CONTRAST` of its contrast: grey ink on grey paper."""
    photo, info = spaced_number(digits, rng)
    keep = float(rng.uniform(*FAINT_CONTRAST))
    faint = np.clip(photo * keep + FAINT_GREY * (1 - keep), 0, 255).astype(np.uint8)
    return faint, {**info, "contrast": round(keep, 2)}


def paper_style(rng: np.random.Generator, shadow: float = 0.4) -> dict:
    """Ink colour, ruled paper and shadow for `paper_photo`, drawn as it draws them (recorded in the info)."""
    return {
        "ink": str(rng.choice(list(INK_BGR))),
        "ruled": bool(rng.random() < RULED_SHARE),
        "shadow": bool(rng.random() < shadow),
    }


def _photographed(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    style = paper_style(rng)
    return paper_photo([digit], rng, **style), style


def _random_position(
    width: int, height: int, frame: tuple[int, int], rng: np.random.Generator
) -> tuple[int, int]:
    """A top-left corner that keeps a `width` x `height` box inside `frame`, off its edges."""
    margin_x, margin_y = int(EDGE_MARGIN * frame[0]), int(EDGE_MARGIN * frame[1])
    x = int(rng.integers(margin_x, max(margin_x, frame[0] - width - margin_x) + 1))
    y = int(rng.integers(margin_y, max(margin_y, frame[1] - height - margin_y) + 1))
    return x, y


# ---- non-digit scenes -----------------------------------------------------------------------------


def non_digit_scene(
    rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]
) -> tuple[np.ndarray, dict]:
    """A photo with no digit in it: text, a drawing, a texture, a picture or bare paper."""
    kinds = list(SCENE_KINDS)
    weights = np.array(list(SCENE_KINDS.values()))
    kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
    frame = FRAMES[int(rng.choice(len(FRAMES), p=[0.6, 0.25, 0.15]))]
    style = paper_style(rng, shadow=0.6 if kind == "paper" else SHADOW_SHARE)
    info: dict = {"kind": kind, "frame": f"{frame[0]}x{frame[1]}"}
    if kind == "paper":
        return paper_photo([], rng, frame, **style), {**info, **style}
    if kind in ("picture", "picture 28x28"):
        image = picture(rng, digits, fonts)
        if rng.random() < 0.5:
            image = cv2.bitwise_not(image)
        if kind == "picture 28x28":
            return image, info
        size = FRAMES[0] if rng.random() < 0.5 else (320, 240)
        image = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
        noise = rng.normal(0, rng.uniform(1, 6), image.shape)
        info["frame"] = f"{size[0]}x{size[1]}"
        return cv2.cvtColor(np.clip(image + noise, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR), info
    if kind in ("word", "letters"):
        text = _text(rng, kind)
        tile = ink_crop(render_text(text, rng, fonts))
        info["text"] = text
        share = (0.08, 0.3)
    else:
        make = {"doodle": doodle, "scribble": scribble, "texture": texture, "shape": _shape}[kind]
        tile = ink_crop(make(rng, digits, fonts))
        while _has_a_one(tile):
            tile = ink_crop(make(rng, digits, fonts))
        share = (0.15, 0.6) if kind == "texture" else (0.1, 0.45)
    height = int(rng.uniform(*share) * frame[1])
    height = max(8, min(height, int((1 - 2 * EDGE_MARGIN) * frame[0] * tile.shape[0] / tile.shape[1])))
    width = round(height * tile.shape[1] / tile.shape[0])
    position = _random_position(width, height, frame, rng)
    info.update(height=height, **style)
    return paper_photo([tile], rng, frame, digit_height=height, pitch=1.0, position=position, **style), info


def _has_a_one(tile: np.ndarray) -> bool:
    """True when the drawing is blank or one of its strokes is a thin upright bar: a 1 in all but name."""
    count, _, stats, _ = cv2.connectedComponentsWithStats((tile > 64).astype(np.uint8), connectivity=8)
    heights, widths = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    tall = heights >= ONE_HEIGHT * tile.shape[0]
    return count < 2 or bool(np.any(tall & (widths < MIN_WIDE * heights)))


def _text(rng: np.random.Generator, kind: str) -> str:
    """A word (a real one, or random letters) or a short run of letters, never digit-like only."""
    while True:
        if kind == "word" and rng.random() < 0.6:
            text = WORDS[int(rng.integers(len(WORDS)))]
        else:
            count = int(rng.integers(1, 3)) if kind == "letters" else int(rng.integers(2, 7))
            text = "".join(LETTERS[int(i)] for i in rng.integers(len(LETTERS), size=count))
        if not set(text) <= DIGIT_LIKE:
            return text


def _shape(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """One simple drawn shape (no ring: a hand-drawn ring is a 0)."""
    side = 96
    canvas = np.zeros((side, side), np.uint8)
    kind = SHAPE_KINDS[int(rng.integers(len(SHAPE_KINDS)))]
    t = int(rng.integers(2, 7))
    c = side // 2
    filled = rng.random() < 0.4
    if kind == "rectangle":
        w, h = (int(v) for v in rng.integers(30, 44, 2))
        cv2.rectangle(canvas, (c - w, c - h), (c + w, c + h), 255, -1 if filled else t, cv2.LINE_AA)
    elif kind in ("triangle", "star"):
        points = 3 if kind == "triangle" else 10
        angles = np.linspace(0, 2 * np.pi, points, endpoint=False) + rng.uniform(0, 2 * np.pi)
        radii = np.where(np.arange(points) % 2 == 0, 40, 40 if kind == "triangle" else 17)
        polygon = np.stack([c + radii * np.cos(angles), c + radii * np.sin(angles)], 1).astype(np.int32)
        if filled:
            cv2.fillPoly(canvas, [polygon], 255, cv2.LINE_AA)
        else:
            cv2.polylines(canvas, [polygon], True, 255, t, cv2.LINE_AA)
    elif kind == "disc":
        cv2.ellipse(canvas, (c, c), (40, int(rng.integers(25, 41))), 0, 0, 360, 255, -1, cv2.LINE_AA)
    elif kind == "arrow":
        y0, y1 = (int(v) for v in rng.integers(20, 76, 2))
        cv2.arrowedLine(canvas, (8, y0), (side - 8, y1), 255, t, cv2.LINE_AA, 0, 0.3)
    else:  # plus or cross
        angle = 0.0 if kind == "plus" else np.pi / 4
        for a in (angle, angle + np.pi / 2):
            d = (38 * np.cos(a), 38 * np.sin(a))
            cv2.line(
                canvas, (int(c - d[0]), int(c - d[1])), (int(c + d[0]), int(c + d[1])), 255, t, cv2.LINE_AA
            )
    return canvas


# ---- the set --------------------------------------------------------------------------------------


def iter_category(
    category: str,
    images: np.ndarray,
    labels: np.ndarray,
    count: int,
    seed: int = 0,
    fonts: Sequence[Path] | None = None,
) -> Iterator[EvalItem]:
    """`count` items of one category, from the MNIST test `images` and `labels`, drawn with `seed`.

    Made one at a time (300 full-HD photos hold 1.8 GB), and the same whatever other categories are made.
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    rng = np.random.default_rng([seed, CATEGORIES.index(category)])
    deck = Deck(images, labels, rng)
    fonts = font_files(held_out=True) if fonts is None else list(fonts)
    makers: dict[str, Callable[[], tuple[np.ndarray, dict, str | None]]] = {
        "tight crop": lambda: _one_digit(deck, lambda d: tight_crop(d, rng)),
        "small digit 1080p": lambda: _one_digit(deck, lambda d: small_digit(d, rng)),
        "number": lambda: _digits(deck, rng, NUMBER_LENGTH, lambda ds: spaced_number(ds, rng)),
        "touching number": lambda: _digits(deck, rng, TOUCHING_LENGTH, lambda ds: touching_number(ds, rng)),
        "non-digit scene": lambda: (*non_digit_scene(rng, images, fonts), None),
        "photographed digit": lambda: _one_digit(deck, lambda d: _photographed(d, rng)),
        "slanted number": lambda: _digits(deck, rng, NUMBER_LENGTH, lambda ds: slanted_number(ds, rng)),
        "faint number": lambda: _digits(deck, rng, NUMBER_LENGTH, lambda ds: faint_number(ds, rng)),
    }
    sources = Sources(deck, fonts)
    for _ in range(count):
        if category in SURFACES:
            surface = draw(category, rng, sources)
            image, info, expected, text = surface.image, surface.info, surface.number, surface.text
        else:
            image, info, expected = makers[category]()
            text = expected
        suffix = ".png"
        if category != "tight crop" and image.shape[1] > FRAMES[0][0]:
            image, suffix = jpeg(image, PHOTO_JPEG_QUALITY), ".jpg"
        yield EvalItem(category, image, expected, info, suffix, text)


def build_category(
    category: str, images: np.ndarray, labels: np.ndarray, count: int, seed: int = 0
) -> list[EvalItem]:
    """`iter_category` as a list."""
    return list(iter_category(category, images, labels, count, seed))


def _one_digit(deck: Deck, make: Callable[[np.ndarray], tuple[np.ndarray, dict]]):
    (digit,), label = deck.deal(1)
    return (*make(digit), label)


def _digits(deck: Deck, rng: np.random.Generator, length: tuple[int, int], make):
    digits, number = deck.deal(int(rng.integers(length[0], length[1] + 1)))
    image, info = make(digits)
    return image, {"length": len(digits), **info}, number


def iter_eval_set(
    images: np.ndarray,
    labels: np.ndarray,
    per_category: int | dict[str, int] = DEFAULT_PER_CATEGORY,
    seed: int = 0,
    categories: Sequence[str] = CATEGORIES,
) -> Iterator[EvalItem]:
    """Every category's items (`per_category` each, or {category: count}), category by category."""
    fonts = font_files(held_out=True)
    counts = per_category if isinstance(per_category, dict) else dict.fromkeys(categories, per_category)
    for category in categories:
        yield from iter_category(category, images, labels, counts.get(category, 0), seed, fonts)


def build_eval_set(
    images: np.ndarray,
    labels: np.ndarray,
    per_category: int | dict[str, int] = DEFAULT_PER_CATEGORY,
    seed: int = 0,
    categories: Sequence[str] = CATEGORIES,
) -> list[EvalItem]:
    """`iter_eval_set` as a list."""
    return list(iter_eval_set(images, labels, per_category, seed, categories))


def slug(category: str) -> str:
    """A category's folder name ("date/time": date-time)."""
    return category.replace(" ", "-").replace("/", "-")


def write_eval_set(items: Iterable[EvalItem], out_dir: Path) -> Path:
    """Write each item as OUT_DIR/<category>/<index><suffix>, then OUT_DIR/texts.json (the texts
    expected) and OUT_DIR/labels.json (the numbers expected; returned)."""
    out_dir = Path(out_dir)
    truth: dict[str, str | None] = {}
    texts: dict[str, str | None] = {}
    counters: dict[str, int] = {}
    for item in items:
        index = counters.get(item.category, 0)
        counters[item.category] = index + 1
        relative = f"{slug(item.category)}/{index:04d}{item.suffix}"
        (out_dir / slug(item.category)).mkdir(parents=True, exist_ok=True)
        write_image(out_dir / relative, item.image, PHOTO_JPEG_QUALITY)
        truth[relative], texts[relative] = item.expected, item.text
    atomic_write_bytes(
        out_dir / TEXTS_FILE, (json.dumps(texts, indent=1, ensure_ascii=False) + "\n").encode()
    )
    path = out_dir / LABELS_FILE
    atomic_write_bytes(path, (json.dumps(truth, indent=1) + "\n").encode())
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the images and labels.json into")
    parser.add_argument("--data", default=None, help="MNIST (default: $EDGE_MNIST or the Keras cache)")
    parser.add_argument("--per-category", type=int, default=DEFAULT_PER_CATEGORY, help="items per category")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    mnist = load_mnist(args.data)
    items = iter_eval_set(mnist.x_test, mnist.y_test, args.per_category, args.seed)
    path = write_eval_set(items, args.out_dir)
    count = len(json.loads(path.read_text()))
    print(f"{count} images ({args.per_category} per category, from MNIST test digits) and {path}")


if __name__ == "__main__":
    main()
