"""Safe image reading: every bad file gives one clear line and a non-zero exit; the rest still run."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app
from edge_runtime.images import decode_image, expand_paths, read_image
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit, paper_photo
from ground.errors import EdgeError


def _encode(suffix: str, image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(suffix, image)
    assert ok
    return data.tobytes()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header declares width x height 8-bit grey pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IEND", b"")


PHOTO = paper_photo([drawn_digit(7, np.random.default_rng(0))], np.random.default_rng(1), size=(160, 120))
PNG, JPEG = _encode(".png", PHOTO), _encode(".jpg", PHOTO)
CORRUPT_PNG = PNG[:60] + bytes(len(PNG) - 72) + PNG[-12:]

BAD_FILES = {
    "zero-bytes.png": (b"", "empty file (0 bytes)"),
    "not-an-image.png": (
        b"just some text, not pixels\n",
        "not an image (PNG, JPEG, BMP, TIFF or WebP expected)",
    ),
    "truncated.png": (PNG[: len(PNG) // 2], "truncated PNG file"),
    "truncated.jpg": (JPEG[: len(JPEG) // 2], "truncated JPEG file"),
    "corrupt.png": (CORRUPT_PNG, "corrupt or truncated PNG data"),
    "enormous.png": (
        _png_declaring(100_000, 100_000),
        "100000x100000 pixels is past the limit of 50,000,000",
    ),
    "16-bit.png": (_encode(".png", np.full((40, 40), 40000, np.uint16)), "16-bit image"),
    "alpha.png": (_encode(".png", np.full((40, 40, 4), 200, np.uint8)), "image has an alpha channel"),
}


def _write_bad(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(BAD_FILES[name][0])
    return path


@pytest.fixture(scope="module")
def int8_model() -> Path:
    return PACKAGED_MODEL  # no TensorFlow or training needed


@pytest.mark.parametrize("name", BAD_FILES)
def test_read_image_names_what_is_wrong(tmp_path, name):
    path = _write_bad(tmp_path, name)
    with pytest.raises(EdgeError) as error:
        read_image(path)
    assert str(error.value).startswith(f"{path}: ")
    assert BAD_FILES[name][1] in str(error.value)


def test_an_unreadable_file_is_reported(tmp_path):
    link = tmp_path / "dangling.png"
    link.symlink_to(tmp_path / "gone.png")
    with pytest.raises(EdgeError, match="dangling.png: cannot read"):
        read_image(link)


def test_a_pixel_limit_is_checked_before_decoding():
    with pytest.raises(EdgeError, match="160x120 pixels is past the limit of 10,000"):
        decode_image(PNG, "photo.png", max_pixels=10_000)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".tif", ".webp"])
def test_every_supported_format_is_read(tmp_path, suffix):
    path = tmp_path / f"photo{suffix}"
    path.write_bytes(_encode(suffix, PHOTO))
    image = read_image(path)
    assert image.shape == PHOTO.shape and image.dtype == np.uint8


@pytest.mark.parametrize("suffix", [".bmp", ".webp"])
def test_truncated_bmp_and_webp_are_refused(tmp_path, suffix):
    data = _encode(suffix, PHOTO)
    with pytest.raises(EdgeError, match="truncated"):
        decode_image(data[: len(data) // 2], f"cut{suffix}")


def _pillow_jpeg(image: np.ndarray, **options) -> bytes:
    pil_image = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    pil_image.fromarray(image[..., ::-1] if image.ndim == 3 else image).save(buffer, "JPEG", **options)
    return buffer.getvalue()


GREY = cv2.cvtColor(PHOTO, cv2.COLOR_BGR2GRAY)
WEBCAM_PHOTO = paper_photo(
    [drawn_digit(4, np.random.default_rng(2))], np.random.default_rng(3), size=(640, 480)
)
JPEG_ENCODERS = {  # the writers photos come from: OpenCV and Pillow (libjpeg), baseline and progressive
    "opencv": lambda image: _encode(".jpg", image),
    "opencv-progressive": lambda image: cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[
        1
    ].tobytes(),
    "opencv-optimized": lambda image: cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_OPTIMIZE, 1])[
        1
    ].tobytes(),
    "opencv-restarts": lambda image: cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_RST_INTERVAL, 2])[
        1
    ].tobytes(),
    "pillow": lambda image: _pillow_jpeg(image, quality=90),
    "pillow-progressive": lambda image: _pillow_jpeg(image, progressive=True, optimize=True),
    "pillow-444": lambda image: _pillow_jpeg(image, subsampling=0, quality=95),
}


@pytest.mark.parametrize("encoder", JPEG_ENCODERS)
@pytest.mark.parametrize(
    "image", [PHOTO, GREY, np.full((96, 80, 3), 128, np.uint8)], ids=["colour", "grey", "mid-grey"]
)
def test_whole_jpegs_from_common_encoders_are_read_as_opencv_reads_them(encoder, image):
    data = JPEG_ENCODERS[encoder](image)
    expected = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    decoded = decode_image(data, "whole.jpg")
    assert np.array_equal(decoded, expected)


@pytest.mark.parametrize("encoder", JPEG_ENCODERS)
@pytest.mark.parametrize("kept", [0.2, 0.5, 0.8])
def test_a_jpeg_cut_short_is_refused_though_it_ends_with_its_end_marker(encoder, kept):
    data = JPEG_ENCODERS[encoder](WEBCAM_PHOTO)  # large enough for every cut to fall in the image data
    with pytest.raises(EdgeError, match=r"^cut.jpg: truncated JPEG file"):
        decode_image(data[: int(len(data) * kept)] + b"\xff\xd9", "cut.jpg")


def _png_idat_offsets(data: bytes) -> list[int]:
    """Where each IDAT chunk of a PNG file starts."""
    offsets, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            offsets.append(pos)
        pos += 12 + length
    return offsets


def test_a_png_cut_short_is_refused_though_it_ends_with_its_end_chunk():
    noisy = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)  # several IDATs
    data = _encode(".png", noisy)
    end_chunk = _png_chunk(b"IEND", b"")
    idats = _png_idat_offsets(data)
    assert len(idats) > 2 and data.endswith(end_chunk)
    cuts = {
        "mid-chunk": data[: len(data) // 2] + end_chunk,  # a chunk longer than what is left of the file
        "between chunks": data[: idats[len(idats) // 2]]
        + end_chunk,  # every chunk whole, the image data short
    }
    for name, cut in cuts.items():
        with pytest.raises(EdgeError, match=rf"^{name}.png: corrupt or truncated PNG data$"):
            decode_image(cut, f"{name}.png")
    assert decode_image(data, "whole.png").shape == noisy.shape
    pillow_image = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    pillow_image.fromarray(noisy).save(buffer, "PNG", optimize=True)
    assert np.array_equal(decode_image(buffer.getvalue(), "pillow.png"), noisy[..., ::-1])


def test_paths_expand_from_files_folders_and_globs(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.png", "sub/b.jpg", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    files, errors = expand_paths(
        [str(tmp_path / "a.png"), str(tmp_path), str(tmp_path / "*.png"), str(tmp_path / "missing.png")]
        + [str(tmp_path / "nothing-*.jpg"), str(tmp_path / "empty")]
    )
    assert files == [tmp_path / "a.png", tmp_path / "a.png", tmp_path / "sub" / "b.jpg", tmp_path / "a.png"]
    assert errors == [
        f"{tmp_path / 'missing.png'}: no such file or folder",
        f"{tmp_path / 'nothing-*.jpg'}: no file matches",
        f"{tmp_path / 'empty'}: no images in this folder (PNG, JPEG, BMP, TIFF or WebP)",
    ]


@pytest.mark.parametrize("name", BAD_FILES)
def test_classify_reports_a_bad_file_in_one_line_and_exits_1(tmp_path, int8_model, name):
    path = _write_bad(tmp_path, name)
    result = CliRunner().invoke(app, ["classify", "-m", str(int8_model), str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1  # its own line only: no summary repeating it
    assert lines[0].startswith(f"error: {path}: ") and BAD_FILES[name][1] in lines[0]
    assert "Traceback" not in result.output + result.stderr


def test_classify_still_reads_the_good_files_among_bad_ones(tmp_path, int8_model):
    good = tmp_path / "good.png"
    good.write_bytes(PNG)
    bad = [_write_bad(tmp_path, name) for name in BAD_FILES]
    missing = tmp_path / "missing.jpg"
    result = CliRunner().invoke(
        app, ["classify", "-m", str(int8_model), str(good), *map(str, bad), str(missing)]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{good}: ")
    assert len(result.stdout.strip().splitlines()) == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == len(bad) + 1  # one per bad input, and no summary
    assert all(line.startswith("error: ") for line in errors)


def test_classify_json_reports_failures_in_the_stream_and_counts_them_on_stderr(tmp_path, int8_model):
    bad = _write_bad(tmp_path, "corrupt.png")
    result = CliRunner().invoke(app, ["classify", "-m", str(int8_model), str(bad), "--json"])
    assert result.exit_code == 1
    assert '"error"' in result.stdout
    assert result.stderr.strip().splitlines() == ["error: 1 of 1 inputs could not be classified"]
