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
