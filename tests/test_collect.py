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
    RECENT_FRAMES,
    AutoLabel,
    ChangeFilter,
    Collector,
    LabelWindow,
    Sample,
    box_overlap,
    collect_images,
    crop_change,
    key_action,
    samples_of,
    source_name,
    write_contact_sheets,
)
from edge_runtime.interpreter import DigitModel
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.reading import DigitPrediction, ReadingPolicy, read_digits
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
    model = DigitModel(FIXTURE)
    policy = ReadingPolicy.for_model(model)
    summary = collect_images(model, photos, collector, LiveSettings(), policy, 10**8, print)
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
    return read_digits(DigitModel(FIXTURE), cv2.imread(str(path)))


def test_headless_label_from_a_video_makes_the_layout_and_a_contact_sheet(tmp_path):
    rng = np.random.default_rng(0)
    video = write_video(tmp_path / "clip.avi", video_frames([[drawn_digit(3, rng)]], rng, 6))
    args = ["--source", video, "--label", "3", "--every", "2", "--min-change", "0"]  # every region
    result = invoke("collect", "-m", FIXTURE, tmp_path / "mine", *args)
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


@pytest.mark.parametrize("source", ["0", "clip.mp4"])  # the default camera too, when named
def test_collect_refuses_image_paths_and_a_source(photos, tmp_path, source):
    result = invoke(
        "collect", "-m", FIXTURE, tmp_path / "mine", photos[0], "--source", source, "--label", "3"
    )
    assert result.exit_code == 2 and "give image PATHS or --source, not both" in result.stderr
    assert not (tmp_path / "mine").exists()


def test_a_superscript_digit_is_no_camera_index(tmp_path):
    """`²` passes str.isdigit() but is no number: a name, which names no file (one line, no traceback)."""
    result = invoke("collect", "-m", FIXTURE, tmp_path / "mine", "--source", "²", "--label", "3")
    assert result.exit_code == 1
    assert result.stderr == "error: no such camera, video file or stream: ²\n"


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
    assert source_name("²") == "source"  # not camera²: a superscript is no camera index


def test_contact_sheets_skip_a_folder_without_samples(tmp_path):
    (tmp_path / "4").mkdir()
    assert write_contact_sheets(tmp_path) == []


# --- only what changed is offered -------------------------------------------------------------


def _sample(frame: int, pixels: np.ndarray, box=(10, 10, 20, 30)) -> Sample:
    return Sample("clip", frame, DigitPrediction(box, "7", 0.9, [("7", 0.9)], pixels))


def test_crop_change_forgives_a_small_shift_but_not_another_digit():
    rng = np.random.default_rng(0)
    seven, two = (cv2.resize(drawn_digit(d, rng), (28, 28)) for d in (7, 2))
    assert crop_change(seven, seven) == 0.0
    assert crop_change(seven, np.roll(seven, (2, -1), (0, 1))) == 0.0
    assert crop_change(seven, two) > 0.1
    assert box_overlap((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert box_overlap((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert box_overlap((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0


def test_the_change_filter_remembers_what_was_offered_at_the_same_place():
    rng = np.random.default_rng(0)
    seven, two = (cv2.resize(drawn_digit(d, rng), (28, 28)) for d in (7, 2))
    changes = ChangeFilter(0.05)
    changes.remember(_sample(1, seven))
    assert not changes.is_new(_sample(2, seven))  # held still
    assert changes.is_new(_sample(3, two))  # another digit written in its place
    assert changes.is_new(_sample(4, seven, box=(200, 10, 20, 30)))  # the same digit elsewhere
    assert not changes.is_new(_sample(2 + RECENT_FRAMES, seven))  # seen at frame 2: still recent
    assert changes.is_new(_sample(3 + 2 * RECENT_FRAMES, seven))  # out of sight for too long


def test_collect_from_a_still_video_saves_each_digit_once(tmp_path):
    rng = np.random.default_rng(0)
    digits = list(range(1, 10))
    frames = video_frames([[drawn_digit(d, rng)] for d in digits], rng, 10)  # shaken, new noise each frame
    video = write_video(tmp_path / "still.avi", frames)
    result = invoke("collect", "-m", FIXTURE, tmp_path / "once", "--source", video, "--label", "5")
    assert result.exit_code == 0, result.output
    saved = samples_of(tmp_path / "once", "5")
    assert len(saved) == len(digits)
    assert sorted({(int(NAME.match(p.name)["frame"]) - 1) // 10 for p in saved}) == list(range(9))
    assert "9 samples saved" in result.stdout and "81 unchanged" in result.stdout
    assert result.stderr.splitlines()[0] == "frame 1 of 90 (1%): 1 saved, 0 unchanged"  # progress
    every = invoke(
        "collect", "-m", FIXTURE, tmp_path / "all", "--source", video, "--label", "5", "--min-change", "0"
    )
    assert every.exit_code == 0 and len(samples_of(tmp_path / "all", "5")) == len(frames)


def test_relabel_by_the_number_on_the_contact_sheet(photos, tmp_path):
    root = tmp_path / "mine"
    assert invoke("collect", "-m", FIXTURE, root, *photos, "--label", "1").exit_code == 0
    before = samples_of(root, "1")
    result = invoke("relabel", root / "1", "--index", "3", "--index", "1", "--label", "8")
    assert result.exit_code == 0, result.output
    assert samples_of(root, "8") == [root / "8" / before[0].name, root / "8" / before[2].name]
    assert samples_of(root, "1") == before[1:2]
    assert (root / "contact_8.png").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["1", "--index", "9", "--label", "8"], "has 1 samples: no number 9"),
        (["1", "--label", "8"], "needs --index"),
        (["contact_1.png", "--index", "1", "--label", "8"], "one label folder"),
    ],
)
def test_relabel_by_number_errors_are_one_line(photos, tmp_path, args, message):
    root = tmp_path / "mine"
    assert invoke("collect", "-m", FIXTURE, root, photos[0], "--label", "1").exit_code == 0
    result = invoke("relabel", root / args[0], *args[1:])
    assert result.exit_code in (1, 2) and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
