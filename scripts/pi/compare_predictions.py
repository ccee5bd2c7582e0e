"""Compare the JSON-lines output of `edge classify --json` / `edge webcam --json` from two runs (x86 vs Pi).

The predictions must be equal, line by line: the number read, each digit, the smoothed reading (webcam)
and any error. How much the confidences and the digit boxes moved is reported as well: OpenCV's x86 and
ARM code paths may round a few pixels differently. With --exact, whole lines must be identical (timing
fields such as fps aside, meaningless under emulation; candidates compared as sets).

Usage: python3 scripts/pi/compare_predictions.py X86.jsonl PI.jsonl [--exact]
Prints one summary line (and the first differences); exit status 1 when the runs differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TIMING_KEYS = {"fps", "time"}  # webcam: frames per second and when the frame was read


def prediction(line: dict) -> tuple:
    """What a line predicts: its input, the number, each digit, the smoothed reading, any error."""
    digits = tuple(d["digit"] for d in line.get("digits", []))
    return (
        line.get("path", line.get("frame")),
        line.get("number"),
        digits,
        line.get("smoothed"),
        line.get("error"),
    )


def confidences(line: dict) -> list[float]:
    return [line.get("confidence", 0.0)] + [d["confidence"] for d in line.get("digits", [])]


def boxes(line: dict) -> list[int]:
    return [v for d in line.get("digits", []) for v in d["box"]]


def largest_gap(a: list[float], b: list[float]) -> float:
    return max((abs(x - y) for x, y in zip(a, b, strict=False)), default=0.0)


def canonical(line: dict) -> dict:
    """The line without timings, each digit's candidates sorted by label: numpy may order tied
    probabilities differently on x86 and ARM (with --top-k 10 this is the whole probability vector)."""
    digits = [{**d, "top_k": sorted(d["top_k"])} for d in line.get("digits", [])]
    return {k: v for k, v in line.items() if k not in TIMING_KEYS} | {"digits": digits}


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument("--exact", action="store_true", help="whole lines must be identical")
    args = parser.parse_args()
    reference, candidate = read_lines(args.reference), read_lines(args.candidate)
    if len(reference) != len(candidate):
        print(f"DIFFERENT: {len(reference)} vs {len(candidate)} lines")
        return 1
    pairs = list(zip(reference, candidate, strict=True))
    if args.exact:
        differing = [i for i, (a, b) in enumerate(pairs) if canonical(a) != canonical(b)]
        print(
            f"{'DIFFERENT' if differing else 'IDENTICAL'}: {len(pairs) - len(differing)}/{len(pairs)} lines"
        )
    else:
        differing = [i for i, (a, b) in enumerate(pairs) if prediction(a) != prediction(b)]
        confidence_gap = max((largest_gap(confidences(a), confidences(b)) for a, b in pairs), default=0.0)
        box_gap = max((largest_gap(boxes(a), boxes(b)) for a, b in pairs), default=0.0)
        verdict = "DIFFERENT" if differing else "EQUAL"
        print(
            f"{verdict}: {len(pairs) - len(differing)}/{len(pairs)} predictions; "
            f"confidences differ by <= {confidence_gap:.4f}, boxes by <= {box_gap:.0f} px"
        )
    for i in differing[:10]:
        print(f"  line {i + 1}: {json.dumps(reference[i])}\n       vs {json.dumps(candidate[i])}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
