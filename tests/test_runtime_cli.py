"""`edge classify` and `edge webcam` end to end, with the tiny exported model, on generated photos."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app
from edge_runtime.drawing import BOX_BGR, UNSURE_BGR
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.recording import VideoRecorder
from edge_runtime.samples import (
    drawn_digit,
    paper_photo,
    video_frames,
    write_image,
    write_sample_set,
    write_video,
)
from edge_runtime.sources import open_source
from ground.errors import EdgeError

EDGE = Path(sys.executable).parent / "edge"
FIXTURE = PACKAGED_MODEL
ISO_LOCAL_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"
PHOTOS = 40
FRAMES_PER_DIGIT = 3
# The tiny model reads ~90% of raw MNIST test digits; chance is 10%.
MIN_PHOTO_ACCURACY = 0.7
MIN_VIDEO_ACCURACY = 0.6


@pytest.fixture(scope="module")
def int8_model() -> Path:
    """The committed int8 model (no TensorFlow needed to run these tests)."""
    return FIXTURE


@pytest.fixture(scope="module")
def samples(full_mnist, tmp_path_factory) -> tuple[Path, dict[str, str], Path, list[str]]:
    """Photos of MNIST test digits on paper with their true labels, and a video of them with each frame's."""
    folder = tmp_path_factory.mktemp("samples")
    digits, labels = full_mnist.x_test[:PHOTOS], full_mnist.y_test[:PHOTOS]
    truth, video = write_sample_set(folder, digits, labels, np.random.default_rng(0), FRAMES_PER_DIGIT)
    return (
        folder,
        {str(p): label for p, label in truth.items()},
        video,
        [str(y) for y in labels for _ in range(FRAMES_PER_DIGIT)],
    )


def _blocked_tensorflow_env(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import tensorflow` (and keras) raises ImportError."""
    for name in ("tensorflow", "keras"):
        package = tmp_path / "blocked" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"raise ImportError('{name} is blocked in this test')\n")
    path = os.pathsep.join(filter(None, [str(tmp_path / "blocked"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_classify_reads_photographed_digits_well_above_chance(int8_model, samples):
    folder, truth, _, _ = samples
    result = CliRunner().invoke(app, ["classify", "-m", str(int8_model), str(folder), "--json"])
    assert result.exit_code == 0, result.output
    lines = _json_lines(result.stdout)
    assert len(lines) == PHOTOS
    accuracy = np.mean([line["number"] == truth[line["path"]] for line in lines])
    assert accuracy >= MIN_PHOTO_ACCURACY


def test_classify_text_output_top_k_and_unsure_marks(int8_model, samples, tmp_path):
    folder, truth, _, _ = samples
    blank = write_image(tmp_path / "blank.png", paper_photo([], np.random.default_rng(3)))
    one = sorted(truth)[0]
    result = CliRunner().invoke(
        app, ["classify", "-m", str(int8_model), one, str(blank), "--top-k", "2", "--min-confidence", "1.0"]
    )
    assert result.exit_code == 0
    first, second = result.stdout.splitlines()
    assert first.startswith(f"{one}: ") and "top-2: " in first and first.endswith("[unsure]")
    assert len(first.split("top-2: ")[1].removesuffix("  [unsure]").split()) == 4  # two labels, two %
    assert second == f"{blank}: no digit"


def test_classify_orientation_auto_reads_a_number_written_sideways_and_says_how_it_was_turned(tmp_path):
    paths = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        photo = paper_photo([drawn_digit(d, rng) for d in (2, 7, 4)], rng, ruled=False)
        sideways = cv2.rotate(photo, cv2.ROTATE_90_CLOCKWISE)
        paths.append(str(write_image(tmp_path / f"{seed}.png", sideways)))
    assert CliRunner().invoke(app, ["classify", *paths]).stdout.count("no digit") == 3  # packaged model
    result = CliRunner().invoke(app, ["classify", *paths, "--orientation", "auto"])
    assert result.exit_code == 0
    assert all(line.split(": ")[1].startswith("274 ") for line in result.stdout.splitlines())
    assert all(line.endswith("  (turned 90°)") for line in result.stdout.splitlines())
    as_json = CliRunner().invoke(app, ["classify", paths[0], "--json", "--orientation", "auto"])
    line = json.loads(as_json.stdout)
    assert (line["number"], line["turned"]) == ("274", 90)
    assert line["digits"][0]["box"][2] > line["digits"][0]["box"][3]  # the image's box: a 2 lying on its side


def test_classify_saves_the_28x28_inputs_the_model_saw(int8_model, samples, tmp_path):
    folder, _, _, _ = samples
    crops = tmp_path / "crops"
    result = CliRunner().invoke(
        app, ["classify", "-m", str(int8_model), str(folder / "000*.png"), "--save-crops", str(crops)]
    )
    assert result.exit_code == 0
    saved = sorted(crops.iterdir())
    assert len(saved) == 5  # 0000, 0002, 0004, 0006, 0008
    assert all(cv2.imread(str(p), cv2.IMREAD_UNCHANGED).shape == (28, 28) for p in saved)


def test_webcam_headless_json_reads_a_video_well_above_chance(int8_model, samples):
    _, _, path, truth = samples
    result = CliRunner().invoke(
        app,
        ["webcam", "-m", str(int8_model), "--source", str(path), "--headless", "--json", "--smooth", "1"]
        + ["--every-frame"],
    )
    assert result.exit_code == 0, result.output
    lines = _json_lines(result.stdout)
    assert [line["frame"] for line in lines] == list(range(1, len(truth) + 1))
    accuracy = np.mean([line["number"] == label for line, label in zip(lines, truth, strict=True)])
    assert accuracy >= MIN_VIDEO_ACCURACY
    assert lines[-1]["fps"] > 0
    assert all(re.fullmatch(ISO_LOCAL_TIME, line["time"]) for line in lines)
    assert result.stderr.strip() == f"end of video {path} after {len(truth)} frames"


def test_webcam_headless_text_with_max_frames_and_roi(int8_model, samples):
    _, _, path, _ = samples
    args = ["webcam", "-m", str(int8_model), "--source", str(path), "--headless", "--max-frames", "2"]
    result = CliRunner().invoke(app, [*args, "--roi", "0,0,40,40", "--every-frame"])  # a corner, no digit
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert re.match(ISO_LOCAL_TIME + r" frame 1 at 0\.000 s: no digit  smoothed: -  ", lines[0]), lines[0]


def test_webcam_headless_prints_only_when_the_smoothed_reading_changes(int8_model, samples):
    _, _, path, truth = samples
    args = ["webcam", "-m", str(int8_model), "--source", str(path), "--headless", "--json", "--smooth", "1"]
    every = _json_lines(CliRunner().invoke(app, [*args, "--every-frame"]).stdout)
    changes = _json_lines(CliRunner().invoke(app, args).stdout)
    assert len(every) == len(truth)
    expected = [
        line for i, line in enumerate(every) if i == 0 or line["smoothed"] != every[i - 1]["smoothed"]
    ]
    assert [line["frame"] for line in changes] == [line["frame"] for line in expected]
    assert len(changes) < len(every)
    stable = {key for key in every[0] if key not in ("fps", "time")}
    assert [{k: line[k] for k in stable} for line in changes] == [
        {k: line[k] for k in stable} for line in expected
    ]
    text = CliRunner().invoke(app, [a for a in args if a != "--json"]).stdout.splitlines()
    assert [int(line.split()[2].rstrip(":")) for line in text] == [line["frame"] for line in expected]


def test_webcam_json_keeps_its_fields_and_adds_the_time(int8_model, samples):
    _, _, path, _ = samples
    args = [
        "webcam",
        "-m",
        str(int8_model),
        "--source",
        str(path),
        "--headless",
        "--json",
        "--max-frames",
        "1",
    ]
    (line,) = _json_lines(CliRunner().invoke(app, args).stdout)
    assert list(line) == [
        "frame", "number", "text", "groups", "confidence", "unsure", "rejected", "cut", "digits",
        "rejected_regions",
        "smoothed", "smoothed_confidence", "fps", "time", "video_time",
    ]  # fmt: skip
    assert re.fullmatch(ISO_LOCAL_TIME, line["time"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--source", "/no/such.avi", "--headless"],
            "error: no such camera, video file or stream: /no/such.avi",
        ),
        (["--source", "98", "--headless"], "error: cannot open camera 98 (is it connected"),
        (["--source", "²", "--headless"], "error: no such camera, video file or stream: ²"),  # isdigit()
        (["--source", "0", "--roi", "1,2,3"], "expected four integers x,y,width,height"),
    ],
)
def test_webcam_fails_cleanly(int8_model, args, message):
    result = CliRunner().invoke(app, ["webcam", "-m", str(int8_model), *args])
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_camera_that_stops_sending_frames_gives_a_clean_error(int8_model, monkeypatch):
    from edge_runtime.cli import runtime_commands
    from edge_runtime.sources import FrameSource

    class DroppingCamera(FrameSource):
        description, live = "camera 0", True
        frames = [paper_photo([], np.random.default_rng(5))] * 2

        def read(self):
            return self.frames.pop() if self.frames else None

        def release(self):
            self.released = True

    camera = DroppingCamera()
    monkeypatch.setattr(runtime_commands, "open_source", lambda *args: camera)
    result = CliRunner().invoke(app, ["webcam", "-m", str(int8_model), "--headless", "--every-frame"])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr.strip() == "error: camera 0 stopped sending frames after 2 of them (disconnected?)"
    assert camera.released


def test_webcam_without_a_display_asks_for_headless(int8_model, samples):
    _, _, path, _ = samples
    result = CliRunner(env={"DISPLAY": "", "WAYLAND_DISPLAY": ""}).invoke(
        app, ["webcam", "-m", str(int8_model), "--source", str(path)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no display to show the video on: use --headless"


def test_classify_and_webcam_work_where_tensorflow_cannot_be_imported(int8_model, samples, tmp_path):
    env = _blocked_tensorflow_env(tmp_path)
    probe = subprocess.run(
        [sys.executable, "-c", "import tensorflow"], env=env, capture_output=True, text=True
    )
    assert "tensorflow is blocked in this test" in probe.stderr
    _, truth, video, _ = samples
    one = sorted(truth)[0]
    classify = subprocess.run(
        [EDGE, "classify", "-m", int8_model, one, "--json"], env=env, capture_output=True, text=True
    )
    assert classify.returncode == 0, classify.stderr
    assert json.loads(classify.stdout)["number"] is not None
    webcam = subprocess.run(
        [EDGE, "webcam", "-m", int8_model, "--source", video, "--headless", "--json", "--max-frames", "3"]
        + ["--every-frame"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert webcam.returncode == 0, webcam.stderr
    assert len(_json_lines(webcam.stdout)) == 3


def test_ctrl_c_stops_the_webcam_cleanly(int8_model, tmp_path):
    rng = np.random.default_rng(2)
    frames = video_frames([[np.zeros((28, 28), np.uint8)]], rng, frames_per_number=400, size=(160, 120))
    clip = write_video(tmp_path / "long.avi", frames)
    process = subprocess.Popen(
        [EDGE, "webcam", "-m", int8_model, "--source", clip, "--headless"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a suite started in the background by a shell inherits an ignored SIGINT: give Ctrl-C back
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert " frame 1 at 0.000 s: " in process.stdout.readline()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.strip().endswith("interrupted")
    assert "Traceback" not in stderr


def test_samples_writes_photos_and_a_video_without_mnist(tmp_path):
    result = CliRunner().invoke(
        app, ["samples", str(tmp_path / "out"), "--count", "4", "--frames-per-digit", "2"]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(written) == 5 and written[-1] == "digits.avi"
    assert all(cv2.imread(str(tmp_path / "out" / name)).shape == (480, 640, 3) for name in written[:4])
    with open_source(str(tmp_path / "out" / "digits.avi")) as video:
        frames = [video.read() for _ in range(9)]
    assert [f is not None for f in frames] == [True] * 8 + [False]


def test_edge_samples_then_classify_reads_with_the_packaged_model_and_no_model_argument(tmp_path):
    """The quick start: no model argument, no training, no MNIST (the samples' drawn digits)."""
    runner = CliRunner()
    assert runner.invoke(app, ["samples", str(tmp_path), "--count", "10"]).exit_code == 0
    photos = sorted(p for p in tmp_path.iterdir() if p.suffix in (".png", ".jpg"))
    result = runner.invoke(app, ["classify", *map(str, photos), "--json"])
    assert result.exit_code == 0, result.output
    readings = _json_lines(result.stdout)
    right = sum(r["number"] == Path(r["path"]).stem.split("-")[1] for r in readings)
    assert len(readings) == 10 and right >= 9, readings


def test_webcam_on_a_video_file_gives_each_frame_its_position_in_the_video(int8_model, samples):
    _, _, path, truth = samples
    args = ["webcam", "-m", str(int8_model), "--source", str(path), "--headless", "--every-frame"]
    lines = _json_lines(CliRunner().invoke(app, [*args, "--json"]).stdout)
    times = [line["video_time"] for line in lines]
    assert len(times) == len(truth) and times[0] == 0.0
    assert all(later > earlier for earlier, later in zip(times, times[1:], strict=False))
    fps = cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FPS)
    assert times == pytest.approx([(line["frame"] - 1) / fps for line in lines], abs=1e-3)
    text = CliRunner().invoke(app, args).stdout.splitlines()
    assert [float(line.split(" at ")[1].split(" s:")[0]) for line in text] == pytest.approx(times, abs=1e-3)


def _small_pipe() -> tuple[int, int]:
    """A pipe that holds only one page (4 KiB), so that a writer notices a closed reader at once."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    return read_end, write_end


def _run_into_a_reader_that_stops_after_one_line(command: list[str]) -> subprocess.CompletedProcess:
    """Run `command` with its stdout piped into a reader that takes one line and closes the pipe, as
    `| head -1` does; its exit code, stderr and the line read."""
    read_end, write_end = _small_pipe()
    proc = subprocess.Popen(command, stdout=write_end, stderr=subprocess.PIPE, text=True)
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        first = reader.readline()
    _, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(command, proc.returncode, first, stderr)


def test_a_closed_stdout_ends_webcam_quietly_with_exit_0(int8_model, tmp_path):
    rng = np.random.default_rng(0)
    video = write_video(tmp_path / "v.avi", video_frames([[drawn_digit(d, rng)] for d in (1, 2, 3)], rng, 10))
    command = [sys.executable, "-m", "edge_runtime", "webcam", "-m", str(int8_model), "--source", str(video)]
    result = _run_into_a_reader_that_stops_after_one_line(
        [*command, "--headless", "--json", "--every-frame"]
    )  # 30 lines of JSON, far more than the pipe holds
    assert json.loads(result.stdout)["frame"] == 1
    assert result.returncode == 0 and result.stderr == ""


def test_a_closed_stdout_ends_classify_quietly_with_exit_0(int8_model, tmp_path):
    rng = np.random.default_rng(0)
    photos = [
        write_image(tmp_path / f"{i:02d}.png", paper_photo([drawn_digit(i % 10, rng)], rng))
        for i in range(20)
    ]
    command = [
        sys.executable,
        "-m",
        "edge_runtime",
        "classify",
        "-m",
        str(int8_model),
        *map(str, photos),
        "--json",
    ]
    result = _run_into_a_reader_that_stops_after_one_line(command)  # 20 lines of JSON: more than 4 KiB
    assert json.loads(result.stdout)["path"] == str(photos[0])
    assert result.returncode == 0 and result.stderr == ""


# --- annotated output: --save ------------------------------------------------------------------


def _box_drawn(image: np.ndarray, digit: dict, scale: int = 1) -> bool:
    """Whether the top edge of a digit's box is drawn, green (orange when unsure)."""
    x, y, w, _ = (v * scale for v in digit["box"])
    edge = image[y, x : x + w].astype(int)
    colour = UNSURE_BGR if digit["unsure"] else BOX_BGR
    return bool((np.abs(edge - colour).sum(axis=1) < 60).mean() > 0.8)


def test_classify_save_draws_each_image_with_its_boxes_and_reading(int8_model, tmp_path):
    rng = np.random.default_rng(3)
    (tmp_path / "in").mkdir()
    photo = write_image(tmp_path / "in" / "seven.jpg", paper_photo([drawn_digit(7, rng)], rng))
    crop = write_image(tmp_path / "in" / "crop.png", cv2.resize(drawn_digit(4, rng), (28, 28)))
    result = CliRunner().invoke(
        app,
        ["classify", "-m", str(int8_model), str(photo), str(crop), "--json", "--save", str(tmp_path / "out")],
    )
    assert result.exit_code == 0, result.output
    readings = _json_lines(result.stdout)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0000-seven.jpg", "0001-crop.png"]
    drawn = cv2.imread(str(tmp_path / "out" / "0000-seven.jpg"))
    assert drawn.shape == cv2.imread(str(photo)).shape
    assert _box_drawn(drawn, readings[0]["digits"][0])
    small = cv2.imread(str(tmp_path / "out" / "0001-crop.png"))
    assert small.shape == (252, 252, 3)  # 28 px enlarged 9 times, to at least 240
    assert _box_drawn(small, readings[1]["digits"][0], scale=9)


def test_webcam_save_records_the_annotated_frames_atomically(int8_model, tmp_path):
    rng = np.random.default_rng(4)
    frames = video_frames([[drawn_digit(d, rng)] for d in (3, 8)], rng, 6)
    video = write_video(tmp_path / "in.avi", frames, fps=12.0)
    out = tmp_path / "rec" / "annotated.mp4"
    args = ["webcam", "-m", str(int8_model), "--source", str(video), "--headless", "--json", "--every-frame"]
    result = CliRunner().invoke(app, [*args, "--save", str(out)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.parent.iterdir()] == ["annotated.mp4"]  # no .partial left
    recorded = cv2.VideoCapture(str(out))
    assert recorded.get(cv2.CAP_PROP_FRAME_COUNT) == len(frames) and recorded.get(cv2.CAP_PROP_FPS) == 12.0
    first = _json_lines(result.stdout)[0]
    ok, frame = recorded.read()
    assert ok and _box_drawn(frame, first["digits"][0])
    assert not _box_drawn(frames[0], first["digits"][0])  # drawn, not in the input


@pytest.mark.parametrize("ending", [None, KeyboardInterrupt, EdgeError])
def test_a_recording_appears_whole_or_not_at_all(tmp_path, ending):
    out = tmp_path / "clip.avi"
    with contextlib.suppress(KeyboardInterrupt, EdgeError), VideoRecorder(out, 10.0) as recorder:
        for _ in range(3):
            recorder.write(np.zeros((48, 64, 3), np.uint8))
        assert [p.name for p in tmp_path.iterdir()] != ["clip.avi"]  # still hidden while recording
        if ending is not None:
            raise ending("stopped")
    kept = ending is not EdgeError  # Ctrl-C ends a camera run: what was recorded is kept
    assert [p.name for p in tmp_path.iterdir()] == (["clip.avi"] if kept else [])


def test_webcam_save_refuses_a_format_it_cannot_write(int8_model):
    result = CliRunner().invoke(app, ["webcam", "-m", str(int8_model), "--save", "out.mkv", "--headless"])
    assert result.exit_code == 2 and "--save" in result.stderr and ".mp4" in result.stderr
