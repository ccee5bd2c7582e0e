"""Compare two runs' JSON-lines predictions (x86 vs emulated Pi): every field must be equal, floats
within a tolerance, timing fields ignored (meaningless under emulation).

Usage: python3 scripts/pi/compare_predictions.py X86.jsonl PI.jsonl [--tolerance 1e-4]
Prints one summary line; exit status 1 when the runs differ.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

TIMING_WORDS = {"fps", "ms", "us", "s", "time", "latency", "seconds", "elapsed", "timestamp"}


def is_timing(key: str) -> bool:
    """Whether a JSON key holds a timing (compared by neither value nor presence): `fps`, `latency_ms`..."""
    return bool(TIMING_WORDS & set(re.split(r"[_\W]+", key.lower())))


def differences(a: object, b: object, tolerance: float, where: str = "") -> tuple[list[str], float]:
    """The paths where `a` and `b` differ, and the largest absolute difference between their floats."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(k for k in a.keys() | b.keys() if not is_timing(k))
        found, worst = [], 0.0
        for key in keys:
            diff, gap = differences(a.get(key), b.get(key), tolerance, f"{where}.{key}")
            found, worst = found + diff, max(worst, gap)
        return found, worst
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        found, worst = [], 0.0
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff, gap = differences(x, y, tolerance, f"{where}[{i}]")
            found, worst = found + diff, max(worst, gap)
        return found, worst
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, int | float) and isinstance(b, int | float):
            gap = abs(a - b)
            return ([f"{where}: {a} != {b}"] if gap > tolerance else []), gap
    return ([] if a == b else [f"{where}: {a!r} != {b!r}"]), 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed float difference")
    args = parser.parse_args()
    lines = [
        [json.loads(line) for line in p.read_text().splitlines() if line.strip()]
        for p in (args.reference, args.candidate)
    ]
    if len(lines[0]) != len(lines[1]):
        print(f"DIFFERENT: {len(lines[0])} vs {len(lines[1])} predictions")
        return 1
    found, worst = differences(lines[0], lines[1], args.tolerance)
    verdict = "EQUAL" if not found else "DIFFERENT"
    print(f"{verdict}: {len(lines[0])} predictions, largest float difference {worst:.2e}", end="")
    print(f" (tolerance {args.tolerance:g})")
    for line in found[:10]:
        print(f"  {line}")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
