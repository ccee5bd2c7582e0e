"""Collect the user's own digits: the 28x28 inputs the model saw, labelled, in a dataset folder.

The folder is laid out as Keras' `image_dataset_from_directory` expects, one sub-folder per label:

    DIR/0/ … DIR/9/          grey 28x28 PNGs, white digit on black (the model's input contract)
    DIR/reject/              only for a model with a `reject` output (ours have ten outputs: none)
    DIR/contact_<label>.png  every sample of a label on one sheet, in file-name order, numbered

A sample's name says where it came from: `<source>-f<frame>-x<x>y<y>w<w>h<h>.png` (the source's
name, the frame's index, 0 for an image file, and the region's box in frame pixels).

From a camera or video, a region is offered only when it has changed (`ChangeFilter`): a digit held
still for a hundred frames is one sample, not a hundred.

Reading is `reading.read_digits`'s, live frames come through `webcam.run`; this module only decides
a label per region (`FixedLabel`, `AutoLabel` or a person at a `LabelWindow`) and writes the files.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.drawing import QUIT_KEYS, Preview
from edge_runtime.frame_source import FrameSource
from edge_runtime.images import read_image
from edge_runtime.interpreter import DigitModel
from edge_runtime.picamera_source import PICAMERA
from edge_runtime.reading import DigitPrediction, Reading, ReadingPolicy, read_digits
from edge_runtime.reading.geometry import Box, shared_area
from edge_runtime.sources import is_camera_index, is_stream_url
from edge_runtime.webcam import FrameResult, LiveSettings, run
from ground.atomic import atomic_write_bytes, check_folder, output_folder, write_error
from ground.contract import LABELS, REJECT_LABEL
from ground.errors import EdgeError

DATASET_LABELS = (*LABELS, REJECT_LABEL)  # every folder name a dataset may hold
CONTACT_PREFIX = "contact_"
DEFAULT_AUTO_CONFIDENCE = 0.8  # the default recipe's label smoothing caps a clean digit near 0.9

# measured on generated videos: the same digit in another frame changes by at most 0.042, another
# digit at the same place by at least 0.040 (99% of them by more than 0.06)
DEFAULT_MIN_CHANGE = 0.05
MAX_SHIFT = 2  # pixels: the camera shakes, the crop is re-centred
SAME_PLACE_OVERLAP = 0.3  # intersection over union of two boxes
RECENT_FRAMES = 30  # how long a region not seen again is remembered

SHEET_COLUMNS = 20
TILE_SCALE = 2  # a 28x28 sample is drawn 56x56 on the contact sheet
TILE_GAP = 12  # room under each tile for its number
SKIP_KEYS = {ord(" "), ord("s"), 13}  # space, s, Enter
REJECT_KEY = ord("r")
KEY_POLL_MS = 100
PROMPT_BGR = (0, 255, 255)
ASK_BGR = (255, 0, 255)


# --- Where a sample goes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One region of one frame: the 28x28 input the model saw, where it was, and what the model read."""

    source: str
    frame: int
    region: DigitPrediction

    @property
    def box(self) -> Box:
        return self.region.box

    @property
    def name(self) -> str:
        x, y, w, h = self.box
        return f"{self.source}-f{self.frame:06d}-x{x}y{y}w{w}h{h}.png"


def source_name(spec: str) -> str:
    """A file-name-safe name of a source: `camera0`, `picamera`, `stream`, or a file's stem."""
    if is_camera_index(spec):
        name = f"camera{spec}"
    elif spec == PICAMERA:
        name = spec
    elif is_stream_url(spec):
        name = "stream"
    else:
        name = Path(spec).stem
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name).strip("._") or "source"


def save_sample(root: Path, label: str, sample: Sample) -> Path:
    """Write `sample`'s 28x28 input as a grey PNG into `root/label/` (atomically, making the folders
    it needs); its path."""
    with output_folder(Path(root) / label) as folder:
        path = folder / sample.name
        atomic_write_bytes(path, cv2.imencode(".png", sample.region.pixels)[1].tobytes())
    return path


# --- How a region gets its label -------------------------------------------------------------------

QUIT = object()  # a chooser's answer that ends the collection
Choice = str | None | object  # a label, None (skip), or QUIT
Chooser = Callable[[np.ndarray, Sample], Choice]


@dataclass(frozen=True)
class FixedLabel:
    """Every region the reader found, accepted or rejected, gets `label` (the user wrote only that
    digit; a new writing style is exactly what the model may reject)."""

    label: str

    def __call__(self, frame: np.ndarray, sample: Sample) -> Choice:
        return self.label


@dataclass(frozen=True)
class AutoLabel:
    """Accepted digits whose confidence reaches `min_confidence` get the model's label; the rest are
    skipped, and offered again in the next frame (a clearer view may follow)."""

    min_confidence: float = DEFAULT_AUTO_CONFIDENCE
    retry_skipped = True

    def __call__(self, frame: np.ndarray, sample: Sample) -> Choice:
        region = sample.region
        return region.label if not region.rejected and region.confidence >= self.min_confidence else None


@dataclass(frozen=True)
class KeyAction:
    """What a key press means while a region waits for its label: `label`, `skip`, `quit` or `none`."""

    kind: str
    label: str | None = None


def key_action(key: int, labels: Iterable[str]) -> KeyAction:
    """The meaning of `key` (as `cv2.waitKey` returns it): a digit key labels the region with that
    digit, `r` with `reject` (only when the model has that label), space/s/Enter skips, q/Esc quits;
    anything else (and -1, no key) means nothing."""
    key = key & 0xFF if key >= 0 else key
    labels = list(labels)
    if key in QUIT_KEYS:
        return KeyAction("quit")
    if key in SKIP_KEYS:
        return KeyAction("skip")
    if 0 <= key < 256 and chr(key) in labels:
        return KeyAction("label", chr(key))
    if key == REJECT_KEY and REJECT_LABEL in labels:
        return KeyAction("label", REJECT_LABEL)
    return KeyAction("none")


class LabelWindow(Preview):
    """The OpenCV window in which a person labels each region: the frame with the region outlined and
    its 28x28 input enlarged in the corner. `imshow`, `wait_key` and `visible` are OpenCV's unless a
    test gives fakes (then no window is opened)."""

    def __init__(
        self,
        title: str,
        labels: list[str],
        imshow: Callable[[str, np.ndarray], None] | None = None,
        wait_key: Callable[[int], int] | None = None,
        visible: Callable[[str], bool] | None = None,
    ) -> None:
        self.title, self.labels, self.quit = title, list(labels), False
        if imshow is None:
            super().__init__(title, hint="use --label or --auto")
        self._imshow = imshow or cv2.imshow
        self._wait_key = wait_key or cv2.waitKey
        self._visible = visible or (lambda t: cv2.getWindowProperty(t, cv2.WND_PROP_VISIBLE) >= 1)

    def __call__(self, frame: np.ndarray, sample: Sample) -> Choice:
        self._imshow(self.title, ask_image(frame, sample, self.labels))
        while True:
            action = key_action(self._wait_key(KEY_POLL_MS), self.labels)
            if action.kind == "label":
                return action.label
            if action.kind == "skip":
                return None
            if action.kind == "quit" or not self._visible(self.title):
                self.quit = True
                return QUIT

    def show(self, frame: np.ndarray) -> bool:
        """Between frames: show the frame as read; False once the person quit."""
        if self.quit:
            return False
        self._imshow(self.title, frame)
        key = self._wait_key(1)
        self.quit = key_action(key, self.labels).kind == "quit" or not self._visible(self.title)
        return not self.quit

    def close(self) -> None:
        if self._imshow is cv2.imshow:
            super().close()


def ask_image(frame: np.ndarray, sample: Sample, labels: list[str]) -> np.ndarray:
    """A copy of `frame` with the region outlined, its 28x28 input enlarged at the top left, the
    model's guess and the keys to press."""
    image = frame.copy() if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    x, y, w, h = sample.box
    cv2.rectangle(image, (x, y), (x + w, y + h), ASK_BGR, 2)
    shortest = min(image.shape[:2])
    side = min(max(28, shortest // 4), shortest)
    inset = cv2.resize(sample.region.pixels, (side, side), interpolation=cv2.INTER_NEAREST)
    image[:side, :side] = cv2.cvtColor(inset, cv2.COLOR_GRAY2BGR)
    region = sample.region
    guess = f"model: {region.label} {region.confidence:.0%}{' (rejected)' if region.rejected else ''}"
    keys = "0-9 label" + (", r reject" if REJECT_LABEL in labels else "") + ", space skip, q quit"
    for row, text in enumerate((guess, keys)):
        origin = (side + 8, 20 + 22 * row)
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.55, PROMPT_BGR, 1, cv2.LINE_AA)
    return image


# --- What is new in a frame ------------------------------------------------------------------------


def crop_change(a: np.ndarray, b: np.ndarray, max_shift: int = MAX_SHIFT) -> float:
    """How much two 28x28 inputs differ: their mean absolute difference (0-1, of 0-255 pixels), the
    least over shifts of up to `max_shift` pixels each way (camera shake, re-centring)."""
    a, b = a.astype(np.float32) / 255, b.astype(np.float32) / 255
    shifts = range(-max_shift, max_shift + 1)
    return min(float(np.abs(np.roll(a, (dy, dx), (0, 1)) - b).mean()) for dy in shifts for dx in shifts)


def box_overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0: apart, 1: the same)."""
    inter = shared_area(a, b)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


@dataclass
class _Seen:
    box: Box
    pixels: np.ndarray
    last_frame: int


class ChangeFilter:
    """Remembers the regions offered in recent frames: a region is new unless one at the same place
    (boxes overlapping by `SAME_PLACE_OVERLAP`), seen within `recent_frames` frames, has a 28x28 input
    that differs from it by less than `min_change` (`crop_change`). A match counts as seen again, so a
    digit held still stays one sample however long it is held; the comparison is with what was
    offered, so a slow drift is offered again once it adds up."""

    def __init__(self, min_change: float = DEFAULT_MIN_CHANGE, recent_frames: int = RECENT_FRAMES) -> None:
        self.min_change, self.recent_frames = min_change, recent_frames
        self._seen: list[_Seen] = []

    def is_new(self, sample: Sample) -> bool:
        """False when a recent region at the same place looks the same (it is then seen again)."""
        self._seen = [s for s in self._seen if sample.frame - s.last_frame <= self.recent_frames]
        for seen in self._seen:
            if (
                box_overlap(seen.box, sample.box) >= SAME_PLACE_OVERLAP
                and crop_change(seen.pixels, sample.region.pixels) < self.min_change
            ):
                seen.last_frame = sample.frame
                return False
        return True

    def remember(self, sample: Sample) -> None:
        """Remember an offered region."""
        self._seen.append(_Seen(sample.box, sample.region.pixels, sample.frame))


# --- The collection --------------------------------------------------------------------------------


@dataclass
class CollectSummary:
    """What a collection did: frames read, samples saved per label, regions skipped, regions left out
    as unchanged, how it ended ("ended", "max-frames", "quit"), and the contact sheets written."""

    frames: int = 0
    saved: Counter = field(default_factory=Counter)
    skipped: int = 0
    unchanged: int = 0
    stopped_by: str = "ended"
    sheets: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


class Collector:
    """Offers each region of each reading to `choose` and saves the chosen ones under `root`: the
    accepted digits, and the regions the model rejected too when `rejected_too` (a person or a fixed
    label decides what they are; `--auto` cannot). With a `changes` filter, a region that has not
    changed since it was last offered is left out before anyone is asked."""

    def __init__(
        self,
        root: Path,
        labels: list[str],
        choose: Chooser,
        rejected_too: bool = True,
        changes: ChangeFilter | None = None,
    ) -> None:
        self.root, self.labels, self.choose = check_folder(root), list(labels), choose  # made by a save
        self.rejected_too, self.changes = rejected_too, changes
        self.summary = CollectSummary()

    def add(self, frame: np.ndarray, reading: Reading, source: str, index: int) -> bool:
        """Label and save the regions of one reading; False once the chooser said quit."""
        regions = reading.digits + (reading.rejected if self.rejected_too else [])
        for region in regions:
            sample = Sample(source, index, region)
            if self.changes is not None and not self.changes.is_new(sample):
                self.summary.unchanged += 1
                continue
            label = self.choose(frame, sample)
            if label is QUIT:
                self.summary.stopped_by = "quit"
                return False
            retry = label is None and getattr(self.choose, "retry_skipped", False)
            if self.changes is not None and not retry:
                self.changes.remember(sample)
            if label is None:
                self.summary.skipped += 1
                continue
            if label not in self.labels:
                raise EdgeError(f"label {label!r} is not one of the model's: {', '.join(self.labels)}")
            self.summary.files.append(save_sample(self.root, label, sample))
            self.summary.saved[label] += 1
        return True

    def finish(self) -> CollectSummary:
        """Rewrite the contact sheets of the labels that gained samples; the summary."""
        self.summary.sheets = write_contact_sheets(self.root, sorted(self.summary.saved))
        return self.summary


def collect_images(
    model: DigitModel,
    paths: list[Path],
    collector: Collector,
    settings: LiveSettings,
    policy: ReadingPolicy,
    max_pixels: int,
    on_error: Callable[[str], None],
) -> CollectSummary:
    """Read each image file (frame 0 of a source named after the file) into `collector`; a file that
    cannot be read goes to `on_error` and the others are still read."""
    for path in paths:
        try:
            image = read_image(path, max_pixels)
        except EdgeError as exc:
            on_error(str(exc))
            continue
        reading = read_digits(model, image, policy, roi=settings.roi, top_k=settings.top_k)
        collector.summary.frames += 1
        if not collector.add(image, reading, source_name(str(path)), 0):
            break
    return collector.finish()


def collect_live(
    model: DigitModel,
    source: FrameSource,
    name: str,
    collector: Collector,
    settings: LiveSettings,
    policy: ReadingPolicy,
    every: int = 1,
    window: LabelWindow | None = None,
    on_frame: Callable[[int, CollectSummary], None] | None = None,
) -> CollectSummary:
    """Run the live loop (`webcam.run`) on `source`, offering every `every`-th frame's regions to
    `collector`; `window` (interactive labelling) also shows the frames between questions;
    `on_frame(frames read, summary so far)` follows the progress."""
    stopped = []

    def report(result: FrameResult) -> None:
        if (result.index - 1) % every == 0 and not stopped:
            if not collector.add(result.frame.copy(), result.reading, name, result.index):
                stopped.append(True)
        if on_frame is not None:
            on_frame(result.index, collector.summary)

    preview = window if window is not None else _StopWhen(stopped)
    summary = run(model, source, settings, report, lambda: policy, preview)
    collector.summary.frames = summary.frames
    if not stopped:
        collector.summary.stopped_by = summary.stopped_by
    return collector.finish()


class _StopWhen:
    """A preview that shows nothing and stops the loop once `flag` is set (no window)."""

    def __init__(self, flag: list) -> None:
        self.flag = flag

    def show(self, frame: np.ndarray) -> bool:
        return not self.flag


# --- Contact sheets, moving and deleting ------------------------------------------------------------


def samples_of(root: Path, label: str) -> list[Path]:
    """The samples of `label` in `root`, in file-name order (the contact sheet's order)."""
    folder = Path(root) / label
    return sorted(p for p in folder.glob("*.png") if p.is_file()) if folder.is_dir() else []


def contact_sheet(images: list[np.ndarray], columns: int = SHEET_COLUMNS) -> np.ndarray:
    """The 28x28 images in a grid, each enlarged `TILE_SCALE` times with its number (from 1) below."""
    tile, cell_h = 28 * TILE_SCALE, 28 * TILE_SCALE + TILE_GAP
    columns = max(1, min(columns, len(images)))
    rows = max(1, -(-len(images) // columns))
    sheet = np.full((rows * cell_h, columns * (tile + 2)), 64, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        y, x = r * cell_h, c * (tile + 2)
        sheet[y : y + tile, x : x + tile] = cv2.resize(image, (tile, tile), interpolation=cv2.INTER_NEAREST)
        cv2.putText(sheet, str(i + 1), (x + 2, y + cell_h - 2), cv2.FONT_HERSHEY_PLAIN, 0.7, 255, 1)
    return sheet


def write_contact_sheets(root: Path, labels: Iterable[str] | None = None) -> list[Path]:
    """Rewrite `root/contact_<label>.png` for `labels` (default: every label folder); a label with no
    sample left loses its sheet. Returns the sheets written."""
    root = Path(root)
    labels = [d.name for d in sorted(root.iterdir()) if d.is_dir()] if labels is None else list(labels)
    written = []
    for label in labels:
        sheet_path = root / f"{CONTACT_PREFIX}{label}.png"
        images = [_read_sample(p) for p in samples_of(root, label)]
        images = [i for i in images if i is not None]
        if not images:
            if sheet_path.exists():
                _remove(sheet_path)
            continue
        atomic_write_bytes(sheet_path, cv2.imencode(".png", contact_sheet(images))[1].tobytes())
        written.append(sheet_path)
    return written


def _read_sample(path: Path) -> np.ndarray | None:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return image if image is not None and image.shape == (28, 28) else None


def sample_numbered(folder: Path, number: int) -> Path:
    """The sample numbered `number` (from 1) on the contact sheet of the label folder `folder`."""
    folder = Path(folder)
    if folder.name not in DATASET_LABELS or not folder.is_dir():
        raise EdgeError(f"{folder}: not a label folder of a collection (expected DIR/<0-9 or reject>)")
    samples = samples_of(folder.parent, folder.name)
    if not 1 <= number <= len(samples):
        raise EdgeError(f"{folder} has {len(samples)} samples: no number {number} on its contact sheet")
    return samples[number - 1]


def sample_label(path: Path) -> tuple[Path, str]:
    """(dataset folder, label) of a collected sample at `path`; EdgeError if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise EdgeError(f"{path}: no such file")
    label = path.parent.name
    if label not in DATASET_LABELS or path.suffix.lower() != ".png":
        raise EdgeError(f"{path}: not a collected sample (expected DIR/<0-9 or reject>/NAME.png)")
    return path.parent.parent, label


def move_sample(path: Path, label: str) -> Path:
    """Move a collected sample to another label's folder (same name) and rewrite both contact sheets;
    its new path."""
    if label not in DATASET_LABELS:
        raise EdgeError(f"label {label!r} is not one of {', '.join(DATASET_LABELS)}")
    root, old = sample_label(path)
    if old == label:
        return Path(path)
    with output_folder(root / label) as folder:
        target = folder / Path(path).name
        try:
            os.replace(path, target)
        except OSError as exc:
            raise write_error(target, exc) from None
    write_contact_sheets(root, [old, label])
    return target


def delete_sample(path: Path) -> None:
    """Delete a collected sample and rewrite its label's contact sheet."""
    root, label = sample_label(path)
    _remove(Path(path))
    write_contact_sheets(root, [label])


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError as exc:
        raise EdgeError(f"cannot delete {path} ({exc.strerror or exc})") from None
