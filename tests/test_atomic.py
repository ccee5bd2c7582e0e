"""Atomic writes: nothing half-written is ever visible, no empty folder is left by a failed write, and
results get ordinary permissions."""

from __future__ import annotations

import os

import pytest

from ground.atomic import atomic_write_bytes, output_folder, staged_path, staging_dir
from ground.errors import EdgeError


def test_atomic_write_leaves_one_ordinary_file(tmp_path):
    atomic_write_bytes(tmp_path / "m.tflite", b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["m.tflite"]
    assert (tmp_path / "m.tflite").read_bytes() == b"data"
    assert (tmp_path / "m.tflite").stat().st_mode & 0o777 == 0o644


def test_staged_path_is_removed_unless_moved(tmp_path):
    with staged_path(tmp_path / "v.avi", b"x") as staged:
        assert staged.suffix == ".avi" and staged.name.startswith(".")
    assert list(tmp_path.iterdir()) == []


def test_staging_dir_appears_only_on_success(tmp_path):
    with pytest.raises(RuntimeError), staging_dir(tmp_path / "run") as stage:
        (stage / "half.txt").write_text("x")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []
    with staging_dir(tmp_path / "run") as stage:
        (stage / "done.txt").write_text("x")
    assert os.listdir(tmp_path / "run") == ["done.txt"]
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o755
    with pytest.raises(EdgeError, match="already exists"), staging_dir(tmp_path / "run"):
        pass


def test_output_folder_removes_the_empty_folders_it_made_when_the_block_fails(tmp_path):
    (tmp_path / "kept").mkdir()
    with pytest.raises(EdgeError), output_folder(tmp_path / "kept" / "a" / "b") as folder:
        assert folder.is_dir()
        raise EdgeError("cannot write it (No space left on device)")
    assert os.listdir(tmp_path) == ["kept"] and os.listdir(tmp_path / "kept") == []


def test_output_folder_keeps_what_was_written_before_the_failure(tmp_path):
    with pytest.raises(KeyboardInterrupt), output_folder(tmp_path / "a" / "b") as folder:
        (folder / "first.png").write_bytes(b"x")
        raise KeyboardInterrupt
    assert os.listdir(tmp_path / "a" / "b") == ["first.png"]
    with output_folder(tmp_path / "c") as folder:
        pass
    assert folder.is_dir()  # a block that succeeds keeps its folder, empty or not


def test_a_staging_dir_that_fails_leaves_no_parent_folder_it_made(tmp_path):
    with pytest.raises(RuntimeError), staging_dir(tmp_path / "runs" / "run"):
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_native_output_silenced_from_many_threads_restores_stderr(capfd):
    """Threads silencing at once (a camera thread and an upload) leave fd 2 as it was."""
    import threading

    from ground.quiet import native_output_silenced

    def silence() -> None:
        for _ in range(200):
            with native_output_silenced():
                os.write(2, b"hidden\n")

    threads = [threading.Thread(target=silence) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    os.write(2, b"visible\n")
    assert capfd.readouterr().err == "visible\n"


def test_output_left_silenced_by_an_interrupted_block_is_restored(capfd):
    """A Ctrl-C landing after the redirect but before the block that undoes it leaves fd 2 on
    /dev/null; `restore_output` (what the CLI calls before its one line) puts it back."""
    from ground import quiet

    with quiet._lock:
        quiet._enter(2)  # what an interrupted `native_output_silenced` leaves behind
        quiet._enter(2)  # twice: another thread was inside too
    os.write(2, b"hidden\n")
    quiet.restore_output()
    os.write(2, b"visible\n")
    assert capfd.readouterr().err == "visible\n" and not quiet._silenced
