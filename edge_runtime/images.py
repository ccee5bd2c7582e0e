"""Read image files safely: every bad file becomes one clear EdgeError, never a crash.

The file's header is parsed before any decoding, so an image that would need gigabytes of memory
(a "decompression bomb") is refused from its declared size, and a file cut short is refused before
the decoder sees it (a JPEG cut short that still ends in its end marker: after, `_jpeg_cut_short`).
16-bit images and images with an alpha channel are refused rather than guessed at: how to flatten
them is the user's choice. Only regular files are opened (a FIFO would block forever, `/dev/zero`
never ends), and only up to the size the largest allowed image could take.
"""

from __future__ import annotations

import glob
import os
import stat
import struct
from pathlib import Path

import cv2
import numpy as np

from ground.errors import EdgeError
from ground.files import file_kind
from ground.quiet import native_output_silenced

MAX_PIXELS = 50_000_000
BYTES_PER_PIXEL = 4  # the most an 8-bit image stores uncompressed (BGRA); metadata gets a margin
METADATA_BYTES = 16 * 2**20
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
SUPPORTED = "PNG, JPEG, BMP, TIFF or WebP"
_JPEG_PROGRESSIVE = {0xC2, 0xC6, 0xCA, 0xCE}
_JPEG_TRAILER = b"\x00\r\n "  # bytes some writers leave after the end marker
# stands in for a JPEG's missing image data: more noise than a block can take, with no 0xFF (which
# would start a marker), led by 0x00 (so that a cut right after 0xFF reads as its stuffed byte, 0xFF00)
_JPEG_PROBE_DATA = b"\x00" + np.random.default_rng(0).integers(0, 0xFF, 4096, dtype=np.uint8).tobytes()
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_TIFF_WIDTH, _TIFF_HEIGHT = 256, 257


def expand_paths(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Image files named by files, folders (searched recursively) and globs, and one error per miss."""
    files: list[Path] = []
    errors: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            files += found
            if not found:
                errors.append(f"{pattern}: no images in this folder ({SUPPORTED})")
        elif path.exists() or path.is_symlink():
            files.append(path)
        elif glob.has_magic(pattern):
            found = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            files += found
            if not found:
                errors.append(f"{pattern}: no file matches")
        else:
            errors.append(f"{pattern}: no such file or folder")
    return files, errors


def read_image(path: Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The image at `path` as 8-bit grey (h, w) or BGR (h, w, 3); EdgeError naming what is wrong.

    The file's type and size are checked before it is opened: only a regular file, and no larger than
    `max_file_bytes(max_pixels)`, is read.
    """
    limit = max_file_bytes(max_pixels)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise EdgeError(f"{path}: not a regular file ({file_kind(info.st_mode)})")
        if info.st_size > limit:
            raise EdgeError(
                f"{path}: {info.st_size:,} bytes is more than an image of --max-pixels {max_pixels:,} "
                f"can take ({limit:,})"
            )
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since stat
    except OSError as exc:
        raise EdgeError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise EdgeError(f"{path}: more than {limit:,} bytes")
    return decode_image(data, str(path), max_pixels)


def max_file_bytes(max_pixels: int = MAX_PIXELS) -> int:
    """The largest image file read: the largest allowed image stored uncompressed, plus metadata."""
    return max_pixels * BYTES_PER_PIXEL + METADATA_BYTES


def decode_image(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode encoded image bytes after checking the header; `name` prefixes every message."""
    if not data:
        raise EdgeError(f"{name}: empty file (0 bytes)")
    kind, width, height = image_header(data, name)
    if width <= 0 or height <= 0:
        raise EdgeError(f"{name}: {kind} header declares an empty {width}x{height} image")
    if width * height > max_pixels:
        raise EdgeError(
            f"{name}: {width}x{height} pixels is past the limit of {max_pixels:,} (see --max-pixels)"
        )
    # JPEG has neither alpha nor 16 bits, but often an EXIF orientation, which IMREAD_COLOR applies.
    flags = cv2.IMREAD_COLOR if kind == "JPEG" else cv2.IMREAD_UNCHANGED
    with native_output_silenced():  # libpng/libtiff print their own complaint; ours is the one line
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
        cut_short = kind == "JPEG" and image is not None and _jpeg_cut_short(data, name, image, flags)
    if image is None or image.size == 0:
        raise EdgeError(f"{name}: corrupt or truncated {kind} data")
    if cut_short:
        raise EdgeError(f"{name}: truncated JPEG file (its image data ends before the last block)")
    if image.dtype != np.uint8:
        raise EdgeError(f"{name}: {image.dtype.itemsize * 8}-bit image; save it with 8 bits per channel")
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels in (2, 4):
        raise EdgeError(f"{name}: image has an alpha channel; flatten it onto a white background first")
    return image[..., 0] if image.ndim == 3 and channels == 1 else image


def _jpeg_cut_short(data: bytes, name: str, image: np.ndarray, flags: int) -> bool:
    """True if the JPEG's image data ends early, even though the file ends with its end marker.

    libjpeg decodes what it has no data for as flat grey (or leaves a progressive image's last
    refinements out), with only a warning on stderr. Decoding again with noise before the end marker
    tells: a whole image never reads it (the same pixels come out), a cut one decodes it as the data
    it misses (other pixels). A sequential image read to its end has no mid-grey corner: no need to
    decode it twice. Not caught: a cut within the last block, or one the noise happens to decode as
    "no more coefficients" (a late refinement scan of a progressive image).
    """
    if _jpeg_frame(data, name)[0] not in _JPEG_PROGRESSIVE and not _mid_grey_corner(image):
        return False
    probe = data.rstrip(_JPEG_TRAILER)[:-2] + _JPEG_PROBE_DATA + b"\xff\xd9"
    again = cv2.imdecode(np.frombuffer(probe, np.uint8), flags)
    return again is None or not np.array_equal(again, image)


def _mid_grey_corner(image: np.ndarray) -> bool:
    """True if a corner pixel is exactly mid-grey (128), the colour of a JPEG block with no data:
    where the last block of a sequential JPEG lands, whatever its EXIF orientation."""
    corners = image[[0, 0, -1, -1], [0, -1, 0, -1]]
    return bool((corners == 128).reshape(4, -1).all(axis=1).any())


def image_header(data: bytes, name: str) -> tuple[str, int, int]:
    """(format, width, height) read from the header alone; EdgeError if not an image or cut short."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return ("PNG", *_png_size(data, name))
        if data.startswith(b"\xff\xd8\xff"):
            return ("JPEG", *_jpeg_size(data, name))
        if data.startswith(b"BM"):
            return ("BMP", *_bmp_size(data, name))
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            return ("TIFF", *_tiff_size(data))
        if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
            return ("WebP", *_webp_size(data, name))
    except (struct.error, IndexError):
        raise EdgeError(f"{name}: truncated image header") from None
    raise EdgeError(f"{name}: not an image ({SUPPORTED} expected)")


def _png_size(data: bytes, name: str) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        raise EdgeError(f"{name}: corrupt PNG header")
    if b"IEND" not in data[-12:]:
        raise EdgeError(f"{name}: truncated PNG file (no end marker)")
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes, name: str) -> tuple[int, int]:
    if not data.rstrip(_JPEG_TRAILER).endswith(b"\xff\xd9"):
        raise EdgeError(f"{name}: truncated JPEG file (no end marker)")
    return _jpeg_frame(data, name)[1:]


def _jpeg_frame(data: bytes, name: str) -> tuple[int, int, int]:
    """(start-of-frame marker, width, height): the frame header's."""
    pos = 2
    while True:
        while data[pos] == 0xFF and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if data[pos] != 0xFF:
            raise EdgeError(f"{name}: corrupt JPEG header")
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return marker, width, height
        pos += 2 + length


def _bmp_size(data: bytes, name: str) -> tuple[int, int]:
    declared = struct.unpack("<I", data[2:6])[0]
    header = struct.unpack("<I", data[14:18])[0]
    if header == 12:  # OS/2 BITMAPCOREHEADER
        width, height = struct.unpack("<HH", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])
    if len(data) < declared:
        raise EdgeError(f"{name}: truncated BMP file ({len(data)} of {declared} bytes)")
    return width, abs(height)


def _tiff_size(data: bytes) -> tuple[int, int]:
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    (count,) = struct.unpack(order + "H", data[offset : offset + 2])
    size = {}
    for i in range(count):
        entry = data[offset + 2 + 12 * i : offset + 14 + 12 * i]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in (_TIFF_WIDTH, _TIFF_HEIGHT):
            short = kind == 3  # TIFF type SHORT, else LONG
            size[tag] = struct.unpack(order + ("H" if short else "I"), entry[8 : 10 if short else 12])[0]
    return size.get(_TIFF_WIDTH, 0), size.get(_TIFF_HEIGHT, 0)


def _webp_size(data: bytes, name: str) -> tuple[int, int]:
    declared = struct.unpack("<I", data[4:8])[0] + 8
    if len(data) < declared:
        raise EdgeError(f"{name}: truncated WebP file ({len(data)} of {declared} bytes)")
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":
        bits = struct.unpack("<I", data[21:25])[0]
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    raise EdgeError(f"{name}: corrupt WebP header")
