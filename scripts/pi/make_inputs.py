"""Write the emulated-Pi check's inputs: photos of digits on paper (PNG) and a short video (MJPG .avi).

Digits come from the MNIST test set when $EDGE_MNIST (or ../shared/data/mnist.npz) is there, else they
are drawn with OpenCV fonts. Seeded, so the x86 and the emulated runs see the very same files.

Usage: .venv/bin/python scripts/pi/make_inputs.py OUT_DIR [--images 20] [--video-numbers 4]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from edge_runtime.samples import drawn_digit, paper_photo, video_frames, write_image, write_video

REPO = Path(__file__).resolve().parents[2]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist.npz"


def digit_source(rng: np.random.Generator):
    """A function digit(label) → 28x28 MNIST-style image: a real test digit when MNIST is at hand."""
    path = Path(os.environ.get("EDGE_MNIST", SHARED_MNIST))
    if not path.is_file():
        return lambda label: drawn_digit(label, rng)
    from train.data import load_mnist

    mnist = load_mnist(path)
    return lambda label: mnist.x_test[rng.choice(np.flatnonzero(mnist.y_test == label))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--images", type=int, default=20, help="single-digit photos")
    parser.add_argument(
        "--video-numbers", type=int, default=4, help="numbers shown in the video, 5 frames each"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    digit = digit_source(rng)
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.images):
        label = i % 10
        write_image(args.out / f"photo_{i:02d}_digit{label}.png", paper_photo([digit(label)], rng))
    numbers = [
        [digit(int(d)) for d in rng.integers(0, 10, size=int(rng.integers(1, 4)))]
        for _ in range(args.video_numbers)
    ]
    write_video(args.out / "video.avi", video_frames(numbers, rng))
    print(f"{args.images} photos and a {5 * args.video_numbers}-frame video in {args.out}")


if __name__ == "__main__":
    main()
