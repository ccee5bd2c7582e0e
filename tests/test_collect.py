"""`edge collect` and `edge relabel`: keys, the window (faked), headless from a video and from photos,
the dataset layout, contact sheets, moving and deleting. The committed int8 model; no TensorFlow."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app
from edge_runtime.collect import (
    QUIT,
    AutoLabel,
    Collector,
    LabelWindow,
    collect_images,
    key_action,
    source_name,
    write_contact_sheets,
)
from edge_runtime.interpreter import DigitModel
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit, paper_photo, video_frames, write_image, write_video
from edge_runtime.webcam import LiveSettings
from ground.contract import LABELS

FIXTURE = PACKAGED_MODEL
NAME = re.compile(r"^(?P<source>.+)-f(?P<frame>\d{6})-x\d+y\d+w\d+h\d+\.png$")


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> list[Path]:
    """Three photos of one drawn digit each: 7, 2, 5."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(1)
    return [write_image(folder / f"p{d}.png", paper_photo([drawn_digit(d, rng)], rng)) for d in (7, 2, 5)]


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_keys_label_skip_and_quit():
    labels = list(LABELS)
    assert key_action(ord("7"), labels).label == "7"
    assert key_action(ord("7") | 0x100000, labels).label == "7"  # waitKey's modifier bits
    assert key_action(ord(" "), labels).kind == "skip"
    assert key_action(ord("s"), labels).kind == "skip"
    assert key_action(ord("q"), labels).kind == "quit"
    assert key_action(27, labels).kind == "quit"
    assert key_action(-1, labels).kind == "none"  # no key within the poll
    assert key_action(ord("x"), labels).kind == "none"
    assert key_action(ord("r"), labels).kind == "none"  # no reject output: r means nothing
    assert key_action(ord("r"), [*labels, "reject"]).label == "reject"


def test_the_window_labels_skips_and_quits(photos, tmp_path):
    """Keys pressed in a faked window: 7 labels the first photo's digit, no key then space skips the
    second, q quits before the third."""
    keys = iter([ord("7"), -1, ord(" "), ord("q")])
    shown = []
    window = LabelWindow(
        "test",
        list(LABELS),
        imshow=lambda t, i: shown.append(i),
        wait_key=lambda ms: next(keys),
        visible=lambda t: True,
    )
    collector = Collector(tmp_path / "mine", list(LABELS), window)
    summary = collect_images(DigitModel(FIXTURE), photos, collector, LiveSettings(), 10**8, print)
    assert summary.stopped_by == "quit" and summary.frames == 3
    assert dict(summary.saved) == {"7": 1} and summary.skipped == 1
    (saved,) = (tmp_path / "mine" / "7").iterdir()
    assert NAME.match(saved.name)["source"] == "p7"
    assert cv2.imread(str(saved), cv2.IMREAD_GRAYSCALE).shape == (28, 28)
    assert (tmp_path / "mine" / "contact_7.png").is_file()
    assert shown and shown[0].ndim == 3  # the frame, with the region and its input drawn on it


def test_a_closed_window_ends_the_collection(photos, tmp_path):
    window = LabelWindow(
        "test", list(LABELS), imshow=lambda t, i: None, wait_key=lambda ms: -1, visible=lambda t: False
    )
    collector = Collector(tmp_path / "mine", list(LABELS), window)
    assert collector.add(np.zeros((10, 10, 3), np.uint8), _reading(photos[0]), "x", 0) is False
    assert window.show(np.zeros((10, 10, 3), np.uint8)) is False


def _reading(path: Path):
    from edge_runtime.classify import read_digits

    return read_digits(DigitModel(FIXTURE), cv2.imread(str(path)))


def test_headless_label_from_a_video_makes_the_layout_and_a_contact_sheet(tmp_path):
    rng = np.random.default_rng(0)
    video = write_video(tmp_path / "clip.avi", video_frames([[drawn_digit(3, rng)]], rng, 6))
    result = invoke(
        "collect", "-m", FIXTURE, tmp_path / "mine", "--source", video, "--label", "3", "--every", "2"
    )
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "mine" / "3").iterdir())
    assert len(files) >= 3  # frames 1, 3 and 5 (at least one region each)
    assert {NAME.match(f.name)["frame"] for f in files} == {"000001", "000003", "000005"}
    assert {NAME.match(f.name)["source"] for f in files} == {"clip"}
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["3", "contact_3.png"]
    sheet = cv2.imread(str(tmp_path / "mine" / "contact_3.png"), cv2.IMREAD_GRAYSCALE)
    assert sheet.shape[0] >= 56 and sheet.shape[1] >= 56 * len(files)
    assert "samples saved" in result.stdout


def test_auto_keeps_the_confident_digits_under_the_models_label(photos, tmp_path):
    result = invoke("collect", "-m", FIXTURE, tmp_path / "mine", *photos, "--auto", "--min-confidence", "0.5")
    assert result.exit_code == 0, result.output
    saved = {p.parent.name: p.name for p in (tmp_path / "mine").glob("*/*.png")}
    assert saved == {"7": saved["7"], "2": saved["2"], "5": saved["5"]}
    none = AutoLabel(min_confidence=1.0)
    assert (
        none(np.zeros(1), type("S", (), {"region": type("R", (), {"rejected": False, "confidence": 0.9})}))
        is None
    )


def test_relabel_moves_and_deletes_by_file_name(photos, tmp_path):
    root = tmp_path / "mine"
    assert invoke("collect", "-m", FIXTURE, root, photos[0], "--label", "1").exit_code == 0
    (sample,) = (root / "1").iterdir()
    result = invoke("relabel", sample, "--label", "7")
    assert result.exit_code == 0, result.output
    assert not sample.exists() and (root / "7" / sample.name).is_file()
    assert not (root / "contact_1.png").exists() and (root / "contact_7.png").is_file()
    result = invoke("relabel", root / "7" / sample.name, "--delete")
    assert result.exit_code == 0 and not (root / "7" / sample.name).exists()
    assert not (root / "contact_7.png").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--label", "7"], "no such file"),
        (["--label", "x"], "expected one of"),
        ([], "give --label LABEL or --delete"),
    ],
)
def test_relabel_errors_are_one_line(tmp_path, args, message):
    result = invoke("relabel", tmp_path / "missing.png", *args)
    assert result.exit_code != 0 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_collect_refuses_a_label_the_model_does_not_have_and_two_modes(photos, tmp_path):
    result = invoke("collect", "-m", FIXTURE, tmp_path / "mine", photos[0], "--label", "reject")
    assert result.exit_code == 2 and "not one of the model's labels" in result.stderr
    result = invoke("collect", "-m", FIXTURE, tmp_path / "mine", photos[0], "--label", "3", "--auto")
    assert result.exit_code == 2 and "not both" in result.stderr


def test_the_window_needs_a_display(photos, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = invoke("collect", "-m", FIXTURE, tmp_path / "mine", photos[0])
    assert result.exit_code == 1 and "use --label or --auto" in result.stderr


def test_source_names_are_file_name_safe():
    assert source_name("0") == "camera0"
    assert source_name("picamera") == "picamera"
    assert source_name("rtsp://host/x") == "stream"
    assert source_name("/tmp/my clip.avi") == "my_clip"


def test_contact_sheets_skip_a_folder_without_samples(tmp_path):
    (tmp_path / "4").mkdir()
    assert write_contact_sheets(tmp_path) == []
    assert QUIT is not None
