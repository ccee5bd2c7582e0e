"""PiCameraSource (`--source picamera`) against a fake picamera2 module injected in sys.modules."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from edge_runtime.picamera_source import PiCameraSource
from edge_runtime.sources import open_source
from ground.errors import EdgeError


class FakePicamera2:
    """Records what the source asks of picamera2; frames are numbered BGR images."""

    cameras = 1
    instances: list[FakePicamera2] = []

    def __init__(self, camera_num: int = 0) -> None:
        if camera_num >= self.cameras:
            raise IndexError("list index out of range")
        self.config = None
        self.started = self.closed = False
        self.captured = 0
        self.stops = 0
        FakePicamera2.instances.append(self)

    def create_video_configuration(self, main: dict) -> dict:
        return {"main": dict(main)}

    def configure(self, config: dict) -> None:
        self.config = config

    def start(self) -> None:
        self.started = True

    def capture_array(self, stream: str = "main") -> np.ndarray:
        if not self.started:
            raise RuntimeError("camera not started")
        width, height = self.config[stream]["size"]
        self.captured += 1
        return np.full((height, width, 3), self.captured, np.uint8)

    def stop(self) -> None:
        self.started = False
        self.stops += 1

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    FakePicamera2.instances = []
    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=FakePicamera2))
    return FakePicamera2


def test_frames_are_bgr_at_the_requested_size(fake_picamera2):
    with PiCameraSource(width=320, height=240) as source:
        first, second = source.read(), source.read()
    camera = fake_picamera2.instances[0]
    assert camera.config == {"main": {"size": (320, 240), "format": "RGB888"}}  # RGB888 = B,G,R in memory
    assert first.shape == (240, 320, 3) and first.dtype == np.uint8
    assert (first[0, 0, 0], second[0, 0, 0]) == (1, 2)
    assert source.live and source.description == "Pi camera 0"


def test_open_source_picamera_gives_the_pi_camera_at_the_asked_size(fake_picamera2):
    with open_source("picamera", width=800, height=600) as source:
        assert isinstance(source, PiCameraSource)
        assert source.read().shape == (600, 800, 3)
    assert fake_picamera2.instances[0].closed


def test_release_stops_and_closes_the_camera_once(fake_picamera2):
    source = PiCameraSource()
    source.release()
    source.release()
    camera = fake_picamera2.instances[0]
    assert camera.closed and camera.stops == 1
    assert source.read() is None


def test_a_failing_capture_ends_the_stream(fake_picamera2):
    source = PiCameraSource()
    fake_picamera2.instances[0].started = False  # capture_array now raises RuntimeError
    assert source.read() is None


def test_missing_camera_is_a_clear_error(fake_picamera2):
    with pytest.raises(EdgeError, match="cannot open Raspberry Pi camera 1.*rpicam-hello"):
        PiCameraSource(camera_index=1)


def test_missing_picamera2_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)  # makes `import picamera2` raise ImportError
    with pytest.raises(EdgeError) as error:
        PiCameraSource()
    assert "sudo apt install python3-picamera2" in str(error.value)
    assert "--system-site-packages" in str(error.value)


def test_picamera2_broken_by_numpy_2_says_what_to_do(monkeypatch, tmp_path):
    package = tmp_path / "picamera2"
    package.mkdir()
    (package / "__init__.py").write_text("raise ValueError('numpy.dtype size changed')\n")
    monkeypatch.delitem(sys.modules, "picamera2", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(EdgeError, match="pip install simplejpeg"):
        PiCameraSource()
