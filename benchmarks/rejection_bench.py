"""Which way of rejecting non-digits works best? Three trainings of the same network, side by side.

  .venv/bin/python benchmarks/rejection_bench.py [--data mnist.npz] [--train-samples 20000] [--epochs 4]

1. plain: digits only; the score is the top softmax probability (what the runtime had before).
2. outlier exposure: generated non-digits with a uniform target; score = top probability (the default).
3. reject class: an 11th "not a digit" output trained on the same non-digits; score = the top
   probability among the ten digits.

Each is also scored by its energy (log-sum-exp of the ten digit logits, read off the last layer).
For every model and score the threshold is set to reject 1% of validation digits, and the table
shows the share of held-out generated non-digits (other seed, held-out fonts) it rejects, by kind,
and the MNIST test accuracy. Figures, not tests: the numbers depend on the subset and epochs.
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

from train.data import load_mnist
from train.model import build_resnet
from train.negatives import KINDS, font_files, negative_images
from train.objectives import targets
from train.rejection import HELD_OUT_SEED_OFFSET, acceptance_threshold
from train.training import augmentation, compile_model, make_dataset, split_train_validation

NEGATIVES_PER_DIGIT = 0.3
REPORT_PER_KIND = 250


def reject_class_model(base: keras.Model) -> keras.Model:
    """The same network with 11 outputs: the ten digits and "not a digit"."""
    features = base.get_layer("gap").output
    outputs = keras.layers.Dense(11, activation="softmax", name="probs11")(features)
    return keras.Model(base.input, outputs)


def digit_logits(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """The ten digit logits: the last Dense layer applied to the pooled features, without softmax."""
    dense = model.layers[-1]
    features = keras.Model(model.input, model.get_layer("gap").output).predict(
        images[..., None].astype(np.float32), batch_size=500, verbose=0
    )
    weights, bias = dense.get_weights()
    return (features @ weights + bias)[:, :10]


def scores(model: keras.Model, images: np.ndarray) -> dict[str, np.ndarray]:
    """Acceptance scores (higher = more digit-like): top digit probability and negative energy."""
    probs = model.predict(images[..., None].astype(np.float32), batch_size=500, verbose=0)
    logits = digit_logits(model, images)
    top = logits.max(axis=1, keepdims=True)
    log_sum_exp = (top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True)))[:, 0]
    return {"top probability": probs[:, :10].max(axis=1), "energy": log_sum_exp}


def train_variant(name: str, x: np.ndarray, y: np.ndarray, negatives: np.ndarray, epochs: int) -> keras.Model:
    """One of the three trainings on the same digits (and, but for "plain", the same negatives)."""
    keras.utils.set_random_seed(0)
    model = build_resnet(bn_momentum=0.9)
    if name == "plain":
        images, target = x, targets(y)
    elif name == "outlier exposure":
        images, target = np.concatenate([x, negatives]), targets(y, len(negatives))
    else:
        model = reject_class_model(model)
        images = np.concatenate([x, negatives])
        target = np.eye(11, dtype=np.float32)[np.concatenate([y, np.full(len(negatives), 10)])]
    steps = int(np.ceil(len(images) / 128)) * epochs
    compile_model(model, 2e-3, steps, weight_decay=0.02, label_smoothing=0.1)
    model.fit(make_dataset(images, target, 128, 0, augmentation()), epochs=epochs, shuffle=False, verbose=0)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="MNIST (default: $EDGE_MNIST or the Keras cache)")
    parser.add_argument("--train-samples", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()

    mnist = load_mnist(args.data)
    (x_tr, y_tr), (x_val, _) = split_train_validation(mnist.x_train, mnist.y_train, 0.2, 0)
    x_tr, y_tr = x_tr[: args.train_samples], y_tr[: args.train_samples]
    negatives = negative_images(int(NEGATIVES_PER_DIGIT * len(x_tr)), x_tr, seed=0)
    fonts = font_files(held_out=True)
    held_out = {
        k.name: negative_images(REPORT_PER_KIND, mnist.x_test, HELD_OUT_SEED_OFFSET + i, fonts, [k])
        for i, k in enumerate(KINDS)
    }
    print(
        f"{len(x_tr)} training digits, {len(negatives)} negatives, {args.epochs} epochs; threshold: 1% of "
        f"{len(x_val)} validation digits rejected; held-out negatives: {REPORT_PER_KIND} per kind\n"
    )
    header = f"{'training':<18} {'score':<16} {'test acc %':>10} {'negatives rejected %':>21}  by kind"
    print(header)
    for name in ("plain", "outlier exposure", "reject class"):
        start = time.perf_counter()
        model = train_variant(name, x_tr, y_tr, negatives, args.epochs)
        probs = model.predict(mnist.x_test[..., None].astype(np.float32), batch_size=500, verbose=0)
        accuracy = 100 * float((probs[:, :10].argmax(axis=1) == mnist.y_test).mean())
        validation = scores(model, x_val)
        for score in validation:
            threshold = acceptance_threshold(validation[score])
            rejected = {
                k: 100 * float((scores(model, v)[score] < threshold).mean()) for k, v in held_out.items()
            }
            kinds = " ".join(f"{k} {v:.0f}" for k, v in rejected.items())
            print(
                f"{name:<18} {score:<16} {accuracy:10.2f} {np.mean(list(rejected.values())):21.1f}  {kinds}"
            )
        print(f"{'':<18} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
