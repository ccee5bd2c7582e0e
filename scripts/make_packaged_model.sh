#!/usr/bin/env bash
# Remake the ready model the package ships (edge_runtime/models/): model_int8.tflite (+ its .json
# manifest) and line_reader_int8.tflite. The recipe: the default `edge train` (the notebook's network,
# outlier exposure on generated non-digits), then the reading fine-tune (4 epochs at 3e-4 with many
# more pieces of touching digits cut as the runtime cuts them, right ones labelled, wrong ones as
# non-digits), then the line reader (`edge train-reader`, beside it), exported to int8 with their gates
# and acceptance thresholds; `edge export` embeds the labels, input contract and threshold in the digit
# model itself, and names the reader in its manifest. The manifest's `provenance` records this recipe,
# the commit it ran on and the headline figures. The tests use these same files (no TensorFlow or MNIST).
# Takes about two hours on 2 cores. Usage: scripts/make_packaged_model.sh [MNIST.npz]
#
# `scripts/make_packaged_model.sh --metadata-only` instead (re)embeds the metadata into the packaged
# model as it is, without training, and records the new size and sha256 in its manifest (seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
models=edge_runtime/models
if [[ ${1:-} == --metadata-only ]]; then
  .venv/bin/python - <<'PY'
from pathlib import Path

from ground.manifest import read_manifest, sha256_bytes, write_manifest
from ground.model_metadata import embed_contract

model = Path("edge_runtime/models/model_int8.tflite")
manifest = read_manifest(model)
data = embed_contract(model.read_bytes(), accept_threshold=manifest["rejection"]["threshold"])
manifest["file"] = {"size_bytes": len(data), "sha256": sha256_bytes(data)}
model.write_bytes(data)
write_manifest(model, manifest)
PY
else
  data=${1:-${EDGE_MNIST:-../shared/data/mnist.npz}}
  run=$(mktemp -d)
  trap 'rm -rf "$run"' EXIT
  .venv/bin/edge train --data "$data" --out "$run/resnet"
  .venv/bin/edge train --data "$data" --out "$run/reading" --init-from "$run/resnet/model.keras" \
    --epochs 4 --learning-rate 3e-4 --cut-digits 0.8
  .venv/bin/edge train-reader --data "$data" --model-dir "$run/reading" --seed 1  # the shipped reader's seed
  .venv/bin/edge export "$run/reading/model.keras" --quantize int8 --data "$data" --out "$run/models"
  cp "$run/models/model_int8.tflite" "$run/models/model_int8.json" "$run/models/line_reader_int8.tflite" \
    "$models/"
  COMMIT=$(git rev-parse --short HEAD) .venv/bin/python - <<'PY'
import os
from pathlib import Path

from ground.manifest import read_manifest, write_manifest

model = Path("edge_runtime/models/model_int8.tflite")
manifest = read_manifest(model)
manifest["provenance"] = {
    "recipe": "scripts/make_packaged_model.sh",
    "digit_model_commit": os.environ["COMMIT"],
    "line_reader_commit": os.environ["COMMIT"],
    "figures": {
        "mnist_test_accuracy_pct": manifest["validation"]["tflite_accuracy_pct"],
        "line_reader_exact_pct": manifest["line_reader"]["validation"]["exact_pct"],
    },
}
write_manifest(model, manifest)
PY
fi
echo "$models/model_int8.tflite: $(stat -c %s $models/model_int8.tflite) bytes," \
  "line_reader_int8.tflite: $(stat -c %s $models/line_reader_int8.tflite) bytes"
