"""The accuracy gate: a quantized model is accepted only if it stays close to the float model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # validate.py imports Keras; the gate's thresholds are read without it
    from export.validate import Validation

DEFAULT_MAX_DROP = 0.3  # percentage points of test accuracy
DEFAULT_MIN_AGREEMENT = 99.5  # percent of test images with the float model's top-1 class


@dataclass(frozen=True)
class GateResult:
    """The gate's thresholds and verdict on one model, as stored in the manifest's `gate`."""

    max_drop: float
    min_agreement: float
    failures: tuple[str, ...]  # one line per failed check (empty: passed)
    forced: bool  # failed, and kept anyway because of --force

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def limits(self) -> str:
        return f"drop <= {self.max_drop} pt, agreement >= {self.min_agreement}%"

    def joined(self, other: GateResult, name: str) -> GateResult:
        """This verdict with `other`'s failures (on another image set, called `name`) added."""
        failures = self.failures + tuple(f"{name}: {f}" for f in other.failures)
        return GateResult(self.max_drop, self.min_agreement, failures, self.forced or other.forced)

    def to_json(self) -> dict:
        return {
            "max_drop_pts": self.max_drop,
            "min_agreement_pct": self.min_agreement,
            "passed": self.passed,
            "failures": list(self.failures),
            "forced": self.forced,
        }


@dataclass(frozen=True)
class Gate:
    """Thresholds a validated model must meet (see `export.validate.compare` for the figures)."""

    max_drop: float = DEFAULT_MAX_DROP
    min_agreement: float = DEFAULT_MIN_AGREEMENT

    def failures(self, validation: Validation) -> list[str]:
        """One line per failed check, saying by how much it failed (empty: the model passes)."""
        problems = []
        drop, agreement = validation.drop_pts, validation.agreement_pct
        if drop > self.max_drop:
            problems.append(
                f"accuracy drop {drop:.2f} pt > --max-drop {self.max_drop:.2f} pt "
                f"(over by {drop - self.max_drop:.2f} pt)"
            )
        if agreement < self.min_agreement:
            problems.append(
                f"agreement {agreement:.2f}% < --min-agreement {self.min_agreement:.2f}% "
                f"(short by {self.min_agreement - agreement:.2f} pt)"
            )
        return problems

    def for_samples(self, samples: int) -> Gate:
        """The gate for a set of only `samples` images (the user's): each limit allows at least one
        image's difference (100/samples points), else one borderline image of 200 fails it."""
        one = 100.0 / max(samples, 1)
        return Gate(max(self.max_drop, one), min(self.min_agreement, 100.0 - one))

    def check(self, validation: Validation, force: bool = False) -> GateResult:
        """The verdict on `validation`; `force` marks a failed model as kept."""
        failures = tuple(self.failures(validation))
        return GateResult(self.max_drop, self.min_agreement, failures, forced=force and bool(failures))
