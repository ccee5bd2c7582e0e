"""Decoding the line reader: a second, optional model that reads a whole group of touching digits at once
(`interpreter.LineReader` runs it).

Its input is a group as `reading.inputs.to_line` draws it; its output, per 4-pixel column step, the
logits of a CTC blank and of the digits 0-9 (`train.reader`). Decoding is greedy: the best class of
each step, runs merged, blanks dropped. Each digit read keeps the steps it spans and its
probabilities where it peaks; a reading's confidence is its least confident digit's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ground.contract import LINE_BLANK, LINE_STEPS, LINE_WIDTH

STEP_COLUMNS = LINE_WIDTH // LINE_STEPS  # input columns per output step


@dataclass(frozen=True)
class LineDigit:
    """One digit of a line reading: the input columns it spans and its 10 digit probabilities."""

    start: float
    stop: float
    probabilities: np.ndarray


@dataclass(frozen=True)
class LineReading:
    """What the reader read in one group: its digits, left to right (none: no number)."""

    digits: list[LineDigit]

    @property
    def text(self) -> str:
        """The digits as a string."""
        return "".join(str(int(d.probabilities.argmax())) for d in self.digits)

    @property
    def confidence(self) -> float:
        """The least top probability of its digits (1.0 when it read none)."""
        return min((float(d.probabilities.max()) for d in self.digits), default=1.0)


def decode(logits: np.ndarray) -> LineReading:
    """Greedy CTC decoding of one line's (steps, 11) logits."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    digits, step = [], 0
    while step < len(best):
        end = step
        while end + 1 < len(best) and best[end + 1] == best[step]:
            end += 1
        if best[step] != LINE_BLANK:
            peak = step + int(probs[step : end + 1, best[step]].argmax())
            digits_there = np.delete(probs[peak], LINE_BLANK)  # the blank's share is left out
            digits.append(LineDigit(step * STEP_COLUMNS, (end + 1) * STEP_COLUMNS, digits_there))
        step = end + 1
    return LineReading(digits)
