"""The live loop's parts: frame sources, smoothing, FPS, and the loop itself on a fake camera."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from edge_runtime.drawing import BOX_BGR, draw_reading
from edge_runtime.reading import ReadingPolicy
from edge_runtime.samples import FRAME_SIZE, drawn_digit, paper_photo, video_frames, write_video
from edge_runtime.smoothing import FpsMeter, ReadingSmoother
from edge_runtime.sources import FrameSource, OpenCVSource, open_source
from edge_runtime.webcam import LiveSettings, run
from ground.errors import EdgeError


class ListSource(FrameSource):
    """A camera that shows a fixed list of frames, then raises `then` (or ends)."""

    description, live = "test camera", True

    def __init__(self, frames: list[np.ndarray], then: type[BaseException] | None = None) -> None:
        self.frames, self.then, self.released = list(frames), then, 0

    def read(self) -> np.ndarray | None:
        if self.frames:
            return self.frames.pop(0)
        if self.then is not None:
            raise self.then()
        return None

    def release(self) -> None:
        self.released += 1


class ConstantModel:
    """Stands in for DigitModel: always 90% sure of the digit 4."""

    labels = [str(d) for d in range(10)]
    accept_threshold = 0.5
    line_reader = None

    def predict(self, images: np.ndarray) -> np.ndarray:
        probabilities = np.full((len(images), 10), 0.1 / 9, np.float32)
        probabilities[:, 4] = 0.9
        return probabilities


def policy() -> ReadingPolicy:
    """The reading policy of `ConstantModel` (the live loop asks for it every frame)."""
    return ReadingPolicy.for_model(ConstantModel())


def test_smoother_shows_the_most_frequent_recent_reading():
    smoother = ReadingSmoother(window=5)
    assert smoother.update("12", 0.9) == ("12", 0.9)
    assert smoother.update("17", 0.5)[0] == "17"  # a tie goes to the latest
    assert smoother.update("12", 0.7) == ("12", pytest.approx(0.8))
    assert smoother.update(None, 0.0)[0] == "12"  # one empty frame does not clear the display
    assert smoother.update(None, 0.0)[0] is None  # empty frames now tie and are the latest


def test_fps_is_averaged_over_the_last_frames():
    times = iter([0.0, 0.1, 0.2, 0.3, 1.3])
    meter = FpsMeter(window=3, clock=lambda: next(times))
    assert meter.tick() == 0.0
    assert meter.tick() == pytest.approx(10.0)
    assert meter.tick() == pytest.approx(10.0)
    assert meter.tick() == pytest.approx(10.0)
    assert meter.tick() == pytest.approx(3 / 1.2)  # the slow frame is averaged with the two before


def test_the_loop_reports_every_frame_and_stops_when_the_source_ends():
    rng = np.random.default_rng(0)
    frames = [paper_photo([drawn_digit(d, rng)], rng) for d in (1, 2, 3)] + [paper_photo([], rng)]
    reported = []
    summary = run(ConstantModel(), ListSource(frames), LiveSettings(smooth=1), reported.append, policy)
    assert (summary.frames, summary.stopped_by) == (4, "ended")
    assert [r.index for r in reported] == [1, 2, 3, 4]
    assert [r.reading.number for r in reported] == ["4", "4", "4", None]
    assert reported[0].to_json()["digits"][0]["digit"] == "4"


def test_the_loop_stops_after_max_frames():
    frames = [np.full((120, 160, 3), 255, np.uint8)] * 5
    summary = run(ConstantModel(), ListSource(frames), LiveSettings(max_frames=2), lambda r: None, policy)
    assert (summary.frames, summary.stopped_by) == (2, "max-frames")


def test_ctrl_c_releases_the_camera():
    source = ListSource([np.full((120, 160, 3), 255, np.uint8)], then=KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt), source:
        run(ConstantModel(), source, LiveSettings(), lambda r: None, policy)
    assert source.released == 1


def test_a_video_file_is_a_source_that_ends(tmp_path):
    rng = np.random.default_rng(0)
    path = write_video(tmp_path / "clip.avi", video_frames([[drawn_digit(5, rng)]], rng, frames_per_number=3))
    with open_source(str(path)) as source:
        frames = [source.read() for _ in range(4)]
    assert not source.live
    assert [f.shape for f in frames[:3]] == [(FRAME_SIZE[1], FRAME_SIZE[0], 3)] * 3
    assert frames[3] is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/no/such/clip.avi", "no such camera, video file or stream: /no/such/clip.avi"),
        ("99", "cannot open camera 99 (is it connected and not used by another program?)"),
    ],
)
def test_a_source_that_cannot_be_opened_says_so(spec, message):
    with pytest.raises(EdgeError) as error:
        OpenCVSource(spec)
    assert str(error.value) == message


def test_a_file_that_is_not_a_video_cannot_be_opened(tmp_path):
    path = tmp_path / "clip.avi"
    path.write_text("not a video")
    with pytest.raises(EdgeError, match=f"cannot open video {path}$"):
        OpenCVSource(str(path))


def test_drawing_marks_each_digit_the_number_and_the_fps():
    rng = np.random.default_rng(4)
    frame = paper_photo([drawn_digit(6, rng), drawn_digit(1, rng)], rng, shadow=False)
    reported = []
    run(ConstantModel(), ListSource([frame.copy()]), LiveSettings(), reported.append, policy)
    reading = reported[0].reading
    drawn = frame.copy()
    draw_reading(drawn, reading, smoothed="44", fps=123.4, roi=(5, 5, 100, 100))
    for digit in reading.digits:
        x, y, w, h = digit.box
        assert (drawn[y, x : x + w] == BOX_BGR).all()  # the box's top edge
    changed = np.any(drawn != frame, axis=2)
    assert changed[:40].any() and changed[-20:].any()  # the number banner and the FPS line


def test_the_loop_stamps_each_frame_and_marks_where_the_smoothed_reading_changes():
    rng = np.random.default_rng(0)
    blank = paper_photo([], rng)
    digit = paper_photo([drawn_digit(4, rng)], rng)
    frames = [blank, blank, digit, digit, digit, blank, blank]
    times = iter(datetime(2026, 11, 28, 10, 0, s, tzinfo=UTC) for s in range(len(frames)))
    reported = []
    run(
        ConstantModel(),
        ListSource(frames),
        LiveSettings(smooth=1),
        reported.append,
        policy,
        clock=lambda: next(times),
    )
    assert [r.smoothed for r in reported] == [None, None, "4", "4", "4", None, None]
    assert [r.changed for r in reported] == [True, False, True, False, False, True, False]
    assert reported[2].to_json()["time"] == "2026-11-28T10:00:02.000+00:00"
