"""Realistic inputs for tests, benchmarks and demos: digits in ink on photographed paper.

A photo is built the way a camera sees a sheet: dark ink (black or blue) on off-white paper that
may be ruled, slightly rotated handwriting, then uneven light (a gradient and vignetting), sometimes
a soft shadow, sensor noise and a little blur. The digits come from MNIST-style 28x28 images (white
on black), e.g. real MNIST digits, or from `drawn_digit` when MNIST is not at hand; any other ink
image (white on black, any size: a word, a doodle) is drawn the same way, scaled to the same height.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.reading.inputs import to_mnist
from edge_runtime.recording import VideoRecorder
from ground.atomic import atomic_write_bytes, output_folder
from ground.contract import IMAGE_SHAPE, IMAGE_SIDE
from ground.errors import EdgeError

FRAME_SIZE = (640, 480)  # width, height: a webcam frame
INK_BGR = {"black": (40, 35, 35), "blue": (140, 50, 15)}
RULED_LINE_BGR = (215, 185, 150)  # light blue
MARGIN_LINE_BGR = (150, 150, 230)  # light red
MAX_ROTATION_DEGREES = 10.0
TILE_HEIGHT = (0.3, 0.55)  # of the frame height, when no digit height is given
PITCH = (0.75, 0.9)  # step between tiles, of a tile's width, when no pitch is given
LINE_WIDTH = 0.9  # of the frame width: the longest line of tiles fitted when no digit height is given
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
)


def drawn_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """A 28x28 MNIST-style image (white on black) of `digit` drawn with a random OpenCV font and stroke."""
    canvas = np.zeros((140, 140), np.uint8)
    font = FONTS[rng.integers(len(FONTS))]
    thickness = int(rng.integers(5, 10))
    scale = cv2.getFontScaleFromHeight(font, 90, thickness)
    (w, h), _ = cv2.getTextSize(str(digit), font, scale, thickness)
    origin = ((140 - w) // 2, (140 + h) // 2)
    cv2.putText(canvas, str(digit), origin, font, scale, 255, thickness, cv2.LINE_AA)
    return to_mnist(canvas)


def paper_photo(
    digits: Sequence[np.ndarray],
    rng: np.random.Generator,
    size: tuple[int, int] = FRAME_SIZE,
    ink: str | None = None,
    ruled: bool | None = None,
    shadow: bool | None = None,
    digit_height: int | None = None,
    pitch: float | None = None,
    position: tuple[int, int] | None = None,
) -> np.ndarray:
    """A BGR photo (height, width, 3) of the MNIST-style `digits` written left to right on paper.

    `digits` are white-on-black ink tiles of any size (28x28 MNIST digits, words, doodles), scaled
    to `digit_height` pixels (aspect kept). `pitch` is the step from one tile to the next, as a
    share of the tile's width: below ~0.8 neighbours touch or overlap, and 28x28 tiles are trimmed
    to their ink first so that they really do. `position` is the top-left of the line of tiles.
    Each of these is drawn at random when None (then the line is fitted into the frame), and so
    are `ink`, `ruled` and `shadow`.
    """
    width, height = size
    ink = ink or str(rng.choice(list(INK_BGR)))
    ruled = bool(rng.random() < 0.5) if ruled is None else ruled
    shadow = bool(rng.random() < 0.4) if shadow is None else shadow
    page = _paper(width, height, rng, ruled)
    coverage = ink_coverage(digits, width, height, rng, digit_height, pitch, position)
    coverage = cv2.merge([coverage] * 3)
    page += cv2.multiply(np.array(INK_BGR[ink], np.float32) - page, coverage)  # ink over paper
    page = cv2.multiply(page, cv2.merge([illumination(width, height, rng, shadow)] * 3))
    noise = np.empty_like(page)
    cv2.setRNGSeed(int(rng.integers(2**31)))
    cv2.randn(noise, 0.0, float(rng.uniform(2, 6)))
    page += noise
    if rng.random() < 0.5:
        page = cv2.GaussianBlur(page, (3, 3), 0)
    return np.clip(page, 0, 255, out=page).astype(np.uint8)


def _paper(width: int, height: int, rng: np.random.Generator, ruled: bool) -> np.ndarray:
    """Off-white paper reflectance as float32 BGR, optionally with ruled lines and a margin."""
    tint = rng.uniform(225, 250) + rng.uniform(-8, 8, 3)
    page = np.empty((height, width, 3), np.float32)
    page[:] = np.clip(tint, 0, 255)
    if ruled:
        spacing = int(rng.integers(28, 48))
        for y in range(int(rng.integers(0, spacing)), height, spacing):
            cv2.line(page, (0, y), (width, y), RULED_LINE_BGR, 1, cv2.LINE_AA)
        if rng.random() < 0.5:
            x = int(rng.uniform(0.05, 0.15) * width)
            cv2.line(page, (x, 0), (x, height), MARGIN_LINE_BGR, 1, cv2.LINE_AA)
    return page


def rolled(photo: np.ndarray, degrees: float) -> np.ndarray:
    """`photo` as a camera rolled by `degrees` (counter-clockwise) sees it, zoomed out just enough that
    all of it stays in view; beyond its edges the paper goes on (edge pixels repeated)."""
    height, width = photo.shape[:2]
    cos, sin = abs(np.cos(np.radians(degrees))), abs(np.sin(np.radians(degrees)))
    zoom = min(width / (width * cos + height * sin), height / (width * sin + height * cos))
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, zoom)
    return cv2.warpAffine(photo, turn, (width, height), borderMode=cv2.BORDER_REPLICATE)


def ink_coverage(
    tiles: Sequence[np.ndarray],
    width: int,
    height: int,
    rng: np.random.Generator,
    digit_height: int | None = None,
    pitch: float | None = None,
    position: tuple[int, int] | None = None,
) -> np.ndarray:
    """Float32 (height, width) ink opacity 0-1: the tiles enlarged, rotated and placed left to right."""
    coverage = np.zeros((height, width), np.float32)
    framed = [t.shape[:2] == (IMAGE_SIDE, IMAGE_SIDE) for t in tiles]  # MNIST: an empty border
    if pitch is not None:  # trimmed, so that neighbours closer than a tile's width really touch
        tiles = [ink_crop(t) if f else t for t, f in zip(tiles, framed, strict=True)]
    aspects = [t.shape[1] / t.shape[0] for t in tiles]
    mean_aspect = float(np.mean(aspects)) if tiles else 1.0
    tile_height = int(rng.uniform(*TILE_HEIGHT) * height)
    share = rng.uniform(*PITCH) if pitch is None else pitch
    if digit_height is not None:
        tile_height = int(digit_height)
    step = int(tile_height * mean_aspect * share)  # an average tile's step, in pixels
    if digit_height is None:  # fit the line into the frame
        step = min(step, int(LINE_WIDTH * width / max(len(tiles), 1)))
        tile_height = min(tile_height, int(step / (mean_aspect * (PITCH[0] if pitch is None else pitch))))
    steps = [step * a / mean_aspect for a in aspects]
    left = (width - int(sum(steps))) // 2 + int(rng.uniform(-0.05, 0.05) * width)
    top = (height - tile_height) // 2 + int(rng.uniform(-0.1, 0.1) * height)
    if position is not None and tiles:
        left = position[0] + (round(aspects[0] * tile_height) - int(steps[0])) // 2
        top = position[1]
    offset = 0.0
    for tile, aspect, slot, square in zip(tiles, aspects, steps, framed, strict=True):
        tile_width = max(1, round(aspect * tile_height))
        grow = pitch is not None or not square
        edge = max(1, round(tile_height / tile.shape[0])) if grow else 0  # one source pixel of blank
        if grow:  # so that ink on the tile's edge fades out as it does elsewhere
            tile = cv2.copyMakeBorder(tile, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        size = (tile_width + 2 * edge, tile_height + 2 * edge)
        tile = cv2.resize(tile, size, interpolation=cv2.INTER_CUBIC)
        angle = rng.uniform(-MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES)
        tile, pad = _rotated(tile, angle, grow)
        x = min(max(left + int(offset) - (tile_width - int(slot)) // 2, 0), width - tile_width)
        y = min(max(top + int(rng.uniform(-0.05, 0.05) * tile_height), 0), height - tile_height)
        offset += slot
        _paint(coverage, tile.astype(np.float32) / 255, x - pad[0] - edge, y - pad[1] - edge)
    return coverage


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """`image` after a JPEG round trip at `quality`."""
    _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)


def ink_crop(tile: np.ndarray) -> np.ndarray:
    """A white-on-black image cut to the bounding box of its ink (unchanged when blank)."""
    ys, xs = np.nonzero(tile)
    return tile[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] if len(xs) else tile


def block_scan(digit: np.ndarray, rows: int, max_stretch: float = 2.0, levels: int = 16) -> np.ndarray:
    """A digit as low-resolution scanned digit sets hold it: its ink box as a binary bitmap counted in
    `rows` rows of blocks (0-`levels` pixels set each, as 0-1), a narrow digit widened towards a
    square at most `max_stretch` times (a 1 stays a bar); edge rows and columns with too little ink
    to count are cut."""
    ink = ink_crop(digit)
    height, width = ink.shape
    cols = int(np.clip(round(rows * min(1.0, max_stretch * width / height)), 2, rows))
    big = cv2.resize(cv2.copyMakeBorder(ink, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0), None, fx=8, fy=8)
    bitmap = ink_crop((big > 127).astype(np.float32))  # binary, as the scanner saw it
    counts = np.round(cv2.resize(bitmap, (cols, rows), interpolation=cv2.INTER_AREA) * levels)
    return ink_crop(counts) / levels


def _rotated(tile: np.ndarray, angle: float, grow: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """`tile` rotated by `angle` degrees about its centre, and the margin (x, y) added around it.

    An MNIST tile keeps its size (its empty border takes the corners); with `grow`, the tile is
    padded first so that no ink is cut off.
    """
    height, width = tile.shape[:2]
    pad = (0, 0)
    if grow:
        sin, cos = abs(np.sin(np.radians(angle))), np.cos(np.radians(angle))
        pad = (
            max(0, int(np.ceil((width * cos + height * sin - width) / 2))) + 1,
            max(0, int(np.ceil((height * cos + width * sin - height) / 2))) + 1,
        )
        tile = cv2.copyMakeBorder(tile, pad[1], pad[1], pad[0], pad[0], cv2.BORDER_CONSTANT, value=0)
    rotation = cv2.getRotationMatrix2D((width / 2 + pad[0], height / 2 + pad[1]), angle, 1.0)
    return cv2.warpAffine(tile, rotation, tile.shape[1::-1]), pad


def _paint(coverage: np.ndarray, tile: np.ndarray, x: int, y: int) -> None:
    """Lay `tile` (opacity 0-1) over `coverage` with its top-left at (x, y), clipped to the frame."""
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + tile.shape[1], coverage.shape[1]), min(y + tile.shape[0], coverage.shape[0])
    if x1 > x0 and y1 > y0:
        window = coverage[y0:y1, x0:x1]
        np.maximum(window, tile[y0 - y : y1 - y, x0 - x : x1 - x], out=window)


def illumination(width: int, height: int, rng: np.random.Generator, shadow: bool) -> np.ndarray:
    """Float32 (height, width) light level: a random gradient, vignetting and maybe a soft shadow.

    Light varies smoothly, so it is computed on a grid 8 times coarser and enlarged.
    """
    ys, xs = np.mgrid[0 : height // 8 + 1, 0 : width // 8 + 1].astype(np.float32)
    xs, ys = xs / (width / 8) - 0.5, ys / (height / 8) - 0.5
    gx, gy = rng.uniform(-0.5, 0.5, 2)
    light = rng.uniform(0.7, 1.0) + gx * xs + gy * ys - rng.uniform(0.1, 0.4) * (xs**2 + ys**2)
    if shadow:
        angle = rng.uniform(0, 2 * np.pi)
        edge = np.cos(angle) * xs + np.sin(angle) * ys - rng.uniform(-0.3, 0.3)
        softness = rng.uniform(0.02, 0.08)
        light *= 1 - rng.uniform(0.3, 0.5) / (1 + np.exp(-edge / softness))
    light = np.clip(light, 0.25, 1.05).astype(np.float32)
    return cv2.resize(light, (width, height), interpolation=cv2.INTER_LINEAR)


def video_frames(
    numbers: Iterable[Sequence[np.ndarray]],
    rng: np.random.Generator,
    frames_per_number: int = 5,
    size: tuple[int, int] = FRAME_SIZE,
) -> list[np.ndarray]:
    """Frames showing each number (a sequence of digit images) for `frames_per_number` frames.

    The page is re-shot each frame (new noise), with a small camera shake.
    """
    frames = []
    for digits in numbers:
        style = {"ink": str(rng.choice(list(INK_BGR))), "ruled": bool(rng.random() < 0.5), "shadow": False}
        seed = int(rng.integers(2**31))
        for _ in range(frames_per_number):
            page = paper_photo(digits, np.random.default_rng(seed), size, **style)
            shake = np.float32([[1, 0, rng.uniform(-4, 4)], [0, 1, rng.uniform(-4, 4)]])
            frames.append(cv2.warpAffine(page, shake, size, borderMode=cv2.BORDER_REPLICATE))
    return frames


def write_image(path: Path, image: np.ndarray, jpeg_quality: int = 90) -> Path:
    """Save `image` atomically; the format follows the suffix (.png, .jpg, .bmp, .tif, .webp)."""
    path = Path(path)
    jpeg = path.suffix.lower() in (".jpg", ".jpeg")
    ok, encoded = cv2.imencode(path.suffix, image, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality] if jpeg else [])
    if not ok:
        raise EdgeError(f"{path}: OpenCV cannot encode {path.suffix!r} images")
    atomic_write_bytes(path, encoded.tobytes())
    return path


def write_video(path: Path, frames: Sequence[np.ndarray], fps: float = 10.0) -> Path:
    """Write BGR `frames` to a video (.avi: Motion-JPEG, .mp4: MPEG-4), atomically (`VideoRecorder`)."""
    if not frames:
        raise EdgeError(f"{path}: no frames to write")
    with VideoRecorder(path, fps) as recorder:
        for frame in frames:
            recorder.write(frame)
    return Path(path)


def npz_test_digits(path: Path, count: int) -> tuple[list[np.ndarray], list[int]]:
    """The first `count` test digits and labels of a Keras `mnist.npz` (`x_test`, `y_test`), read
    with numpy alone (the device has no `train` package); EdgeError for anything else."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            images, labels = npz["x_test"][:count], npz["y_test"][:count]
    except (OSError, ValueError, KeyError) as exc:
        raise EdgeError(f"{path}: not a Keras mnist.npz with x_test and y_test ({exc})") from None
    if (
        images.ndim != 3
        or images.shape[1:] != IMAGE_SHAPE
        or images.dtype != np.uint8
        or len(labels) != len(images)
    ):
        side = IMAGE_SIDE
        raise EdgeError(f"{path}: x_test must be uint8 (N, {side}, {side}), with one y_test label each")
    return list(images), [int(y) for y in labels]


def write_sample_set(
    folder: Path,
    digits: Sequence[np.ndarray],
    labels: Sequence[int],
    rng: np.random.Generator,
    frames_per_digit: int = 0,
) -> tuple[dict[Path, str], Path | None]:
    """Photos of each digit (alternately PNG and JPEG) named `<index>-<label>`, and optionally a video.

    Returns {photo: true label} and the video's path (`digits.avi`, each digit held for
    `frames_per_digit` frames), or None when `frames_per_digit` is 0.
    """
    with output_folder(folder) as folder:
        truth = {}
        for index, (digit, label) in enumerate(zip(digits, labels, strict=True)):
            path = folder / f"{index:04d}-{label}.{'jpg' if index % 2 else 'png'}"
            truth[write_image(path, paper_photo([digit], rng))] = str(label)
        if not frames_per_digit:
            return truth, None
        frames = video_frames([[d] for d in digits], rng, frames_per_digit)
        return truth, write_video(folder / "digits.avi", frames)
