"""Load MNIST the Keras way (download and cache) or from a local `mnist.npz` / IDX files."""

from __future__ import annotations

import gzip
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ground.contract import IMAGE_SHAPE, IMAGE_SIDE, NUM_CLASSES
from ground.errors import EdgeError

ENV_VAR = "EDGE_MNIST"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
MAX_IDX_BYTES = 2**30  # 1 GiB of pixels: 20x MNIST's training set; a larger header is refused unread
IDX_CHUNK_BYTES = 16 * 2**20
_IDX_MAGIC = {3: 0x00000803, 1: 0x00000801}  # images (3 dims), labels (1 dim), uint8 payload
HOW_TO_SUPPLY = (
    f"pass --data PATH or set {ENV_VAR}=PATH (a Keras mnist.npz or a folder with the four IDX files)"
)


@dataclass(frozen=True)
class MnistData:
    """MNIST as uint8 images (N, 28, 28), white digit on black, and uint8 labels 0-9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str


def resolve_source(data: str | Path | None) -> str | None:
    """The data location to use: the explicit argument, else $EDGE_MNIST, else None (Keras)."""
    if data:
        return str(data)
    return os.environ.get(ENV_VAR) or None


def load_mnist(data: str | Path | None = None) -> MnistData:
    """Load and validate MNIST from `data`, $EDGE_MNIST, or the Keras download cache."""
    source = resolve_source(data)
    if source is None:
        arrays = _load_keras()
        source = "keras.datasets.mnist"
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise EdgeError(f"MNIST data not found at {path}; {HOW_TO_SUPPLY}")
        arrays = _load_idx_dir(path) if path.is_dir() else _load_npz(path)
    validate(arrays, source)
    return MnistData(*(arrays[k] for k in NPZ_KEYS), source=source)


def validate(arrays: dict[str, np.ndarray], source: str) -> None:
    """Check shapes, dtypes and labels; raise EdgeError naming the first problem."""
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
            side = IMAGE_SIDE
            raise EdgeError(f"{source}: x_{split} has shape {x.shape}, expected (N, {side}, {side})")
        if x.dtype != np.uint8:
            raise EdgeError(f"{source}: x_{split} has dtype {x.dtype}, expected uint8 pixels")
        if y.ndim != 1 or len(y) != len(x):
            raise EdgeError(
                f"{source}: y_{split} has shape {y.shape}, expected ({len(x)},) to match x_{split}"
            )
        if not np.issubdtype(y.dtype, np.integer) or len(y) and (y.min() < 0 or y.max() >= NUM_CLASSES):
            raise EdgeError(f"{source}: y_{split} must hold integer labels 0-9")
        if len(x) == 0:
            raise EdgeError(f"{source}: x_{split} is empty")
        arrays[f"y_{split}"] = y.astype(np.uint8)


def _load_keras() -> dict[str, np.ndarray]:
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # noqa: BLE001 - any download/cache failure means the same to the user
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EdgeError(f"could not download MNIST ({reason}); {HOW_TO_SUPPLY}") from exc
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in NPZ_KEYS if k not in npz.files]
            if missing:
                raise EdgeError(f"{path}: missing arrays {', '.join(missing)} (Keras mnist.npz keys)")
            return {k: npz[k] for k in NPZ_KEYS}
    except EdgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip/pickle/format errors all mean "not an mnist.npz"
        raise EdgeError(f"{path}: not a readable .npz file ({exc})") from exc


def _load_idx_dir(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for key, stem in IDX_NAMES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        candidates += [
            folder / stem.replace("-idx", ".idx"),
            folder / f"{stem.replace('-idx', '.idx')}.gz",
        ]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise EdgeError(f"{folder}: no {stem}[.gz] file; {HOW_TO_SUPPLY}")
        arrays[key] = read_idx(found)
    return arrays


def read_idx(path: Path, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read one IDX file (optionally gzipped) of uint8 images or labels.

    The header is read first; the data is then read in bounded chunks up to the size it declares
    (at most `max_bytes`), so a gzip bomb or a header declaring absurd dimensions costs no more
    memory than an honest file of that size.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            shape = _idx_shape(handle, path)
            expected = math.prod(shape)
            if expected > max_bytes:
                raise EdgeError(
                    f"{path}: IDX header declares {'x'.join(map(str, shape))} values "
                    f"({expected:,} bytes), past the limit of {max_bytes:,}"
                )
            data = np.empty(expected, np.uint8)
            got = _read_into(handle, memoryview(data))
            if got != expected or handle.read(1):
                found = f"{got} bytes" if got != expected else "more bytes"
                raise EdgeError(f"{path}: truncated or padded IDX data ({found}, expected {expected})")
    except (OSError, EOFError, zlib.error) as exc:  # unreadable, cut-short or corrupt gzip
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise EdgeError(f"{path}: cannot read ({reason})") from None
    return data.reshape(shape)


def _idx_shape(handle: BinaryIO, path: Path) -> tuple[int, ...]:
    head = handle.read(4)
    if len(head) < 4:
        raise EdgeError(f"{path}: too short to be an IDX file")
    magic = int.from_bytes(head, "big")
    ndim = magic & 0xFF
    if ndim not in _IDX_MAGIC or magic != _IDX_MAGIC[ndim]:
        raise EdgeError(f"{path}: not a uint8 IDX file (magic number {magic:#010x})")
    dims = handle.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise EdgeError(f"{path}: truncated IDX header")
    return tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))


def _read_into(handle: BinaryIO, buffer: memoryview) -> int:
    """Fill `buffer` from `handle` chunk by chunk; the number of bytes read (short at end of file)."""
    filled = 0
    while filled < len(buffer):
        count = handle.readinto(buffer[filled : filled + IDX_CHUNK_BYTES])
        if not count:
            break
        filled += count
    return filled
