"""The user's own samples (`edge collect`'s folder, laid out as Keras' `image_dataset_from_directory`
expects): DIR/0 … DIR/9 hold digits, DIR/reject (if any) non-digits; read with OpenCV and numpy.

Part of them is held back, per label, to measure how well a model reads that user's digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ground.contract import IMAGE_SHAPE, LABELS, NUM_CLASSES, REJECT_LABEL
from ground.errors import EdgeError

REJECT = -1  # the label of a non-digit sample
SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


@dataclass(frozen=True)
class ExtraData:
    """uint8 images (N, 28, 28), white on black, and their labels (0-9, or REJECT for DIR/reject)."""

    images: np.ndarray
    labels: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def digits(self) -> tuple[np.ndarray, np.ndarray]:
        """The digit samples only (images, labels 0-9)."""
        keep = self.labels != REJECT
        return self.images[keep], self.labels[keep].astype(np.uint8)

    def split(self, held_back: float, seed: int) -> tuple[ExtraData, ExtraData]:
        """(training part, held-back part): `held_back` of each label's samples, seeded, and at least
        one of every label with two or more samples (none when `held_back` is 0)."""
        rng = np.random.default_rng(seed)
        hold = np.zeros(len(self), bool)
        for label in np.unique(self.labels):
            members = rng.permutation(np.flatnonzero(self.labels == label))
            count = round(len(members) * held_back)
            if held_back > 0 and len(members) >= 2:
                count = min(max(count, 1), len(members) - 1)
            hold[members[:count]] = True
        return (
            ExtraData(self.images[~hold], self.labels[~hold], self.source),
            ExtraData(self.images[hold], self.labels[hold], self.source),
        )

    def targets(self) -> np.ndarray:
        """Training targets (N, 10): one-hot for digits, uniform for non-digits."""
        rows = np.full((len(self), NUM_CLASSES), 1.0 / NUM_CLASSES, np.float32)
        digit = self.labels != REJECT
        rows[digit] = np.eye(NUM_CLASSES, dtype=np.float32)[self.labels[digit].astype(int)]
        return rows

    def counts(self) -> dict[str, int]:
        """Samples per label folder."""
        return {
            (REJECT_LABEL if label == REJECT else str(label)): int(n)
            for label, n in zip(*np.unique(self.labels, return_counts=True), strict=True)
        }


def load_extra_data(folder: str | Path) -> ExtraData:
    """Every image in `folder`/0 … /9 (and /reject), as 28x28 grey (resized when another size);
    EdgeError for a missing folder, an unreadable image, or no sample at all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EdgeError(f"--extra-data {folder}: no such folder (expected {folder}/0 … {folder}/9)")
    images, labels = [], []
    for name, label in [*((d, int(d)) for d in LABELS), (REJECT_LABEL, REJECT)]:
        sub = folder / name
        files = sorted(p for p in sub.iterdir() if p.suffix.lower() in SUFFIXES) if sub.is_dir() else []
        for path in files:
            image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise EdgeError(f"{path}: not a readable image")
            if image.shape != IMAGE_SHAPE:
                image = cv2.resize(image, IMAGE_SHAPE[::-1], interpolation=cv2.INTER_AREA)
            images.append(image)
            labels.append(label)
    if not images:
        raise EdgeError(f"--extra-data {folder}: no images in {folder}/0 … {folder}/9 (see `edge collect`)")
    return ExtraData(np.stack(images).astype(np.uint8), np.asarray(labels, np.int16), str(folder))
