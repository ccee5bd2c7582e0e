"""MNIST loaders: .npz, IDX (plain and gzipped), the environment variable, and bad files."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from ground.errors import EdgeError
from train.data import ENV_VAR, IDX_NAMES, load_mnist, read_idx


def make_arrays(n_train: int = 30, n_test: int = 10) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }


def idx_bytes(array: np.ndarray) -> bytes:
    magic = 0x800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_dir(folder, arrays, compress: bool = False):
    folder.mkdir()
    for key, stem in IDX_NAMES.items():
        raw = idx_bytes(arrays[key])
        if compress:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return folder


def test_npz_round_trip(tmp_path):
    arrays = make_arrays()
    np.savez(tmp_path / "mnist.npz", **arrays)
    data = load_mnist(tmp_path / "mnist.npz")
    for key, value in arrays.items():
        np.testing.assert_array_equal(getattr(data, key), value)
    assert data.source.endswith("mnist.npz")


@pytest.mark.parametrize("compress", [False, True])
def test_idx_folder(tmp_path, compress):
    arrays = make_arrays()
    data = load_mnist(write_idx_dir(tmp_path / "idx", arrays, compress))
    np.testing.assert_array_equal(data.x_train, arrays["x_train"])
    np.testing.assert_array_equal(data.y_test, arrays["y_test"])


def test_environment_variable_selects_file(tmp_path, monkeypatch):
    arrays = make_arrays(n_train=12)
    np.savez(tmp_path / "env.npz", **arrays)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.npz"))
    assert len(load_mnist().x_train) == 12


def test_explicit_path_beats_environment(tmp_path, monkeypatch):
    np.savez(tmp_path / "a.npz", **make_arrays(n_train=7))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing.npz"))
    assert len(load_mnist(tmp_path / "a.npz").x_train) == 7


@pytest.mark.parametrize(
    "change, message",
    [
        ({"x_train": np.zeros((30, 28, 27), np.uint8)}, "expected (N, 28, 28)"),
        ({"x_test": np.zeros((10, 28, 28), np.float32)}, "expected uint8"),
        ({"y_train": np.full(30, 10, np.uint8)}, "labels 0-9"),
        ({"y_test": np.zeros(9, np.uint8)}, "to match x_test"),
        ({"y_train": np.full(30, 1.5)}, "labels 0-9"),
    ],
)
def test_malformed_npz(tmp_path, change, message):
    arrays = {**make_arrays(), **change}
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(EdgeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_mnist(tmp_path / "bad.npz")


def test_npz_missing_keys(tmp_path):
    np.savez(tmp_path / "bad.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(EdgeError, match="missing arrays y_train, x_test, y_test"):
        load_mnist(tmp_path / "bad.npz")


def test_not_an_npz(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(EdgeError, match="not a readable .npz"):
        load_mnist(tmp_path / "junk.npz")


def test_missing_file_says_how_to_supply(tmp_path):
    with pytest.raises(EdgeError, match="--data PATH or set EDGE_MNIST"):
        load_mnist(tmp_path / "nope.npz")


def test_truncated_idx(tmp_path):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    (tmp_path / "t.idx").write_bytes(raw[:-10])
    with pytest.raises(EdgeError, match="truncated or padded"):
        read_idx(tmp_path / "t.idx")
    (tmp_path / "h.idx").write_bytes(raw[:9])
    with pytest.raises(EdgeError, match="truncated IDX header"):
        read_idx(tmp_path / "h.idx")


def test_idx_bad_magic_and_corrupt_gzip(tmp_path):
    (tmp_path / "m.idx").write_bytes(b"\x00\x00\x0d\x03" + bytes(100))
    with pytest.raises(EdgeError, match="not a uint8 IDX file"):
        read_idx(tmp_path / "m.idx")
    (tmp_path / "c.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(3, np.uint8)))[:-6])
    with pytest.raises(EdgeError, match="cannot read"):
        read_idx(tmp_path / "c.gz")


def test_idx_folder_missing_file(tmp_path):
    folder = write_idx_dir(tmp_path / "idx", make_arrays())
    (folder / IDX_NAMES["y_test"]).unlink()
    with pytest.raises(EdgeError, match="no t10k-labels-idx1-ubyte"):
        load_mnist(folder)


@pytest.mark.train_extra
def test_offline_keras_download_is_one_clear_error(monkeypatch):
    import keras

    def offline():
        raise OSError("URL fetch failure: Temporary failure in name resolution")

    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(EdgeError, match=r"could not download MNIST \(URL fetch failure.*--data PATH"):
        load_mnist()
