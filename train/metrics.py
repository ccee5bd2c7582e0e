"""Classification metrics from labels and predictions (numpy only), shared by train and export."""

from __future__ import annotations

import numpy as np

from ground.contract import NUM_CLASSES


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """10x10 counts: rows are true labels, columns predictions."""
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return matrix


def per_class_accuracy(matrix: np.ndarray) -> list[float]:
    """Recall of each class from a confusion matrix (NaN-free: 0 for an absent class)."""
    totals = matrix.sum(axis=1)
    return [float(matrix[i, i] / totals[i]) if totals[i] else 0.0 for i in range(len(matrix))]


def classification_report(y_true: np.ndarray, probs: np.ndarray) -> dict:
    """Accuracy, per-class accuracy and confusion matrix of softmax outputs `probs`."""
    y_pred = probs.argmax(axis=1)
    matrix = confusion_matrix(y_true, y_pred)
    return {
        "accuracy": float((y_pred == y_true).mean()),
        "per_class_accuracy": per_class_accuracy(matrix),
        "confusion_matrix": matrix.tolist(),
        "samples": int(len(y_true)),
    }


CHANCE_SIGMAS = 3  # a guesser's accuracy on n samples exceeds chance by 3 standard errors 0.13% of the time


def chance_bar(samples: int, classes: int = NUM_CLASSES) -> float:
    """The accuracy below which a model is near chance: twice chance (1/9 of the way from guessing to
    perfect: 0.2 for ten classes), or, on few samples, what a guesser reaches by luck (chance plus
    three standard errors), whichever is higher."""
    chance = 1 / classes
    luck = chance + CHANCE_SIGMAS * np.sqrt(chance * (1 - chance) / max(1, samples))
    return float(max(2 * chance, luck))


def near_chance(accuracy: float, samples: int, classes: int = NUM_CLASSES) -> bool:
    """True when `accuracy` on `samples` images is below `chance_bar`: the model has not learnt."""
    return accuracy < chance_bar(samples, classes)
