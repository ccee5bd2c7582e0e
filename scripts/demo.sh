#!/usr/bin/env bash
# The whole pipeline, end to end, on a fresh machine:
#   read generated sample photos with the packaged model (the first minute, nothing trained) →
#   train (short demo run) → export int8 with the accuracy gate → bundle for the Pi →
#   classify generated photos and a generated "webcam" video through the bundle's launcher.
# Sets up ./.venv itself. MNIST comes from $EDGE_MNIST, else ../shared/data/mnist.npz, else the
# Keras download. DEMO_EPOCHS (default 3) and DEMO_OUT (default artifacts/demo) change the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
if [ -z "${EDGE_MNIST:-}" ] && [ -f ../shared/data/mnist.npz ]; then
  export EDGE_MNIST="$PWD/../shared/data/mnist.npz"
fi
out=${DEMO_OUT:-artifacts/demo}
edge=.venv/bin/edge
step() { printf '\n== %s\n' "$*"; }

step "1/6 generate sample photos and a video (digits on paper), and read them with the packaged model"
rm -rf "$out/samples"
$edge samples "$out/samples" --count 10 ${EDGE_MNIST:+--data "$EDGE_MNIST"}  # MNIST test digits when at hand
$edge classify "$out/samples"

step "2/6 train (${DEMO_EPOCHS:-3} epochs; the full default is 20)"
$edge train --epochs "${DEMO_EPOCHS:-3}" --out "$out/run" --overwrite

step "3/6 export int8, checked against the float model on the 10,000 test images"
rm -rf "$out/models"
$edge export "$out/run/model.keras" --quantize int8 --out "$out/models"

step "4/6 bundle for the Raspberry Pi"
rm -rf "$out/bundle"
$edge bundle "$out/models/model_int8.tflite" --out "$out/bundle"

step "5/6 classify with the bundle (runtime only: no TensorFlow is imported)"
export EDGE_PYTHON=$PWD/.venv/bin/python  # on a Pi: the bundle's own venv
"$out/bundle/edge" classify -m "$out/bundle/model_int8.tflite" "$out/samples"
# No camera here: the generated video stands in for one (on a Pi: --source picamera or --source 0).
"$out/bundle/edge" webcam -m "$out/bundle/model_int8.tflite" --source "$out/samples/digits.avi" --headless \
  --max-frames 40

step "6/6 summary"
.venv/bin/python - "$out" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
metrics = json.loads((out / "run" / "metrics.json").read_text())
manifest = json.loads((out / "models" / "model_int8.json").read_text())
v, gate = manifest["validation"], manifest["gate"]
print(f"  float Keras model:  {metrics['test_accuracy'] * 100:.2f}% on {metrics['samples']} test images")
print(f"  int8 TFLite model:  {v['tflite_accuracy_pct']:.2f}% (drop {v['drop_pts']:+.2f} pt, "
      f"agreement {v['agreement_pct']:.2f}%), {manifest['file']['size_bytes'] / 1024:.0f} KB")
print(f"  accuracy gate:      {'passed' if gate['passed'] else 'FAILED'} "
      f"(drop <= {gate['max_drop_pts']} pt, agreement >= {gate['min_agreement_pct']}%)")
PY
cat <<TXT
  run folder (model, metrics, curves):  $out/run
  int8 model + manifest:                $out/models
  Raspberry Pi bundle:                  $out/bundle   (copy it to the Pi; see its README.md)
  sample photos and video:              $out/samples
TXT
