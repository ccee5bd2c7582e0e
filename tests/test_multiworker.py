"""`edge train --distribute multiworker`: two MultiWorkerMirroredStrategy workers as two local
processes (TF_CONFIG with 127.0.0.1 ports) train one epoch; both finish, only the chief writes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.test_train_cli import QUICK, small_npz  # noqa: F401 - the fixture is used by name

TIMEOUT = 120


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow
@pytest.mark.train_extra
def test_two_workers_train_and_only_the_chief_writes_the_run(small_npz, tmp_path):  # noqa: F811
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    out = tmp_path / "run"
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(tf_config), "PYTHONPATH": str(REPO)}
        env["TF_CPP_MIN_LOG_LEVEL"] = "2"
        command = [sys.executable, "-m", "edge_cli", "train", "--data", str(small_npz), "--out", str(out)]
        command += [*QUICK, "--distribute", "multiworker", "--negatives", "0.1"]
        procs.append(
            subprocess.Popen(
                command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    try:
        outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (_stdout, stderr) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, stderr[-3000:]
    assert "run folder:" in outputs[0][0]  # worker 0 is the chief of a cluster without one
    assert "the chief writes the run" in outputs[1][0]
    for name in ("model.keras", "metrics.json", "history.json", "curves.png"):
        assert (out / name).is_file(), name
    assert json.loads((out / "metrics.json").read_text())["config"]["distribute"] == "multiworker"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # the worker left nothing beside it


@pytest.mark.train_extra
def test_multiworker_without_tf_config_is_one_line(small_npz, tmp_path):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env["PYTHONPATH"] = str(REPO)
    command = [
        sys.executable,
        "-m",
        "edge_cli",
        "train",
        "--data",
        str(small_npz),
        "--distribute",
        "multiworker",
    ]
    proc = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines()[-1].startswith("error: --distribute")
    assert "Traceback" not in proc.stderr
