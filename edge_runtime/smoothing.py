"""Running summaries over the last few frames: the steady reading to display, and the FPS."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable


class ReadingSmoother:
    """The reading seen most often in the last `window` frames (ties go to the latest).

    A frame without a digit counts as a vote for "nothing", so the display clears once the
    digits have been gone for most of the window.
    """

    def __init__(self, window: int = 5) -> None:
        self._recent: deque[tuple[str | None, float]] = deque(maxlen=max(window, 1))

    def update(self, reading: str | None, confidence: float) -> tuple[str | None, float]:
        """Add this frame's reading; return the smoothed reading and its mean confidence."""
        self._recent.append((reading, confidence))
        votes = Counter(r for r, _ in self._recent)
        best = max(votes.values())
        winner = next(r for r, _ in reversed(self._recent) if votes[r] == best)
        scores = [c for r, c in self._recent if r == winner]
        return winner, sum(scores) / len(scores)


class FpsMeter:
    """Frames per second, averaged over the last `window` frames."""

    def __init__(self, window: int = 30, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._stamps: deque[float] = deque(maxlen=max(window, 1) + 1)

    def tick(self) -> float:
        """Record a frame; the average rate over the window (0 until two frames have been seen)."""
        self._stamps.append(self._clock())
        if len(self._stamps) < 2:
            return 0.0
        elapsed = self._stamps[-1] - self._stamps[0]
        return (len(self._stamps) - 1) / elapsed if elapsed > 0 else 0.0
