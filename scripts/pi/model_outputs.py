"""The interpreter's raw outputs on 28x28 inputs, with the default kernels and with the reference ones.

Run with a bundle's Python and its runtime on the path (run_bundle.sh does), on x86 and on the Pi, so
that both interpreters see identical inputs. One JSON line per image: `path`, and the output tensor's
raw values (int8 for an int8 model: one step is the output scale, 1/256) as `default` (LiteRT's default
kernels: XNNPACK, whose kernels differ by CPU) and `reference` (BUILTIN_REF: the portable reference
kernels, which should be bit-identical everywhere).

Usage: PYTHONPATH=bundle python model_outputs.py MODEL.tflite CROPS_DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.interpreter import DigitModel


def raw_outputs(model: DigitModel, image: np.ndarray) -> list:
    """The output tensor as the interpreter wrote it (not dequantized), for one 28x28 image."""
    interpreter = model.interpreter
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], model.prepare(image[None]))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0].tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("crops", type=Path)
    args = parser.parse_args()
    from ai_edge_litert.interpreter import OpResolverType

    kernels = {
        "default": DigitModel(args.model, threads=1),
        "reference": DigitModel(
            args.model, threads=1, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
        ),
    }
    for path in sorted(args.crops.glob("*.png")):
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        line = {"path": path.name} | {name: raw_outputs(model, image) for name, model in kernels.items()}
        print(json.dumps(line))


if __name__ == "__main__":
    main()
