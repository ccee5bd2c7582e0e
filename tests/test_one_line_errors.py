"""Hostile inputs and environments: each ends in one `error:` line on stderr and exit 1 (usage: 2),
never a traceback, a crash or a hang."""

from __future__ import annotations

import base64
import errno
import gzip
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import edge_cli
import edge_runtime.bundle
import edge_runtime.cli
import edge_runtime.collect
import edge_runtime.samples
import ground.atomic
from edge_runtime.interpreter import load_interpreter
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit, paper_photo, write_image, write_video
from ground.errors import EdgeError, path_fields, printable
from train.data import read_idx

REPO = Path(__file__).resolve().parents[1]
MODEL = PACKAGED_MODEL
DEVICE, LAPTOP = edge_runtime.cli.app, edge_cli.app


def one_error_line(stderr: str) -> str:
    """The single line on stderr, checked to be an `error:` line and nothing more."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def run_cli(module: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m module args` in a subprocess (real stderr, real exit code; no hang past `timeout`)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", module, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)


# --- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["edge_runtime", "edge_cli"])
def test_a_usage_error_is_one_line_and_exit_2_not_a_box(module):
    result = run_cli(module, "classify", "-m", str(MODEL), "x.png", "--top-k", "0")
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "--top-k" in line and "╭" not in result.stderr


@pytest.mark.parametrize("app", [DEVICE, LAPTOP])
@pytest.mark.parametrize(
    "args, words",
    [
        (["classify"], "Missing argument"),
        (["no-such-command"], "No such command"),
        (["--no-such-option"], "No such option"),
        (["classify", "-m", str(MODEL), "x.png", "--no-such-option"], "No such option"),
        (["webcam", "-m", str(MODEL), "--roi", "1,2"], "--roi"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(app, args, words):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert words in one_error_line(result.stderr)


def _readme_exit_code(code: int) -> str:
    """What the README's exit-code table says exit `code` means."""
    rows = [line for line in (REPO / "README.md").read_text().splitlines() if line.startswith(f"| {code} |")]
    assert len(rows) == 1, rows
    return rows[0]


def _required(command) -> list[str]:
    """Placeholder values for a command's required arguments and options (checked only after parsing)."""
    args = []
    for param in command.params:
        if param.required:
            args += ["x"] if param.param_type_name == "argument" else [param.opts[0], "x"]
    return args


GROUPS = {"device": typer.main.get_command(DEVICE), "laptop": typer.main.get_command(LAPTOP)}  # built once


def _usage_errors() -> list[tuple[str, str, list[str], str]]:
    """(kind, CLI, arguments, what the error line names) for every usage error the README documents, in
    every command of both CLIs: a missing argument, an unknown option, and each ranged option's value
    just past each end of its range."""
    cases = []
    for cli, group in GROUPS.items():
        for name, command in group.commands.items():
            required = _required(command)
            if any(p.param_type_name == "argument" and p.required for p in command.params):
                cases.append(("a missing argument", cli, [name], "Missing"))
            cases.append(("an unknown option", cli, [name, *required, "--no-such-option"], "No such option"))
            for param in command.params:
                for limit, step in ((getattr(param, "min", None), -1), (getattr(param, "max", None), 1)):
                    if limit is not None:
                        args = [name, *required, param.opts[0], str(limit + step)]
                        cases.append(("a value out of range", cli, args, param.opts[0]))
    return cases


USAGE_ERRORS = _usage_errors()


def test_the_readme_documents_exit_2_for_each_kind_of_usage_error_tested_here():
    documented = _readme_exit_code(2)
    kinds = {kind for kind, _, _, _ in USAGE_ERRORS}
    assert kinds == {"a missing argument", "an unknown option", "a value out of range"}
    assert all(kind in documented for kind in kinds), documented
    assert ["benchmark", "--runs", "0"] in [args for _, _, args, _ in USAGE_ERRORS]  # once exit 1


@pytest.mark.parametrize(
    "kind, cli, args, names", USAGE_ERRORS, ids=[f"{c}: {' '.join(a)}" for _, c, a, _ in USAGE_ERRORS]
)
def test_every_documented_usage_error_exits_2_in_one_line(kind, cli, args, names, capsys):
    with pytest.raises(SystemExit) as exited:
        GROUPS[cli].main(args, prog_name="edge")
    assert exited.value.code == 2, kind
    assert names in one_error_line(capsys.readouterr().err)


def test_no_arguments_still_show_the_help():
    result = CliRunner().invoke(DEVICE, [])
    assert "classify" in result.output and "error:" not in result.output


@pytest.mark.parametrize("command", ["classify", "webcam", "benchmark"])
def test_absurd_thread_counts_are_refused_before_the_interpreter_sees_them(command):
    model = [str(MODEL)] if command == "benchmark" else ["-m", str(MODEL)]
    args = [command, *model, *(["x.png"] if command == "classify" else []), "--threads", "100000"]
    result = CliRunner().invoke(DEVICE, args)
    assert result.exit_code == 2
    assert "--threads" in one_error_line(result.stderr)


def test_the_interpreter_refuses_absurd_thread_counts_itself():
    with pytest.raises(EdgeError, match="--threads must be between 1 and 64, not 100000"):
        load_interpreter(MODEL, threads=100_000)


# --- image files that are not files, or far too big -------------------------------------------


@pytest.fixture
def blank_png(tmp_path) -> Path:
    path = tmp_path / "blank.png"
    path.write_bytes(cv2.imencode(".png", np.full((60, 60), 255, np.uint8))[1].tobytes())
    return path


def test_a_fifo_is_refused_without_blocking_the_files_after_it(tmp_path, blank_png):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    result = run_cli("edge_runtime", "classify", "-m", str(MODEL), str(fifo), str(blank_png), timeout=60)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"error: {fifo}: not a regular file (a FIFO)"
    assert result.stdout.startswith(f"{blank_png}: ")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused():
    result = CliRunner().invoke(DEVICE, ["classify", "-m", str(MODEL), "/dev/zero"])
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == "error: /dev/zero: not a regular file (a character device)"


def test_a_huge_file_is_refused_from_its_size_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(2**30)  # sparse: 1 GiB declared, nothing on disk
    result = CliRunner().invoke(DEVICE, ["classify", "-m", str(MODEL), str(huge)])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: {huge}: 1,073,741,824 bytes is more than an image of --max-pixels")


# --- writes that fail: disk full, read-only folder, a file in the way --------------------------


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _read_only(*args, **kwargs):
    raise OSError(errno.EROFS, os.strerror(errno.EROFS))


@pytest.fixture
def full_disk(monkeypatch):
    """Every atomic file write fails with ENOSPC, and so does every file copy."""
    monkeypatch.setattr(ground.atomic.os, "write", lambda fd, data: _no_space())
    monkeypatch.setattr(edge_runtime.bundle.shutil, "copyfile", _no_space)


@pytest.fixture
def read_only_folders(monkeypatch):
    """Creating a file or folder fails with EROFS (chmod cannot do this: the tests may run as root)."""
    monkeypatch.setattr(ground.atomic.tempfile, "mkstemp", _read_only)
    monkeypatch.setattr(ground.atomic.tempfile, "mkdtemp", _read_only)


WRITE_FAILURES = [("full_disk", "No space left"), ("read_only_folders", "Read-only")]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".partial" in p.name)


@pytest.fixture
def digit_png(tmp_path) -> Path:
    """A photo with one digit, so that classify has a crop to save."""
    image = paper_photo([drawn_digit(7, np.random.default_rng(0))], np.random.default_rng(0), (160, 120))
    return write_image(tmp_path / "seven.png", image)


def _fake_model(folder: Path) -> Path:
    path = folder / "model.tflite"
    path.write_bytes(b"\x1c\x00\x00\x00TFL3" + bytes(200))  # passes the check; a bundle needs no real model
    return path


@pytest.mark.parametrize("failure, reason", WRITE_FAILURES)
def test_save_crops_that_cannot_be_written_is_one_line(request, tmp_path, digit_png, failure, reason):
    crops = tmp_path / "crops"
    crops.mkdir()
    request.getfixturevalue(failure)
    result = CliRunner().invoke(
        DEVICE, ["classify", "-m", str(MODEL), str(digit_png), "--save-crops", str(crops)]
    )
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: cannot write {crops}/") and reason in line
    assert list(crops.iterdir()) == []


@pytest.mark.parametrize("failure, reason", WRITE_FAILURES)
def test_samples_that_cannot_be_written_is_one_line(request, tmp_path, failure, reason):
    out = tmp_path / "samples"
    request.getfixturevalue(failure)
    result = CliRunner().invoke(DEVICE, ["samples", str(out), "--count", "2", "--frames-per-digit", "0"])
    assert result.exit_code == 1
    assert reason in one_error_line(result.stderr)
    assert _leftovers(tmp_path) == [] and not out.exists()  # the folder it made is gone again


@pytest.mark.parametrize("failure, reason", WRITE_FAILURES)
def test_failed_writes_leave_no_folder_they_made(request, tmp_path, digit_png, failure, reason):
    """samples, collect and --save-crops into folders that do not exist yet: one line naming the file
    that could not be written, and neither the folder nor its parents left behind."""
    request.getfixturevalue(failure)
    new = tmp_path / "new"
    commands = {
        "samples": ["samples", str(new / "samples"), "--count", "2", "--frames-per-digit", "0"],
        "collect": ["collect", "-m", str(MODEL), str(new / "mine"), str(digit_png), "--label", "7"],
        "save-crops": ["classify", "-m", str(MODEL), str(digit_png), "--save-crops", str(new / "crops")],
    }
    for name, args in commands.items():
        result = CliRunner().invoke(DEVICE, args)
        assert result.exit_code == 1, name
        line = one_error_line(result.stderr)
        assert line.startswith(f"error: cannot write {new}/") and reason in line, line
        assert not new.exists(), name


def test_a_sample_moved_to_a_new_label_folder_that_fails_leaves_no_folder(tmp_path, digit_png, monkeypatch):
    root = tmp_path / "mine"
    collected = CliRunner().invoke(
        DEVICE, ["collect", "-m", str(MODEL), str(root), str(digit_png), "--label", "1"]
    )
    assert collected.exit_code == 0
    sample = sorted((root / "1").iterdir())[0]
    monkeypatch.setattr(edge_runtime.collect.os, "replace", _no_space)
    result = CliRunner().invoke(DEVICE, ["relabel", str(sample), "--label", "7"])
    assert result.exit_code == 1
    assert (
        one_error_line(result.stderr)
        == f"error: cannot write {root / '7' / sample.name} (No space left on device)"
    )
    assert sample.is_file() and not (root / "7").exists()


@pytest.mark.parametrize("failure, reason", WRITE_FAILURES)
def test_bundle_that_cannot_be_written_is_one_line_and_leaves_nothing(request, tmp_path, failure, reason):
    model = _fake_model(tmp_path)
    request.getfixturevalue(failure)
    result = CliRunner().invoke(LAPTOP, ["bundle", str(model), "--out", str(tmp_path / "pi"), "--user", "pi"])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: cannot write {tmp_path / 'pi'}") and reason in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tflite"]


def test_a_video_cut_short_by_a_full_disk_is_refused(tmp_path, monkeypatch):
    class TruncatingWriter:  # what OpenCV does on a full disk: writes what fits and reports nothing
        def __init__(self, path, *args):
            self.path = path
            Path(path).write_bytes(b"RIFF\x00\x00")

        def isOpened(self):  # noqa: N802 - OpenCV's name
            return True

        def write(self, frame):
            pass

        def release(self):
            pass

    monkeypatch.setattr(edge_runtime.samples.cv2, "VideoWriter", TruncatingWriter)
    result = CliRunner().invoke(DEVICE, ["samples", str(tmp_path / "s"), "--count", "1"])
    assert result.exit_code == 1
    assert "digits.avi (the video came out incomplete" in one_error_line(result.stderr)
    assert not (tmp_path / "s" / "digits.avi").exists() and _leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["save-crops", "samples"])
def test_an_output_folder_that_is_a_file_is_one_line(tmp_path, digit_png, command):
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("not a folder")
    args = (
        ["classify", "-m", str(MODEL), str(digit_png), "--save-crops", str(in_the_way)]
        if command == "save-crops"
        else ["samples", str(in_the_way)]
    )
    result = CliRunner().invoke(DEVICE, args)
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == f"error: {in_the_way} is a file, not a folder"
    assert result.stdout == ""


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A real 64 KiB filesystem (needs root and mount rights; skipped elsewhere)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root, or no mount rights)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_really_full_disk_is_one_line_and_leaves_no_partial_file(tiny_tmpfs):
    result = run_cli("edge_runtime", "samples", str(tiny_tmpfs / "samples"), "--count", "50")
    assert result.returncode == 1
    assert "No space left on device" in one_error_line(result.stderr)
    assert _leftovers(tiny_tmpfs) == []


# --- IDX data: corrupt deflate, overflowing header, gzip bomb ----------------------------------

IDX_IMAGES_MAGIC = (0x803).to_bytes(4, "big")


def _idx_header(*dims: int) -> bytes:
    return IDX_IMAGES_MAGIC + b"".join(d.to_bytes(4, "big") for d in dims)


def _write_gzip_stream(path: Path, header: bytes, zero_bytes: int) -> None:
    """A gzip file of `header` and then `zero_bytes` zeros, compressed chunk by chunk (a bomb, cheaply)."""
    chunk = bytes(2**20)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(header)
        for _ in range(zero_bytes // len(chunk)):
            handle.write(chunk)


def _corrupt_deflate(path: Path) -> None:
    compressed = bytearray(gzip.compress(_idx_header(5, 28, 28) + bytes(range(256)) * 16))
    compressed[20:40] = b"\xff" * 20  # inside the deflate stream, past the gzip header
    path.write_bytes(bytes(compressed))


def test_a_corrupt_deflate_stream_is_one_error(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _corrupt_deflate(path)
    with pytest.raises(EdgeError, match=r"cannot read \(.*\)"):
        read_idx(path)


def test_an_overflowing_idx_header_is_refused_before_reading(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(_idx_header(2**32 - 1, 2**32 - 1, 2**32 - 1) + bytes(100))
    with pytest.raises(EdgeError, match="IDX header declares 4294967295x4294967295x4294967295 values"):
        read_idx(path)


def test_a_gzip_bomb_is_read_no_further_than_its_header_declares(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _write_gzip_stream(path, _idx_header(10, 28, 28), 256 * 2**20)  # 256 MiB of zeros for 7,840 bytes
    tracemalloc.start()
    try:
        with pytest.raises(EdgeError, match="truncated or padded IDX data"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_a_gzip_bomb_declaring_its_size_stops_at_the_hard_maximum(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _write_gzip_stream(path, _idx_header(2_000_000, 28, 28), 2**20)
    with pytest.raises(EdgeError, match="1,568,000,000 bytes.*past the limit of 1,073,741,824"):
        read_idx(path)


def test_train_on_corrupt_idx_data_is_one_line(tmp_path):
    pytest.importorskip("tensorflow")
    folder = tmp_path / "idx"
    folder.mkdir()
    _corrupt_deflate(folder / "train-images-idx3-ubyte.gz")
    result = CliRunner().invoke(LAPTOP, ["train", "--data", str(folder), "--out", str(tmp_path / "run")])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: {folder}/train-images-idx3-ubyte.gz: cannot read")
    assert not (tmp_path / "run").exists()


# --- a bundle without its venv ----------------------------------------------------------------


def test_the_bundle_launcher_without_a_venv_says_how_to_make_one(tmp_path):
    bundle = edge_runtime.bundle.build_bundle(_fake_model(tmp_path), tmp_path / "pi", user="pi")
    env = {k: v for k, v in os.environ.items() if k not in ("EDGE_PYTHON", "PYTHONPATH")}
    result = subprocess.run(
        [str(bundle.path / "edge"), "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: no venv in {bundle.path}: ")
    assert "python3 -m venv --system-site-packages venv && venv/bin/pip install -r requirements.txt" in line


def test_a_python_without_the_runtime_packages_is_one_line(tmp_path):
    blocked = tmp_path / "blocked" / "typer"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ModuleNotFoundError('blocked in this test', name='typer')\n")
    env = {**os.environ, "PYTHONPATH": f"{blocked.parent}{os.pathsep}{REPO}"}
    result = subprocess.run(
        [sys.executable, "-m", "edge_runtime", "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "lacks the Python package 'typer': pip install -r requirements.txt" in line


# --- webcam: a region outside the frame, a broken video ----------------------------------------


@pytest.fixture
def short_video(tmp_path) -> Path:
    frames = [np.full((120, 160, 3), 255, np.uint8) for _ in range(3)]
    return write_video(tmp_path / "clip.avi", frames)


@pytest.mark.parametrize("roi", ["5000,5000,10,10", "100,0,100,50", "0,100,20,21"])
def test_a_roi_outside_the_frame_is_one_line_at_the_first_frame(short_video, roi):
    args = ["webcam", "-m", str(MODEL), "--source", str(short_video), "--headless", "--roi", roi]
    result = CliRunner().invoke(DEVICE, args)
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: --roi {roi} does not fit in the 160x120 frames of video {short_video}")
    assert result.stdout == ""


def test_a_roi_inside_the_frame_is_read(short_video):
    args = ["webcam", "-m", str(MODEL), "--source", str(short_video), "--headless", "--every-frame"]
    args += ["--roi", "0,0,160,120"]
    result = CliRunner().invoke(DEVICE, args)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_a_video_with_a_broken_header_is_one_line_without_opencv_chatter(tmp_path):
    broken = tmp_path / "broken.avi"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST")  # OpenCV's AVI parser complains on stderr
    result = run_cli("edge_runtime", "webcam", "-m", str(MODEL), "--source", str(broken), "--headless")
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"error: cannot open video {broken}"


def test_damaged_video_frames_make_no_decoder_chatter(tmp_path):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (120, 160, 3), dtype=np.uint8) for _ in range(6)]
    video = write_video(tmp_path / "clip.avi", frames)
    data = bytearray(video.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 3000] = b"\x55" * 3000  # inside a frame's JPEG data
    video.write_bytes(bytes(data))
    result = run_cli("edge_runtime", "webcam", "-m", str(MODEL), "--source", str(video), "--headless")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if not line.startswith("end of video")] == []


@pytest.mark.parametrize(
    "suffix, params, ending",
    [
        (".jpg", [], b"\xff\xd9"),  # the JPEG end marker: OpenCV alone would read the lost half as grey
        (".jpg", [cv2.IMWRITE_JPEG_PROGRESSIVE, 1], b"\xff\xd9"),
        (".png", [], b"\x00\x00\x00\x00IEND\xaeB`\x82"),  # the PNG end chunk
    ],
    ids=["jpeg", "progressive-jpeg", "png"],
)
def test_an_image_cut_in_the_middle_is_one_error_line_whatever_it_ends_with(
    tmp_path, digit_png, suffix, params, ending
):
    data = cv2.imencode(suffix, cv2.imread(str(digit_png)), params)[1].tobytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2] + ending)
    result = run_cli("edge_runtime", "classify", "-m", str(MODEL), str(cut), str(digit_png))
    assert result.returncode == 1
    line = one_error_line(result.stderr)  # and no libjpeg/libpng chatter
    assert line.startswith(f"error: {cut}: ") and "truncated" in line
    assert result.stdout.startswith(f"{digit_png}: 7 ")  # the next file is still read


# --- file names: a newline, bytes that are not UTF-8 ---------------------------------------------------

NEWLINE_NAME = b"seven\nlines.png"
NOT_UTF8_NAME = b"\xff\xfeseven.png"


def run_cli_bytes(*args: str | bytes) -> subprocess.CompletedProcess:
    """`python -m edge_runtime args` with raw bytes out (to check they decode as strict UTF-8)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "edge_runtime", *args]
    return subprocess.run(command, capture_output=True, timeout=60, env=env, cwd=REPO)


@pytest.fixture
def odd_names(tmp_path, digit_png) -> dict[str, bytes]:
    """The digit photo under a name with a newline and under one that is not UTF-8, and a file that is
    not an image under each name."""
    folder = os.fsencode(tmp_path)
    names = {}
    for key, name in (("newline", NEWLINE_NAME), ("not-utf8", NOT_UTF8_NAME)):
        names[key] = os.path.join(folder, name)
        names[f"{key}-bad"] = os.path.join(folder, b"bad-" + name)
        Path(os.fsdecode(names[key])).write_bytes(digit_png.read_bytes())
        Path(os.fsdecode(names[f"{key}-bad"])).write_bytes(b"not an image")
    return names


@pytest.mark.parametrize("key, shown", [("newline", r"seven\nlines.png"), ("not-utf8", r"\xff\xfeseven.png")])
def test_odd_file_names_are_printed_escaped_on_one_line(odd_names, key, shown):
    result = run_cli_bytes("classify", "-m", str(MODEL), odd_names[key], odd_names[f"{key}-bad"])
    assert result.returncode == 1
    stdout, stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")  # strict: valid UTF-8
    (line,) = stdout.splitlines()
    assert line.startswith(f"{os.fsdecode(os.path.dirname(odd_names[key]))}/{shown}: 7 ")
    assert one_error_line(stderr).endswith(
        f"/bad-{shown}: not an image (PNG, JPEG, BMP, TIFF or WebP expected)"
    )


def test_odd_file_names_in_json_are_valid_utf8_with_their_bytes(odd_names):
    paths = [odd_names[key] for key in ("newline", "not-utf8", "newline-bad", "not-utf8-bad")]
    result = run_cli_bytes("classify", "-m", str(MODEL), "--json", *paths)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(lines) == 4
    for record, raw in zip(lines, paths, strict=True):
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # a lone surrogate would raise here
        assert "\\ud" not in json.dumps(record)  # nor is one written as an escape
        assert (
            base64.b64decode(record["path_bytes"]) == raw
            if "path_bytes" in record
            else record["path"] == os.fsdecode(raw)
        )
    assert lines[0]["path"].endswith("/seven\nlines.png") and lines[0]["number"] == "7"
    assert lines[1]["path"].endswith("/\ufffd\ufffdseven.png") and lines[1]["number"] == "7"
    assert "not an image" in lines[3]["error"] and "\\xff\\xfe" in lines[3]["error"]


@pytest.mark.parametrize(
    "name, shown",
    [
        ("bad\nname.png", r"bad\nname.png"),
        (os.fsdecode(b"\xff\xfe.png"), r"\xff\xfe.png"),
        ("\x1b[2J.png", r"\x1b[2J.png"),
    ],
)
def test_printable_names_are_one_escaped_line(name, shown):
    assert printable(name) == shown
    assert printable(printable(name)) == shown


def test_path_fields_are_valid_utf8_with_the_raw_bytes_when_they_differ():
    assert path_fields("dir/ök\n.png") == {"path": "dir/ök\n.png"}
    fields = path_fields(os.fsdecode(b"dir/\xff\xfe.png"))
    assert fields["path"] == "dir/\ufffd\ufffd.png"
    assert base64.b64decode(fields["path_bytes"]) == b"dir/\xff\xfe.png"
    assert path_fields(os.fsdecode(b"\xff"), key="source").keys() == {"source", "source_bytes"}
