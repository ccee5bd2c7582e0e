"""The text files of a deploy bundle: launcher, systemd unit and README (`$name` fields: string.Template)."""

from __future__ import annotations

import shlex
from string import Template

# POSIX sh, so it runs on Raspberry Pi OS Lite as is. It finds everything relative to itself; MODEL_NAME_LINE
# becomes `model_name=<the bundled model's file name, shell-quoted>` (`launcher_text`).
MODEL_NAME_LINE = "model_name=@MODEL@"
LAUNCHER = f"""\
#!/bin/sh
# Runs the `edge` CLI from this bundle: its own copy of edge_runtime, with the Python of ./venv.
# EDGE_PYTHON overrides the interpreter (default: ./venv/bin/python, which must exist); the bundled model
# is every command's default (EDGE_MODEL or --model/-m overrides it).
here=$(cd "$(dirname "$0")" && pwd)
{MODEL_NAME_LINE}
export EDGE_MODEL="${{EDGE_MODEL:-$here/$model_name}}"
if [ -n "$EDGE_PYTHON" ]; then
    python=$EDGE_PYTHON
elif [ -x "$here/venv/bin/python" ]; then
    python=$here/venv/bin/python
else
    echo "error: no venv in $here: create it there with 'python3 -m venv --system-site-packages venv \
&& venv/bin/pip install -r requirements.txt' (see README.md), or set EDGE_PYTHON" >&2
    exit 1
fi
PYTHONPATH="$here${{PYTHONPATH:+:$PYTHONPATH}}" exec "$python" -m edge_runtime "$@"
"""


def launcher_text(model_name: str) -> str:
    """The bundle's `edge` launcher, with `model_name` as every command's default model."""
    return LAUNCHER.replace(MODEL_NAME_LINE, f"model_name={shlex.quote(model_name)}")


SERVICE_UNIT = Template("""\
# Example systemd unit: $purpose.
# $journal
# Install: sudo cp $service /etc/systemd/system/ && sudo systemctl enable --now $service_stem
[Unit]
Description=edge-digits: $description
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=$user
SupplementaryGroups=video
WorkingDirectory=$install_dir
ExecStart=$install_dir/edge $command --threads $threads
Environment=PYTHONUNBUFFERED=1
${serve_lines}Restart=on-failure
RestartSec=5
${log_lines}
[Install]
WantedBy=multi-user.target
""")

# `edge webcam --headless` logs its readings: cap them, should the reading flicker.
WEBCAM_LOG_LINES = """\
# --headless prints on change only; should the reading flicker, at most 100 lines per 30 s are kept.
LogRateLimitIntervalSec=30s
LogRateLimitBurst=100
"""

# `edge bundle --serve`: the token comes from a file only its owner can read, not from the unit's text.
SERVE_LINES = Template("""\
# edge serve on port $port of every network: the API needs EDGE_TOKEN from $env_file (see README.md)
EnvironmentFile=$install_dir/$env_file
""")

README = Template("""\
# edge-digits deploy bundle

Recognises handwritten digits with `$model` on a Raspberry Pi. This folder is all the Pi needs:
no TensorFlow, no clone of the repository.

| File | What it is |
|---|---|
| `$model` | the TFLite model |
$manifest_row| `requirements.txt` | the runtime's Python packages, pinned (no TensorFlow) |
| `edge_runtime/` | the runtime: source of the `edge` command |
| `ground/` | what the runtime stands on: errors, safe file writes, the input contract |
| `edge` | launcher: runs `edge` with `./venv/bin/python` (or `$$EDGE_PYTHON`) |
| `$service` | example systemd unit: `edge $unit_summary` at boot |
$env_row
## Supported

Raspberry Pi 4 or 5 with **Raspberry Pi OS 64-bit**:
$releases. `uname -m` must print `aarch64`. The 32-bit OS (`armv7l`) is not supported: the LiteRT
interpreter (`ai-edge-litert`) has no 32-bit ARM wheels. A Pi 3 running the 64-bit OS should work but is
untested.

## Install (once)

From the laptop: `scp -r $bundle_name $login@raspberrypi.local:`
($login_note). Then on the Pi:

    sudo apt update
    sudo apt install -y python3-venv python3-picamera2    # picamera2: only for a ribbon-cable (CSI) camera
${move_lines}    cd $install_dir
    python3 -m venv --system-site-packages venv
    venv/bin/pip install -r requirements.txt
    ./edge --help

`picamera2` cannot be installed with pip (it is built on the system's libcamera), so the venv is made with
`--system-site-packages` to see apt's copy; the pinned packages installed by pip still take precedence.
`simplejpeg` is pinned because picamera2 imports it and apt's build only works with Debian's NumPy 1.x.

## Run

    ./edge classify -m $model photo.png                      # images, folders or globs
    ./edge webcam -m $model --source picamera --headless     # the Pi camera (CSI ribbon cable)
    ./edge webcam -m $model --source 0 --headless            # the first USB webcam

`--headless` prints the readings instead of opening a window: it works over SSH and as a service. It
prints a line, starting with the local time (ISO 8601), when the reading changes; `--every-frame` prints
every frame, `--json` JSON lines.

    ./edge serve -m $model --source 0                        # a live page and API on http://127.0.0.1:8080/

`edge serve` shows the annotated camera image, the reading, a canvas to draw a digit on and an upload
in a browser, and answers `GET /api/reading`, `POST /api/classify` (an image as the body), a stream of
changes (`/api/events`), `/healthz` and `/metrics`. It listens on 127.0.0.1 only: for other machines,
`--host 0.0.0.0` with `--token T` (or `EDGE_TOKEN=T`); open `http://raspberrypi.local:8080/?token=T`.
`--mqtt HOST[:PORT]` publishes each change of the reading to an MQTT broker (Home Assistant finds it).
The bundle pins `opencv-python-headless`, which needs no X11/OpenGL libraries and so also runs on
Raspberry Pi OS Lite. For a preview window on the desktop, swap in the GUI build:
`venv/bin/pip uninstall -y opencv-python-headless && venv/bin/pip install opencv-python==$opencv_version`.

## Start at boot

The unit assumes the bundle is in `$install_dir`, run by the user `$user`, with camera `$camera`
(`edge bundle --user/--install-dir/--camera` set them); edit `$service` if not. Then:

    sudo cp $service /etc/systemd/system/
    sudo systemctl daemon-reload
    sudo systemctl enable --now $service_stem
    journalctl -u $service_stem -f                        # $journal_holds

## Performance

- `--threads 4` uses the four cores of a Pi 4 or 5; use fewer to leave cores for other work.
- The int8 model is the smallest; measure the latency of each model on the Pi itself with
  `./edge benchmark $model` (ARM cores rank the modes differently from a laptop's x86 CPU).
- A 640x480 camera frame is plenty: the model only sees 28x28 pixels, and smaller frames
  make finding and preparing the digits cheaper.
- A Pi 4 throttles its CPU at 80 °C (`vcgencmd measure_temp`); a heatsink or fan keeps the frame rate steady.
""")
