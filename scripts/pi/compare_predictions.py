"""Compare the JSON-lines output of two runs (x86 vs Pi): `edge classify --json` / `edge webcam --json`,
or with --outputs the interpreter's raw outputs written by model_outputs.py.

Predictions must be equal, line by line: the number read, each digit, the smoothed reading (webcam)
and any error. How much the confidences and the digit boxes moved is reported as well: OpenCV's x86 and
ARM code paths may round a few pixels differently.

Raw outputs (--outputs), on the very same 28x28 inputs: with LiteRT's default kernels (XNNPACK, whose
kernels differ by CPU) each output may differ by at most one quantization step (1/256 of probability
for the int8 model); with the reference kernels (BUILTIN_REF) they must be bit-identical.

Usage: python3 scripts/pi/compare_predictions.py X86.jsonl PI.jsonl [--outputs]
Prints one summary line (and the first differences); exit status 1 when the runs differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MAX_DEFAULT_KERNEL_STEPS = 1  # quantization steps the default kernels' outputs may differ by


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


def output_steps(reference: dict, candidate: dict) -> tuple[int, int]:
    """How many quantization steps apart the two runs' raw outputs are, at most: (default kernels,
    reference kernels). A different input or output length counts as infinitely far."""
    if reference.get("path") != candidate.get("path"):
        return sys.maxsize, sys.maxsize

    def steps(kernels: str) -> int:
        a, b = reference[kernels], candidate[kernels]
        if len(a) != len(b):
            return sys.maxsize
        return max((abs(x - y) for x, y in zip(a, b, strict=True)), default=0)

    return steps("default"), steps("reference")


def outputs_agree(reference: dict, candidate: dict) -> bool:
    """Within one step with the default kernels, bit-identical with the reference kernels."""
    default, exact = output_steps(reference, candidate)
    return default <= MAX_DEFAULT_KERNEL_STEPS and exact == 0


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument(
        "--outputs", action="store_true", help="raw interpreter outputs (model_outputs.py), not predictions"
    )
    args = parser.parse_args()
    reference, candidate = read_lines(args.reference), read_lines(args.candidate)
    if len(reference) != len(candidate):
        print(f"DIFFERENT: {len(reference)} vs {len(candidate)} lines")
        return 1
    pairs = list(zip(reference, candidate, strict=True))
    if args.outputs:
        differing = [i for i, (a, b) in enumerate(pairs) if not outputs_agree(a, b)]
        steps = [output_steps(a, b) for a, b in pairs]
        default, exact = (max((s[k] for s in steps), default=0) for k in (0, 1))
        print(
            f"{'DIFFERENT' if differing else 'EQUAL'}: {len(pairs) - len(differing)}/{len(pairs)} inputs; "
            f"default kernels differ by <= {default} step(s) (allowed {MAX_DEFAULT_KERNEL_STEPS}), "
            f"reference kernels by {exact} (allowed 0)"
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
