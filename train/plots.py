"""Training curves and confusion-matrix figures (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SHORT_RUN_EPOCHS = 2  # up to this many epochs, the training curves are drawn step by step


def plot_curves(
    history: dict[str, list[float]], path: Path, steps: dict[str, list[float]] | None = None
) -> None:
    """Accuracy and loss per epoch, train vs validation (and the user's held-back samples, when
    trained with them), side by side (as the notebook plots). A run of one or two epochs draws the
    training's running figures after every step (`steps`: `StepHistory`'s), from epoch 0."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    by_step = steps is not None and len(steps["epoch"]) > 0 and len(epochs) <= SHORT_RUN_EPOCHS
    for ax, metric, title in ((axes[0], "accuracy", "Accuracy"), (axes[1], "loss", "Loss")):
        if by_step:
            ax.plot(steps["epoch"], steps[metric], label=f"train {metric} (running mean over the epoch)")
        else:
            ax.plot(epochs, history[metric], marker="o", label=f"train {metric}")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], marker="o", label=f"validation {metric}")
        if f"extra_{metric}" in history:  # the user's held-back samples (--extra-data), apart from MNIST
            ax.plot(epochs, history[f"extra_{metric}"], marker="s", label=f"your held-back samples {metric}")
        ax.set_xlim(0 if by_step else 0.5, len(epochs) + (0.05 if by_step else 0.5))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=not by_step, steps=[1, 2, 5, 10]))
        _finish_axes(ax, title)
    _save(fig, path)


def plot_reader_curves(history: dict[str, list[float]], path: Path) -> None:
    """The line reader's training: validation lines read exactly, and the CTC loss, per epoch."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, 100 * np.asarray(history["val_exact"]), marker="o", label="validation lines")
    axes[1].plot(epochs, history["loss"], marker="o", label="train CTC loss")
    for ax, title in ((axes[0], "Lines read exactly (%)"), (axes[1], "Loss")):
        _finish_axes(ax, title)
    _save(fig, path)


def _finish_axes(ax, title: str) -> None:
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.grid(True)
    ax.legend()


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, path: Path, title: str = "Test confusion matrix") -> None:
    """Confusion matrix heat map with counts; the diagonal is drawn on a log colour scale."""
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    image = ax.imshow(np.log1p(matrix), cmap="Blues")
    threshold = np.log1p(matrix).max() / 2
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            color = "white" if np.log1p(count) > threshold else "black"
            ax.text(j, i, str(count), ha="center", va="center", fontsize=8, color=color)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    _save(fig, path)
