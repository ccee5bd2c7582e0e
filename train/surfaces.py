"""Generated camera photos of numbers on the surfaces a camera sees besides paper.

Each kind of `KINDS` (`draw(kind, rng, sources)`) draws a scene in numpy and OpenCV and photographs
it with `camera` (perspective, light falloff, glare where it fits, blur, sensor noise, JPEG):

- plate: a house number (1-4 digits, a font) on a coloured rounded plate with an outline (sometimes
  an inner one too), on a brick or wood wall; the digits darker or lighter than the plate;
- screen: light digits (a font, or seven segments) on a dark screen in a lighter bezel (a phone, a
  meter), with a glare band;
- seven-segment: 1-6 digits of an LCD (dark on grey-green) or LED (bright on black) display, gaps
  between the segments, mostly slanted, sometimes faint "off" segments and a decimal point;
- price tag: "12.50", "€3.99", "1,299" on a coloured tag;
- date/time: "2024-05-17", "17/05/2024", "12:45", "555 0123" printed on paper or a sign;
- chalkboard: 1-6 MNIST digits in grainy chalk on a dark board;
- outlined handwriting: MNIST digits drawn as their outlines only ("bubble" digits), on paper;
- hairline handwriting: MNIST digits thinned to 1-2 px strokes, on paper;
- non-digit surface: a plate, screen, display, tag, sign or board with a word or nothing.

A `Surface` holds the photo, the number expected (its digits; None: no digit) and its `text` as a
person writes it ("12.50", "2024-05-17", "555 0123"; a currency sign is left out). The glyphs come
from the `Sources` passed in: the evaluation set passes MNIST *test* digits and the held-out fonts,
a training set would pass MNIST train digits and the training fonts, so that they never share an
image. No third-party image data set is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.reading.thinning import skeleton
from edge_runtime.samples import illumination, ink_coverage, ink_crop, jpeg, paper_photo
from train.negatives import load_font

FRAMES = ((640, 480), (1280, 720))  # width, height
WIDE_SHARE = 0.25  # of photos taken at 1280x720
MARGIN = 0.08  # of the frame, kept clear around what is written (the camera's perspective eats some)
MIN_DIGIT_HEIGHT = 24  # pixels
JPEG_QUALITY = (70, 95)
WORDS = ("EXIT", "SALE", "OPEN", "PUSH", "PULL", "STOP", "CAFE", "MENU", "SHOP", "FREE", "PARK", "INFO")
FONT_SIZE = 96  # pixels: text is rendered at this size, then scaled

# BGR colours
PLATES = {  # plate colour: its digits are light on the dark ones, dark on the light ones
    "blue": (150, 75, 20), "green": (60, 110, 35), "black": (35, 35, 35), "red": (40, 40, 165),
    "brown": (40, 70, 110), "white": (238, 238, 232), "yellow": (60, 205, 235), "brass": (70, 160, 200),
    "grey": (175, 175, 170),
}  # fmt: skip
TAGS = {
    "red": (45, 45, 200), "yellow": (50, 215, 245), "orange": (40, 140, 245), "white": (240, 240, 240),
    "green": (70, 160, 60), "pink": (170, 140, 245), "black": (30, 30, 30),
}  # fmt: skip
DARK_INK, LIGHT_INK = (30, 30, 30), (240, 240, 240)
SIGNS = {"paper": (235, 240, 242), "white": (245, 245, 245), "yellow": (80, 220, 245), "blue": (150, 80, 25)}
PAGE_SHARE = 0.4  # of dates, times and phone numbers printed on a sheet that fills the frame
SCREEN_INK = {
    "white": (235, 235, 235),
    "cyan": (240, 230, 120),
    "green": (120, 240, 120),
    "amber": (60, 190, 250),
}
LED_INK = {"red": (40, 40, 245), "green": (80, 245, 80), "amber": (40, 170, 250), "blue": (250, 170, 60)}
BEZELS = {
    "white": (225, 225, 222),
    "silver": (190, 192, 195),
    "beige": (175, 200, 210),
    "light grey": (160, 160, 158),
}
CHALK = {"white": (235, 238, 238), "yellow": (150, 230, 240), "pink": (200, 180, 240)}
BOARDS = {"green": (45, 70, 40), "black": (35, 35, 33)}

# seven segments: (x0, y0, x1, y1) of each segment's axis, in digit widths (x) and heights (y)
SEGMENT_AXES = {
    "a": (0, 0, 1, 0), "b": (1, 0, 1, 0.5), "c": (1, 0.5, 1, 1), "d": (0, 1, 1, 1),
    "e": (0, 0.5, 0, 1), "f": (0, 0, 0, 0.5), "g": (0, 0.5, 1, 0.5),
}  # fmt: skip
SEGMENTS = {
    "0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg", "5": "acdfg", "6": "acdefg",
    "7": "abc", "8": "abcdefg", "9": "abcdfg", "-": "g", " ": "",
}  # fmt: skip
SEGMENT_WIDTH = 0.55  # a digit's width, of its height
SEGMENT_PITCH = 0.78  # from one digit to the next, of the height
COLON_STEP = 0.3  # the room a clock's colon takes, of the height


@dataclass(frozen=True)
class Surface:
    """A photo, the number it shows (digits only; None: no digit), its text as written, and how it
    was drawn."""

    image: np.ndarray  # uint8 BGR
    number: str | None
    text: str | None
    info: dict


class Deck:
    """MNIST-style digits dealt in a shuffled order (reshuffled when used up)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> None:
        self.images, self.labels, self.rng = images, labels, rng
        self.order, self.next = rng.permutation(len(images)), 0

    def deal(self, count: int) -> tuple[list[np.ndarray], str]:
        """`count` digit images and the number they spell."""
        picks = []
        for _ in range(count):
            if self.next == len(self.order):
                self.order, self.next = self.rng.permutation(len(self.images)), 0
            picks.append(self.order[self.next])
            self.next += 1
        return [self.images[i] for i in picks], "".join(str(int(self.labels[i])) for i in picks)


@dataclass(frozen=True)
class Sources:
    """Where the glyphs come from: handwritten digits (a `Deck`) and font files (never empty)."""

    digits: Deck
    fonts: Sequence[Path]


# ---- the camera -----------------------------------------------------------------------------------


def camera(
    scene: np.ndarray, rng: np.random.Generator, light: bool = True, glare: bool = False
) -> np.ndarray:
    """A float BGR `scene` as a phone photographs it: light falloff (with `light`), a glare spot
    (with `glare`), a mild perspective (zoomed in up to `MARGIN`/2), blur, sensor noise, JPEG."""
    height, width = scene.shape[:2]
    if light:
        scene = scene * illumination(width, height, rng, shadow=bool(rng.random() < 0.2))[..., None]
    if glare:
        scene = scene + _glare_spot(width, height, rng)[..., None]
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    inward = rng.uniform(0, MARGIN / 2, (4, 2)) * [width, height] * [[1, 1], [-1, 1], [-1, -1], [1, -1]]
    warp = cv2.getPerspectiveTransform((corners + inward).astype(np.float32), corners)
    photo = cv2.warpPerspective(scene.astype(np.float32), warp, (width, height), flags=cv2.INTER_LINEAR)
    if rng.random() < 0.7:
        photo = cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.4, 1.2) * width / 640)
    noise = np.empty_like(photo)
    cv2.setRNGSeed(int(rng.integers(2**31)))
    cv2.randn(noise, 0.0, float(rng.uniform(1.5, 6)))
    photo += noise
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    return jpeg(photo, int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1)))


def _glare_spot(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A soft bright ellipse (a lamp's reflection), float32 (height, width)."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height
    sx, sy = rng.uniform(0.05, 0.2, 2) * width
    return rng.uniform(30, 90) * np.exp(-(((xs - cx) / sx) ** 2 + ((ys - cy) / sy) ** 2) / 2)


def _glare_band(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A diagonal bright band across `mask` (a screen's glass), float32 like it."""
    height, width = mask.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0.5, 1.2) * rng.choice([-1, 1])
    along = (np.cos(angle) * xs + np.sin(angle) * ys) / max(width, height)
    ys_in, xs_in = np.nonzero(mask > 0.5)
    centre = float(np.mean(np.cos(angle) * xs_in + np.sin(angle) * ys_in)) / max(width, height)
    centre += rng.uniform(-0.1, 0.1)
    half = rng.uniform(0.02, 0.08)
    band = np.clip(1 - np.abs(along - centre) / half, 0, 1) ** 0.7
    return rng.uniform(40, 110) * band * mask


# ---- what is written ------------------------------------------------------------------------------


def printed(text: str, font: Path, digit_height: int) -> np.ndarray:
    """`text` in `font` as ink opacity (float32 0-1) cut to its ink, scaled so that a digit is
    `digit_height` pixels tall."""
    from PIL import Image, ImageDraw

    face = load_font(font, FONT_SIZE)
    left, top, right, bottom = face.getbbox(text)
    image = Image.new("L", (right - left + 16, bottom - top + 16), 0)
    ImageDraw.Draw(image).text((8 - left, 8 - top), text, fill=255, font=face)
    _, zero_top, _, zero_bottom = face.getbbox("0")
    ink = ink_crop(np.asarray(image))
    scale = digit_height / max(1, zero_bottom - zero_top)
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    return cv2.resize(ink, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255


def seven_segments(
    text: str, height: int, rng: np.random.Generator, slant: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """`text` (digits, "-", " ", a "." after a digit, a clock's ":") in seven segments `height` px
    tall, slanted by `slant` degrees: the lit segments and the unlit ones, as float32 0-1 masks of
    one size."""
    thick = rng.uniform(0.09, 0.15) * height
    gap = rng.uniform(0.03, 0.06) * height
    width, pitch = SEGMENT_WIDTH * height, SEGMENT_PITCH * height
    shear = np.tan(np.radians(slant))
    pad = thick + 2
    steps = {".": 0.0, ":": COLON_STEP * height}
    line = sum(steps.get(c, pitch) for c in text)
    size = (int(line + shear * height + 2 * pad), int(height + 2 * pad))
    lit, unlit = np.zeros(size[::-1], np.uint8), np.zeros(size[::-1], np.uint8)

    def fill(mask: np.ndarray, polygon: np.ndarray) -> None:
        polygon = polygon + [pad, pad]
        polygon[:, 0] += shear * (height - polygon[:, 1] + pad)
        cv2.fillPoly(mask, [np.round(polygon * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)

    dot = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * thick / 2
    x = 0.0
    for char in text:
        if char == ".":  # in the blank after the digit before it
            fill(lit, dot + [x - (pitch - width) / 2, height - thick / 2])
            continue
        if char == ":":
            for y in (0.3 * height, 0.7 * height):
                fill(lit, dot + [x + (COLON_STEP * height - (pitch - width)) / 2, y])
            x += COLON_STEP * height
            continue
        for name, (x0, y0, x1, y1) in SEGMENT_AXES.items():
            start = np.array([x + thick / 2 + x0 * (width - thick), thick / 2 + y0 * (height - thick)])
            end = np.array([x + thick / 2 + x1 * (width - thick), thick / 2 + y1 * (height - thick)])
            fill(lit if name in SEGMENTS[char] else unlit, _segment(start, end, thick, gap))
        x += pitch
    return lit.astype(np.float32) / 255, unlit.astype(np.float32) / 255


def _segment(start: np.ndarray, end: np.ndarray, thick: float, gap: float) -> np.ndarray:
    """A segment's hexagon along start → end, pointed at both ends, `gap` short of each."""
    along = (end - start) / np.linalg.norm(end - start)
    across = np.array([-along[1], along[0]]) * thick / 2
    a, b = start + along * gap, end - along * gap
    tip = along * thick / 2
    return np.array([a, a + tip + across, b - tip + across, b, b - tip - across, a + tip - across])


def chalk(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink opacity as chalk leaves it: grainy, broken at the edges, uneven along the stroke."""
    grain = cv2.GaussianBlur(rng.random(alpha.shape).astype(np.float32), (0, 0), 0.6)
    uneven = 0.6 + 0.4 * _smooth_field(alpha.shape, rng, 30)
    keep = np.clip((grain - rng.uniform(0.3, 0.5) * (1.3 - alpha)) * 6, 0, 1)  # fewer grains at the edges
    return np.clip(alpha * keep * uneven * 1.3, 0, 1)


def outlined(digit: np.ndarray, height: int, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit `height` px tall as a "bubble" digit: the outline of a fat stroke (white on
    black, uint8), its inside left blank."""
    ink = _enlarged(digit, height)
    side = max(3, round(height * rng.uniform(0.08, 0.14))) | 1
    fat = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    pad = side
    fat = cv2.copyMakeBorder((fat > 127).astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    contours, _ = cv2.findContours(fat, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    outline = np.zeros_like(fat)
    cv2.drawContours(outline, contours, -1, 255, int(rng.integers(2, 4)), cv2.LINE_AA)
    return ink_crop(outline)


def hairline(digit: np.ndarray, height: int, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit `height` px tall thinned to its skeleton, 1-2 px wide (white on black, uint8)."""
    bones = skeleton(_enlarged(digit, height) > 100)
    if rng.random() < 0.5:
        bones = cv2.dilate(bones, np.ones((2, 2), np.uint8))
    return ink_crop(bones)


def _enlarged(digit: np.ndarray, height: int) -> np.ndarray:
    """A white-on-black digit cut to its ink and resized to `height` px (aspect kept)."""
    ink = ink_crop(digit)
    width = max(1, round(height * ink.shape[1] / ink.shape[0]))
    return cv2.resize(ink, (width, height), interpolation=cv2.INTER_CUBIC)


# ---- numbers and words ----------------------------------------------------------------------------


def _digits(rng: np.random.Generator, count: int, lead_zero: bool = False) -> str:
    """`count` random digits (the first not 0 unless `lead_zero`)."""
    first = str(int(rng.integers(0 if lead_zero else 1, 10)))
    return first + "".join(str(int(d)) for d in rng.integers(0, 10, count - 1))


def _price(rng: np.random.Generator) -> tuple[str, str]:
    """A price as printed (with a currency sign or not) and as written without the sign."""
    form = int(rng.integers(4))
    if form == 0:
        text = f"{_digits(rng, int(rng.integers(1, 4)))}.{_digits(rng, 2, True)}"
    elif form == 1:
        text = f"{_digits(rng, 1)},{_digits(rng, 3, True)}"
    elif form == 2:
        text = f"{_digits(rng, int(rng.integers(1, 3)))},{_digits(rng, 2, True)}"
    else:
        text = _digits(rng, int(rng.integers(1, 4)))
    sign = str(rng.choice(["€", "$", ""]))
    return (sign + text if sign == "$" or rng.random() < 0.7 else text + " " + sign).strip(), text


def _date_time(rng: np.random.Generator) -> tuple[str, str, str]:
    """A date, a time or a phone number: as printed, as written, and which it is."""
    day, month = int(rng.integers(1, 29)), int(rng.integers(1, 13))
    year = int(rng.integers(1990, 2036))
    form = str(rng.choice(["iso", "dmy", "dotted", "time", "phone"]))
    if form == "iso":
        text = f"{year}-{month:02d}-{day:02d}"
    elif form == "dmy":
        text = f"{day:02d}/{month:02d}/{year}"
    elif form == "dotted":
        text = f"{day:02d}.{month:02d}.{year}"
    elif form == "time":
        text = f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"
    else:
        text = f"{_digits(rng, 3)} {_digits(rng, 4, True)}"
    return text.replace(" ", "  "), text, form  # a printed space is narrow: two make a gap a reader sees


def _digits_only(text: str | None) -> str | None:
    return "".join(c for c in text if c.isdigit()) or None if text else None


# ---- scenes ---------------------------------------------------------------------------------------


def _frame(rng: np.random.Generator) -> tuple[int, int]:
    return FRAMES[1] if rng.random() < WIDE_SHARE else FRAMES[0]


def wall(size: tuple[int, int], rng: np.random.Generator, kind: str | None = None) -> np.ndarray:
    """A float32 BGR brick, wood or plaster wall of `size` (width, height)."""
    width, height = size
    kind = kind or str(rng.choice(["brick", "wood", "plaster"]))
    texture = _smooth_field((height, width), rng, 3) - 0.5
    if kind == "brick":
        scene = np.empty((height, width, 3), np.float32)
        scene[:] = rng.uniform(140, 190) + rng.uniform(-10, 10, 3)  # mortar
        row = int(rng.uniform(0.05, 0.1) * height)
        length, joint = int(row * rng.uniform(2.0, 2.6)), max(2, row // 8)
        base = np.array([50, 70, 150]) + rng.uniform(-25, 25, 3)
        for top in range(-int(rng.integers(row)), height, row):
            shift = int(rng.integers(length)) if top // row % 2 else 0
            for left in range(-shift, width, length):
                colour = np.clip(base + rng.uniform(-20, 20) + rng.uniform(-8, 8, 3), 0, 255)
                cv2.rectangle(
                    scene, (left + joint, top + joint), (left + length, top + row), colour.tolist(), -1
                )
        return scene + 30 * texture[..., None]
    if kind == "wood":
        boards = int(rng.integers(3, 8))
        streaks = _smooth_field((height, width), rng, (rng.uniform(1.5, 4), rng.uniform(80, 250)))
        knots = _smooth_field((height, width), rng, 40)
        shade = 0.72 + 0.22 * streaks + 0.08 * knots
        base = np.array([55, 100, 150]) * rng.uniform(0.7, 1.2) + rng.uniform(-8, 8, 3)
        scene = (base * shade[..., None]).astype(np.float32)
        for y in np.linspace(0, height, boards + 1)[1:-1]:
            cv2.line(scene, (0, int(y)), (width, int(y)), (base * 0.45).tolist(), 2, cv2.LINE_AA)
        if rng.random() < 0.4:  # vertical boards
            scene = cv2.resize(cv2.rotate(scene, cv2.ROTATE_90_CLOCKWISE), (width, height))
        return scene + 15 * texture[..., None]
    scene = np.empty((height, width, 3), np.float32)
    scene[:] = rng.uniform(90, 220) + rng.uniform(-20, 20, 3)
    return scene + 25 * texture[..., None]


def _smooth_field(shape: tuple[int, int], rng: np.random.Generator, scale) -> np.ndarray:
    """Smooth noise 0-1 of `shape` (height, width), varying over about `scale` pixels (or
    (rows, columns) pixels: streaks)."""
    height, width = shape
    along_y, along_x = scale if isinstance(scale, tuple) else (scale, scale)
    small = rng.random((max(2, int(height / along_y) + 2), max(2, int(width / along_x) + 2)))
    return cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _rounded(size: tuple[int, int], box: tuple[float, float, float, float], radius: float) -> np.ndarray:
    """Float32 (height, width) mask of a rounded rectangle (x, y, w, h) with corner `radius`."""
    mask = np.zeros(size[::-1], np.uint8)
    x, y, w, h = box
    r = max(0.0, min(radius, w / 2, h / 2))
    centres = ((x + w - r, y + h - r), (x + r, y + h - r), (x + r, y + r), (x + w - r, y + r))
    arcs = [  # clockwise in the image from the bottom-right corner, a quarter circle each
        np.array(centre) + r * np.stack([np.cos(a), np.sin(a)], 1)
        for centre, start in zip(centres, (0, 90, 180, 270), strict=True)
        for a in [np.radians(np.linspace(start, start + 90, 10))]
    ]
    polygon = np.concatenate(arcs)
    cv2.fillPoly(mask, [np.round(polygon * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    return mask.astype(np.float32) / 255


def _outline(
    size: tuple[int, int], box: tuple[float, float, float, float], radius: float, inset: float, thick: float
) -> np.ndarray:
    """A float32 mask of a rounded rectangle's outline `thick` px wide, `inset` px inside `box`."""
    x, y, w, h = box

    def shrunk(by: float) -> np.ndarray:
        return _rounded(size, (x + by, y + by, w - 2 * by, h - 2 * by), radius - by)

    return shrunk(inset) - shrunk(inset + max(1.5, thick))


def _lay(scene: np.ndarray, alpha: np.ndarray, colour) -> None:
    """Paint `colour` (BGR, or an image like `scene`) over `scene` with opacity `alpha`, in place."""
    rows, columns = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if len(rows) == 0:
        return
    window = (slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1))  # where alpha is
    colour = np.asarray(colour, np.float32)
    if colour.ndim == 3:
        colour = colour[window]
    scene[window] += (colour - scene[window]) * alpha[window][..., None]


def _place(ink: np.ndarray, size: tuple[int, int], x: float, y: float) -> np.ndarray:
    """A float32 frame-sized mask (`size`: width, height) holding `ink` with its top-left at (x, y)."""
    mask = np.zeros(size[::-1], np.float32)
    x, y = int(round(x)), int(round(y))
    h, w = ink.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, size[0]), min(y + h, size[1])
    if x1 > x0 and y1 > y0:
        mask[y0:y1, x0:x1] = ink[y0 - y : y1 - y, x0 - x : x1 - x]
    return mask


def _object_box(
    rng: np.random.Generator, size: tuple[int, int], aspect: float, pad: tuple[float, float], share=(0.1, 0.3)
) -> tuple[float, float, float, float, int]:
    """Where an object holding writing of `aspect` (width per digit height) goes, padded by `pad`
    (x, y, in digit heights): its box (x, y, w, h) in the frame, and the digit height."""
    width, height = size
    per_digit = (aspect + 2 * pad[0], 1 + 2 * pad[1])  # the object's size per pixel of digit height
    high = min(
        share[1] * height, (1 - 2 * MARGIN) * width / per_digit[0], (1 - 2 * MARGIN) * height / per_digit[1]
    )
    low = min(max(MIN_DIGIT_HEIGHT, share[0] * height), high)
    digit = int(np.exp(rng.uniform(np.log(low), np.log(high))))
    w, h = per_digit[0] * digit, per_digit[1] * digit
    x = rng.uniform(MARGIN * width, max(MARGIN * width, (1 - MARGIN) * width - w))
    y = rng.uniform(MARGIN * height, max(MARGIN * height, (1 - MARGIN) * height - h))
    return x, y, w, h, digit


def _shadow(scene: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> None:
    """A soft drop shadow of an object (its `mask`) on what is behind it, in place."""
    shift = np.float32([[1, 0, rng.uniform(2, 8)], [0, 1, rng.uniform(2, 8)]])
    moved = cv2.warpAffine(mask, shift, mask.shape[::-1])
    soft = cv2.GaussianBlur(moved, (0, 0), rng.uniform(2, 6))
    scene *= 1 - rng.uniform(0.2, 0.45) * soft[..., None]


def _word_or_blank(content: str, rng: np.random.Generator) -> str:
    """What a surface without a number shows: a word of `WORDS` ("word") or nothing ("blank")."""
    return str(rng.choice(WORDS)) if content == "word" else ""


def _ink_for(printed_text: str, font: Path, blank_aspect: float) -> tuple[np.ndarray | None, float]:
    """The printed ink of `printed_text` at `FONT_SIZE` (None when blank) and its width per digit height
    (`blank_aspect` when blank: the room a blank surface leaves for writing)."""
    if not printed_text:
        return None, blank_aspect
    ink = printed(printed_text, font, FONT_SIZE)
    return ink, ink.shape[1] / FONT_SIZE


def _scaled(ink: np.ndarray | None, digit: int) -> np.ndarray | None:
    """Ink drawn with `FONT_SIZE` px digits scaled to `digit` px digits."""
    return None if ink is None else _resized(ink, digit / FONT_SIZE)


def _resized(image: np.ndarray, scale: float) -> np.ndarray:
    """`image` scaled by `scale` (at least a pixel each way)."""
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def _spaced(tiles: list[np.ndarray], gap: float) -> list[np.ndarray]:
    """Ink tiles with `gap` of their height left blank between neighbours (half on each side)."""
    pads = [max(1, round(gap * t.shape[0] / 2)) for t in tiles]
    return [
        cv2.copyMakeBorder(t, 0, 0, p, p, cv2.BORDER_CONSTANT, value=0)
        for t, p in zip(tiles, pads, strict=True)
    ]


def _centred(ink: np.ndarray, size: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """A frame-sized mask holding `ink` at the centre of `box` (x, y, w, h)."""
    x, y, w, h = box
    return _place(ink, size, x + (w - ink.shape[1]) / 2, y + (h - ink.shape[0]) / 2)


def _font(rng: np.random.Generator, sources: Sources) -> Path:
    if not sources.fonts:
        raise ValueError("no font files to print with (install them: scripts/fonts.sh)")
    return Path(sources.fonts[int(rng.integers(len(sources.fonts)))])


# ---- the kinds ------------------------------------------------------------------------------------


def plate(rng: np.random.Generator, sources: Sources, content: str = "number") -> Surface:
    """A house number (1-4 digits) on a coloured outlined plate on a brick or wood wall."""
    size, font = _frame(rng), _font(rng, sources)
    number = _digits(rng, int(rng.integers(1, 5)))
    shown, written = (number, number) if content == "number" else (_word_or_blank(content, rng), None)
    ink, aspect = _ink_for(shown, font, 2.0)
    pad = (rng.uniform(0.3, 0.7), rng.uniform(0.25, 0.5))
    x, y, w, h, digit = _object_box(rng, size, aspect, pad, (0.12, 0.35))
    wall_kind = str(rng.choice(["brick", "wood"]))
    scene = wall(size, rng, wall_kind)
    colour = str(rng.choice(list(PLATES)))
    light_plate = np.mean(PLATES[colour]) > 120
    ink_colour = np.array(DARK_INK if light_plate else LIGHT_INK) + rng.uniform(-15, 15, 3)
    radius = rng.uniform(0, 0.35) * h
    body = _rounded(size, (x, y, w, h), radius)
    _shadow(scene, body, rng)
    _lay(scene, body, np.array(PLATES[colour]) + rng.uniform(-15, 15, 3))
    border = max(2.0, rng.uniform(0.04, 0.1) * digit)
    inset = rng.uniform(0, 0.5) * border
    line = _outline(size, (x, y, w, h), radius, inset, border)
    inner = rng.random() < 0.3
    if inner:  # a thinner second outline inside the first
        line += _outline(
            size, (x, y, w, h), radius, inset + border + rng.uniform(0.06, 0.12) * digit, border / 2
        )
    _lay(scene, np.clip(line, 0, 1), ink_colour)
    if (ink := _scaled(ink, digit)) is not None:
        _lay(scene, _centred(ink, size, (x, y, w, h)), ink_colour)
    info = {"style": wall_kind, "plate": colour, "inner outline": inner, "height": digit, "font": font.stem}
    return _photo(scene, rng, shown, written, info, glare=rng.random() < 0.3)


def screen(rng: np.random.Generator, sources: Sources, content: str = "number") -> Surface:
    """Light digits on a dark screen inside a lighter bezel (a phone, a meter), with a glare band."""
    size, font = _frame(rng), _font(rng, sources)

    def number() -> tuple[str, str]:
        form = rng.integers(3)
        if form == 0:
            t = _digits(rng, int(rng.integers(1, 7)))
        elif form == 1:
            t = f"{_digits(rng, int(rng.integers(1, 4)))}.{_digits(rng, 1, True)}"
        else:
            t = f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"
        return t, t

    shown, written = number() if content == "number" else (_word_or_blank(content, rng), None)
    segments = content != "word" and rng.random() < 0.35
    slant = float(rng.uniform(0, 10)) if segments else 0.0
    if segments and shown:
        lit, _ = seven_segments(shown, FONT_SIZE, rng, slant)
        ink, aspect = lit, lit.shape[1] / FONT_SIZE
    else:
        ink, aspect = _ink_for(shown, font, 3.0)
    glass = (rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.7))
    x, y, w, h, digit = _object_box(rng, size, aspect, glass, (0.1, 0.3))
    device = str(rng.choice(["phone", "meter"]))
    rim = (
        rng.uniform(0.08, 0.2) * h,
        rng.uniform(0.3, 0.8) * h if device == "phone" else rng.uniform(0.1, 0.3) * h,
    )
    scene = wall(size, rng, str(rng.choice(["wood", "plaster"])))
    body = _rounded(size, (x - rim[0], y - rim[1], w + 2 * rim[0], h + 2 * rim[1]), rng.uniform(0.1, 0.4) * h)
    _shadow(scene, body, rng)
    bezel = str(rng.choice(list(BEZELS)))
    _lay(scene, body, np.array(BEZELS[bezel]) + rng.uniform(-10, 10, 3))
    glass_mask = _rounded(size, (x, y, w, h), rng.uniform(0, 0.1) * h)
    _lay(scene, glass_mask, rng.uniform(8, 40) + rng.uniform(-6, 10, 3))
    colour = str(rng.choice(list(SCREEN_INK)))
    if ink is not None:
        placed = _centred(_scaled(ink, digit), size, (x, y, w, h))
        glow = cv2.GaussianBlur(placed, (0, 0), max(1.0, digit / 30)) * 0.3
        _lay(scene, np.clip(placed + glow, 0, 1), np.array(SCREEN_INK[colour]) * rng.uniform(0.85, 1.0))
    scene += _glare_band(glass_mask, rng)[..., None]
    info = {
        "style": "seven-segment" if segments else "printed",
        "device": device,
        "colour": colour,
        "height": digit,
    }
    return _photo(scene, rng, shown, written, info | {"font": font.stem})


def seven_segment(
    rng: np.random.Generator,
    sources: Sources,
    content: str = "number",
    count: int | None = None,
    style: str | None = None,
) -> Surface:
    """A 1-6 digit seven-segment display, LCD or LED, mostly slanted, in a plastic housing (`count`
    digits and `style`, "LCD" or "LED", when given)."""
    size = _frame(rng)
    count = count or int(rng.integers(1, 7))
    if content == "number":
        shown = _digits(rng, count, lead_zero=rng.random() < 0.3)
        if count >= 2 and rng.random() < 0.35:
            point = int(rng.integers(1, count))
            shown = shown[:point] + "." + shown[point:]
        written = shown
    else:  # a display shows no word: dashes, or nothing lit
        shown, written = ("-" * count if content == "word" else " " * count), None
    slant = float(rng.uniform(5, 12)) if rng.random() < 0.75 else 0.0
    lit, unlit = seven_segments(shown, FONT_SIZE, rng, slant)
    aspect = lit.shape[1] / FONT_SIZE
    x, y, w, h, digit = _object_box(
        rng, size, aspect, (rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.4)), (0.12, 0.35)
    )
    scene = wall(size, rng, str(rng.choice(["wood", "plaster"])))
    rim = rng.uniform(0.15, 0.5) * h
    body = _rounded(size, (x - rim, y - rim, w + 2 * rim, h + 2 * rim), rng.uniform(0, 0.3) * h)
    _shadow(scene, body, rng)
    _lay(scene, body, rng.uniform(30, 200) + rng.uniform(-10, 10, 3))
    window = _rounded(size, (x, y, w, h), rng.uniform(0, 0.08) * h)
    lit, unlit = (_centred(_scaled(m, digit), size, (x, y, w, h)) for m in (lit, unlit))
    style = style or str(rng.choice(["LCD", "LED"]))
    ghosts = rng.random() < 0.5
    if style == "LCD":
        ground = np.array([150, 185, 165]) + rng.uniform(-20, 20) + rng.uniform(-8, 8, 3)
        _lay(scene, window, ground)
        if ghosts:
            _lay(scene, unlit, ground * rng.uniform(0.88, 0.95))
        _lay(scene, lit, rng.uniform(25, 70) + rng.uniform(-5, 5, 3))
    else:
        colour = np.array(LED_INK[str(rng.choice(list(LED_INK)))], np.float32)
        _lay(scene, window, rng.uniform(8, 30) + rng.uniform(-4, 4, 3))
        if ghosts:
            _lay(scene, unlit, colour * rng.uniform(0.1, 0.2))
        _lay(scene, lit, colour * rng.uniform(0.85, 1.0))
        scene += (
            (cv2.GaussianBlur(lit, (0, 0), max(1.0, digit / 12)) * rng.uniform(20, 60))[..., None]
            * colour
            / 255
        )
    info = {"style": style, "slanted": slant > 0, "off segments": ghosts, "height": digit}
    return _photo(scene, rng, shown, written, info, glare=style == "LCD" and rng.random() < 0.3)


def price_tag(
    rng: np.random.Generator,
    sources: Sources,
    content: str = "number",
    price: str | None = None,
    colour: str | None = None,
) -> Surface:
    """A price ("12.50", "€3.99", "1,299") on a coloured tag (`price` as printed and written, on a tag
    of `colour`, a key of `TAGS`, when given)."""
    size, font = _frame(rng), _font(rng, sources)
    shown, written = _price(rng) if content == "number" else (_word_or_blank(content, rng), None)
    shown, written = (price, price) if price else (shown, written)
    ink, aspect = _ink_for(shown, font, 2.5)
    pad = (rng.uniform(0.25, 0.6), rng.uniform(0.2, 0.5))
    hole = rng.random() < 0.4
    x, y, w, h, digit = _object_box(rng, size, aspect + (0.8 if hole else 0), pad, (0.1, 0.3))
    scene = wall(size, rng)
    colour = colour or str(rng.choice(list(TAGS)))
    body = _rounded(size, (x, y, w, h), rng.uniform(0, 0.25) * h)
    _shadow(scene, body, rng)
    _lay(scene, body, np.array(TAGS[colour]) + rng.uniform(-12, 12, 3))
    left = x
    if hole:
        cx, cy, r = x + 0.4 * digit, y + h / 2, 0.12 * digit
        ring = np.zeros(size[::-1], np.uint8)
        cv2.circle(ring, (int(cx), int(cy)), max(2, int(r)), 255, -1, cv2.LINE_AA)
        _lay(scene, ring.astype(np.float32) / 255, wall(size, rng, "plaster") * 0.6)
        left = x + 0.8 * digit
    ink_colour = DARK_INK if np.mean(TAGS[colour]) > 120 else LIGHT_INK
    if (ink := _scaled(ink, digit)) is not None:
        _lay(scene, _centred(ink, size, (left, y, x + w - left, h)), ink_colour)
    info = {"style": colour, "hole": hole, "height": digit, "font": font.stem, "printed": shown}
    return _photo(scene, rng, shown, written, info, glare=rng.random() < 0.2)


def date_time(rng: np.random.Generator, sources: Sources, content: str = "number") -> Surface:
    """A printed date, time or phone number on a sheet of paper filling the frame, or on a sign on a
    wall."""
    size, font = _frame(rng), _font(rng, sources)
    if content == "number":
        shown, written, form = _date_time(rng)
    else:
        shown, written, form = _word_or_blank(content, rng), None, content
    ink, aspect = _ink_for(shown, font, 4.0)
    if rng.random() < PAGE_SHARE:
        return _page(ink, aspect, rng, size, written, {"style": form, "sign": "page", "font": font.stem})
    pad = (rng.uniform(0.4, 1.0), rng.uniform(0.4, 1.0))
    x, y, w, h, digit = _object_box(rng, size, aspect, pad, (0.06, 0.2))
    scene = wall(size, rng)
    sign = str(rng.choice(list(SIGNS)))
    body = _rounded(size, (x, y, w, h), 0 if sign == "paper" else rng.uniform(0, 0.2) * h)
    _shadow(scene, body, rng)
    _lay(scene, body, np.array(SIGNS[sign]) + rng.uniform(-10, 10, 3))
    if (ink := _scaled(ink, digit)) is not None:
        colour = LIGHT_INK if sign == "blue" else DARK_INK
        _lay(scene, _centred(ink, size, (x, y, w, h)), colour)
    info = {"style": form, "sign": sign, "height": digit, "font": font.stem}
    return _photo(scene, rng, shown, written, info)


def _page(ink: np.ndarray | None, aspect: float, rng: np.random.Generator, size, written, info) -> Surface:
    """Printed ink (at `FONT_SIZE`; None: nothing) on a photographed sheet of paper filling the frame."""
    width, height = size
    high = min(0.15 * height, (1 - 2 * MARGIN) * width / aspect)
    digit = int(rng.uniform(min(max(MIN_DIGIT_HEIGHT, 0.06 * height), high), high))
    tiles = [] if ink is None else [(_scaled(ink, digit) * 255).astype(np.uint8)]
    return _on_paper(tiles, written, rng, size, info)


def chalkboard(rng: np.random.Generator, sources: Sources, content: str = "number") -> Surface:
    """1-6 handwritten digits in chalk on a dark green or black board (a word in a font, or nothing)."""
    size = _frame(rng)
    width, height = size
    board = str(rng.choice(list(BOARDS)))
    scene = np.empty((height, width, 3), np.float32)
    scene[:] = np.array(BOARDS[board]) + rng.uniform(-8, 8, 3)
    haze = _smooth_field((height, width), rng, 60) ** 2 * rng.uniform(10, 40)  # wiped-off chalk
    scene += haze[..., None]
    tiles, shown, written = [], _word_or_blank(content, rng), None
    if content == "number":
        digits, written = sources.digits.deal(int(rng.integers(1, 7)))
        tiles, shown = [ink_crop(d) for d in digits], written
    elif shown:
        tiles = [ink_crop((printed(shown, _font(rng, sources), FONT_SIZE) * 255).astype(np.uint8))]
    tiles = _spaced(tiles, rng.uniform(0.2, 0.5))
    aspect = sum(t.shape[1] / t.shape[0] for t in tiles)
    high = min(0.4 * height, (1 - 2 * MARGIN) * width / max(aspect, 1e-6))
    digit = int(
        np.exp(rng.uniform(np.log(min(max(MIN_DIGIT_HEIGHT * 1.5, 0.1 * height), high)), np.log(high)))
    )
    x = rng.uniform(MARGIN * width, max(MARGIN * width, (1 - MARGIN) * width - aspect * digit))
    y = rng.uniform(MARGIN * height, (1 - MARGIN) * height - digit)
    if tiles:
        alpha = ink_coverage(tiles, width, height, rng, digit, 1.0, (int(x), int(y)))
        _lay(scene, chalk(alpha, rng), np.array(CHALK[str(rng.choice(list(CHALK), p=[0.7, 0.15, 0.15]))]))
    if rng.random() < 0.5:  # the wooden frame
        border = int(rng.uniform(0.02, 0.05) * height)
        frame = np.ones((height, width), np.float32)
        frame[border:-border, border:-border] = 0
        _lay(scene, frame, wall(size, rng, "wood"))
    info = {"style": board, "height": digit}
    return _photo(scene, rng, shown, written, info)


def outlined_handwriting(rng: np.random.Generator, sources: Sources) -> Surface:
    """1-6 MNIST digits drawn as outlines only ("bubble" digits), dark on paper."""
    size = _frame(rng)
    digits, written = sources.digits.deal(int(rng.integers(1, 7)))
    height = int(rng.uniform(60, 140) * size[1] / 480)
    tiles = _spaced([outlined(d, height, rng) for d in digits], rng.uniform(0.25, 0.5))
    return _on_paper(tiles, written, rng, size, {"style": "outlined"})


def hairline_handwriting(rng: np.random.Generator, sources: Sources) -> Surface:
    """1-6 MNIST digits thinned to hairline strokes (1-2 px at 60-120 px), dark on paper."""
    size = _frame(rng)
    digits, written = sources.digits.deal(int(rng.integers(1, 7)))
    height = int(rng.uniform(60, 120))
    tiles = _spaced([hairline(d, height, rng) for d in digits], rng.uniform(0.25, 0.5))
    return _on_paper(tiles, written, rng, size, {"style": "hairline"})


def _on_paper(
    tiles: list[np.ndarray], written: str | None, rng: np.random.Generator, size: tuple[int, int], info: dict
) -> Surface:
    """Ink tiles (white on black, of one height) in a line on a photographed sheet of paper filling
    the frame, made smaller when the line is too long for it."""
    width, height = size
    line = sum(t.shape[1] for t in tiles)
    if line > (1 - 2 * MARGIN) * width:
        tiles = [_resized(t, (1 - 2 * MARGIN) * width / line) for t in tiles]
        line = sum(t.shape[1] for t in tiles)
    tall = tiles[0].shape[0] if tiles else MIN_DIGIT_HEIGHT
    x = int(rng.uniform(MARGIN * width, max(MARGIN * width, (1 - MARGIN) * width - line)))
    y = int(rng.uniform(MARGIN * height, (1 - MARGIN) * height - 1.2 * tall))
    photo = paper_photo(tiles, rng, size, digit_height=tall, pitch=1.0, position=(x, y))
    image = camera(photo.astype(np.float32), rng, light=False)
    content = "number" if written else "word" if tiles else "blank"
    info = info | {"height": tall, "frame": f"{width}x{height}", "content": content}
    return Surface(image, _digits_only(written), written, info)


def _photo(
    scene: np.ndarray,
    rng: np.random.Generator,
    shown: str,
    written: str | None,
    info: dict,
    glare: bool = False,
) -> Surface:
    """The scene through the camera, and what it shows (`shown`: as printed; `written`: the text)."""
    height, width = scene.shape[:2]
    content = "number" if written else "word" if shown.strip() else "blank"
    info = info | {"frame": f"{width}x{height}", "content": content}
    return Surface(camera(scene, rng, glare=glare), _digits_only(written), written, info)


Kind = Callable[..., Surface]  # (rng, sources) -> Surface; a surface of NON_DIGIT_KINDS also takes `content`
NON_DIGIT_KINDS: dict[str, Kind] = {  # surfaces that can show "number", a "word" or nothing ("blank")
    "plate": plate,
    "screen": screen,
    "seven-segment": seven_segment,
    "price tag": price_tag,
    "date/time": date_time,
    "chalkboard": chalkboard,
}


def non_digit_surface(rng: np.random.Generator, sources: Sources) -> Surface:
    """One of `NON_DIGIT_KINDS` showing a word (a seven-segment display: dashes) or nothing."""
    names = list(NON_DIGIT_KINDS)
    kind = names[int(rng.integers(len(names)))]
    surface = NON_DIGIT_KINDS[kind](rng, sources, "word" if rng.random() < 0.5 else "blank")
    return Surface(surface.image, None, None, surface.info | {"surface": kind})


KINDS: dict[str, Kind] = {
    "plate": plate,
    "screen": screen,
    "seven-segment": seven_segment,
    "price tag": price_tag,
    "date/time": date_time,
    "chalkboard": chalkboard,
    "outlined handwriting": outlined_handwriting,
    "hairline handwriting": hairline_handwriting,
    "non-digit surface": non_digit_surface,
}


def draw(kind: str, rng: np.random.Generator, sources: Sources) -> Surface:
    """One photo of `kind` (a key of `KINDS`), drawn with `rng` from `sources`."""
    if kind not in KINDS:
        raise ValueError(f"unknown surface {kind!r}; expected one of {', '.join(KINDS)}")
    return KINDS[kind](rng, sources)
