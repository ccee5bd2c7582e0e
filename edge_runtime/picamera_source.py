"""Frames from a Raspberry Pi camera module (CSI ribbon cable) through picamera2 (`--source picamera`).

Under libcamera these cameras do not open with `cv2.VideoCapture`. picamera2 comes from apt, not PyPI
(it is built on the system's libcamera), so it is imported only when this source is opened: nothing else
needs it, and USB webcams keep going through OpenCV.
"""

from __future__ import annotations

import numpy as np

from edge_runtime.frame_source import FrameSource
from ground.errors import EdgeError

PICAMERA = "picamera"  # the --source value that opens this camera

DEFAULT_WIDTH, DEFAULT_HEIGHT = 640, 480
INSTALL_HINT = (
    "sudo apt install python3-picamera2, and make the venv with "
    "`python3 -m venv --system-site-packages` so that it sees apt's packages"
)


def import_picamera2() -> type:
    """The `Picamera2` class, or an EdgeError saying how to install it."""
    try:
        from picamera2 import Picamera2
    except ImportError as exc:
        raise EdgeError(f"--source {PICAMERA} needs picamera2 ({exc}): {INSTALL_HINT}") from None
    except ValueError as exc:  # apt's simplejpeg, built for Debian's NumPy 1.x, under NumPy 2
        raise EdgeError(
            f"picamera2 cannot load with this NumPy ({exc}): pip install simplejpeg in the venv"
        ) from None
    return Picamera2


class PiCameraSource(FrameSource):
    """BGR uint8 frames (height, width, 3) from a Pi camera, the same as `cv2.VideoCapture` gives.

    `read()` returns a frame, or None once the camera fails; `release()` (or leaving the `with`
    block) stops and frees the camera.
    """

    live = True

    def __init__(self, width: int | None = None, height: int | None = None, camera_index: int = 0) -> None:
        self.description = f"Pi camera {camera_index}"
        self._camera = None
        size = (width or DEFAULT_WIDTH, height or DEFAULT_HEIGHT)
        picamera2 = import_picamera2()
        try:
            self._camera = picamera2(camera_index)
        except (IndexError, RuntimeError) as exc:
            raise EdgeError(
                f"cannot open Raspberry Pi camera {camera_index} ({exc}): "
                "check the ribbon cable and `rpicam-hello --list-cameras`"
            ) from None
        try:
            # picamera2's "RGB888" lays pixels out as B, G, R in memory: OpenCV's order, no conversion.
            config = self._camera.create_video_configuration(main={"size": size, "format": "RGB888"})
            self._camera.configure(config)
            self._camera.start()
        except RuntimeError as exc:
            self.release()
            raise EdgeError(f"cannot start Raspberry Pi camera {camera_index}: {exc}") from None

    def read(self) -> np.ndarray | None:
        """The next frame, or None when the camera is gone."""
        if self._camera is None:
            return None
        try:
            return self._camera.capture_array("main")
        except RuntimeError:
            return None

    def release(self) -> None:
        """Stop the camera and free it for other programs (safe to call twice)."""
        if self._camera is not None:
            camera, self._camera = self._camera, None
            camera.stop()
            camera.close()
