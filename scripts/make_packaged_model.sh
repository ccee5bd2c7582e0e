#!/usr/bin/env bash
# Remake the ready model the package ships (edge_runtime/models/): model_int8.tflite (+ its .json
# manifest) and line_reader_int8.tflite. The recipe: `edge train` (the notebook's network, outlier
# exposure on generated non-digits, and digits in the styles of other surfaces: seven-segment,
# outlined, hairline, chalk, bold print, 0.2 per digit), then the reading fine-tune (4 epochs at 3e-4
# with many more pieces of touching digits cut as the runtime cuts them, right ones labelled, wrong
# ones as non-digits, and the surface digits again), then the line reader (`edge train-reader`,
# beside it), exported to int8 with their gates and acceptance thresholds; `edge export` embeds the
# labels, input contract and threshold in the digit model itself, and names the reader in its
# manifest. The manifest's `provenance` records this recipe, the commit it ran on and the headline
# figures. The tests use these same files (no TensorFlow or MNIST).
# Takes about two hours on 2 cores. Usage: scripts/make_packaged_model.sh [--keep-reader] [MNIST.npz]
#
# `--keep-reader` remakes the digit model only (about an hour) and keeps the packaged line reader, which
# does not depend on it: its file and its manifest record (figures, threshold, sha256) stay as they are.
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
  keep_reader=false
  if [[ ${1:-} == --keep-reader ]]; then
    keep_reader=true
    shift
  fi
  data=${1:-${EDGE_MNIST:-../shared/data/mnist.npz}}
  run=$(mktemp -d)
  trap 'rm -rf "$run"' EXIT
  .venv/bin/edge train --data "$data" --out "$run/resnet" --surface-digits 0.2
  .venv/bin/edge train --data "$data" --out "$run/reading" --init-from "$run/resnet/model.keras" \
    --epochs 4 --learning-rate 3e-4 --cut-digits 0.8 --surface-digits 0.2
  if $keep_reader; then
    cp "$models/model_int8.json" "$run/kept.json"
  else
    .venv/bin/edge train-reader --data "$data" --model-dir "$run/reading" --seed 1  # the shipped reader's seed
  fi
  .venv/bin/edge export "$run/reading/model.keras" --quantize int8 --data "$data" --out "$run/models"
  cp "$run/models/model_int8.tflite" "$run/models/model_int8.json" "$models/"
  $keep_reader || cp "$run/models/line_reader_int8.tflite" "$models/"
  COMMIT=$(git rev-parse --short HEAD) KEPT=$($keep_reader && echo "$run/kept.json" || true) .venv/bin/python - <<'PY'
import json
import os
from pathlib import Path

from ground.manifest import read_manifest, write_manifest

model = Path("edge_runtime/models/model_int8.tflite")
manifest = read_manifest(model)
reader_commit = os.environ["COMMIT"]
if os.environ["KEPT"]:  # --keep-reader: the packaged reader's record and commit, as they were
    kept = json.loads(Path(os.environ["KEPT"]).read_text())
    manifest["line_reader"] = kept["line_reader"]
    reader_commit = kept["provenance"]["line_reader_commit"]
manifest["provenance"] = {
    "recipe": "scripts/make_packaged_model.sh" + (" --keep-reader" if os.environ["KEPT"] else ""),
    "digit_model_commit": os.environ["COMMIT"],
    "line_reader_commit": reader_commit,
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
