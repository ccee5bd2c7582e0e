"""benchmarks/fuzz_models.py on a few mutants: damaged model files end in a clean error or run, never a
traceback, a signal or a hang (the full run is 500 mutants: see the script's docstring)."""

from __future__ import annotations

import numpy as np

from benchmarks.fuzz_models import COMMANDS, fuzz, mutate


def test_twenty_mutants_never_crash_the_device_cli():
    table = fuzz(count=20, seed=3, per_process=20)
    for command in COMMANDS:
        counts = table[f"all {command}"]
        assert sum(counts.values()) == 20
        assert counts["traceback"] == counts["signal"] == counts["hang"] == 0, (command, counts)
        assert counts["error"] > 0  # the mutants do damage


def test_mutations_are_seeded_and_change_the_file():
    data = bytes(range(256)) * 4
    for kind in ("flip", "truncate", "insert"):
        first = mutate(data, kind, np.random.default_rng(0))
        assert first == mutate(data, kind, np.random.default_rng(0)) and first != data
