"""How well a model rejects what is not a digit: the acceptance threshold and the rejection rates.

The score of an image is the model's top probability. The threshold is set on real digits so that
at most a given share of them (1% by default) falls below it; everything scoring lower is rejected.
"""

from __future__ import annotations

import keras
import numpy as np

from train.evaluate import predict_probs
from train.negatives import KINDS, font_files, negative_images

MAX_DIGITS_REJECTED = 0.005  # photographed digits score lower than clean ones: they reject about 3x this
REPORT_NEGATIVES = 2000
HELD_OUT_SEED_OFFSET = 10_000  # report negatives never coincide with the training ones


def acceptance_threshold(digit_scores: np.ndarray, max_rejected: float = MAX_DIGITS_REJECTED) -> float:
    """The highest threshold that rejects at most `max_rejected` of these real digits' top scores."""
    scores = np.sort(np.asarray(digit_scores, np.float64))
    allowed = int(np.floor(max_rejected * len(scores)))  # this many may fall strictly below
    return float(scores[min(allowed, len(scores) - 1)])


def rejection_report(model: keras.Model, digits: np.ndarray, pool: np.ndarray, seed: int) -> dict:
    """Threshold at 1% of `digits` rejected, and the share of held-out generated negatives rejected.

    The negatives use other seeds and the held-out font families (when installed); `pool` gives
    the digits cut into fragments and pairs.
    """
    digit_scores = predict_probs(model, digits).max(axis=1)
    threshold = acceptance_threshold(digit_scores)
    rng = np.random.default_rng(seed + HELD_OUT_SEED_OFFSET)
    fonts = font_files(held_out=True)
    by_kind = {}
    for i, kind in enumerate(KINDS):
        images = negative_images(
            REPORT_NEGATIVES // len(KINDS), pool, int(rng.integers(2**31)) + i, fonts, [kind]
        )
        by_kind[kind.name] = round(
            100 * float((predict_probs(model, images).max(axis=1) < threshold).mean()), 2
        )
    return {
        "method": "max-softmax",
        "threshold": round(threshold, 6),
        "digits_rejected_pct": round(100 * float((digit_scores < threshold).mean()), 3),
        "negatives_rejected_pct": round(float(np.mean(list(by_kind.values()))), 2),
        "negatives_rejected_pct_by_kind": by_kind,
    }
