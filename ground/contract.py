"""The input contract between training, export and the runtime, written once.

A model takes raw 0-255 pixels of a 28x28 single-channel image, white digit on black (as MNIST),
in NHWC layout (batch, 28, 28, 1); scaling happens inside the model. It answers 10 probabilities,
one per label "0".."9".
"""

from __future__ import annotations

IMAGE_SIDE = 28
IMAGE_SHAPE = (IMAGE_SIDE, IMAGE_SIDE)
INPUT_SHAPE = (IMAGE_SIDE, IMAGE_SIDE, 1)
LABELS = tuple(str(digit) for digit in range(10))
NUM_CLASSES = len(LABELS)
# a dataset's folder of non-digits: `edge collect` writes it (for a model with a reject output),
# `edge train --extra-data` reads it
REJECT_LABEL = "reject"
PIXEL_CONTRACT = {
    "layout": f"NHWC (batch, {IMAGE_SIDE}, {IMAGE_SIDE}, 1)",
    "range": [0, 255],
    "polarity": "white digit on black background (as MNIST)",
    "scaling": "inside the model: feed raw pixels",
}

# The line reader (optional): one ink group of up to `LINE_MAX_DIGITS` touching digits, read whole.
LINE_HEIGHT, LINE_WIDTH = 32, 160  # its input: (batch, 32, 160, 1) raw pixels, white ink on black
LINE_INK_HEIGHT = 24  # the group's ink is scaled to this many rows (MNIST digits are 20 of 28)
LINE_SHAPE = (LINE_HEIGHT, LINE_WIDTH)
LINE_STEPS = LINE_WIDTH // 4  # its output: (batch, 40, 11), per column step a blank then "0".."9"
LINE_BLANK = 0  # the CTC blank's index in that output; label d is index d + 1
LINE_MAX_DIGITS = 6
