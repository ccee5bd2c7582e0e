#!/bin/sh
# Run a bundle's launcher on the emulated-Pi check's inputs: the same commands on x86 and on the Pi.
# Usage, from the folder that holds bundle/ and inputs/:  run_bundle.sh NAME
# Writes NAME.classify.jsonl (the photos), NAME.webcam.jsonl (the video, headless, every frame) and
# NAME.outputs.jsonl: the interpreter's raw outputs, default and reference kernels (model_outputs.py), for
# inputs/crops, the 28x28 inputs the x86 run's model saw (the x86 run, with no inputs/crops yet, writes
# them), so that both interpreters get identical inputs. Prints the timings.
set -eu
name=${1:?usage: run_bundle.sh NAME}
python=${EDGE_PYTHON:-bundle/venv/bin/python}  # as the launcher chooses it
# The digit model is the one its manifest names: the bundle holds other .tflite files (the line reader).
model=bundle/$("$python" -c '
import glob, json, sys
manifests = glob.glob("bundle/*.json")
if len(manifests) != 1:
    sys.exit(f"error: expected one model manifest in bundle/, found {len(manifests)}")
print(json.load(open(manifests[0]))["model_file"])
')
[ -f "$model" ] || { echo "error: the manifest names a missing model: $model" >&2; exit 1; }
save_crops=
[ -d inputs/crops ] || save_crops="--save-crops inputs/crops"
seconds() { date +%s.%N; }
start=$(seconds)
# shellcheck disable=SC2086  # $save_crops is empty or two words
bundle/edge classify -m "$model" inputs/*.png --json $save_crops > "$name.classify.jsonl"
middle=$(seconds)
bundle/edge webcam -m "$model" --source inputs/video.avi --headless --json --every-frame > "$name.webcam.jsonl"
end=$(seconds)
PYTHONPATH=bundle "$python" model_outputs.py "$model" inputs/crops > "$name.outputs.jsonl"
awk "BEGIN { printf \"$name: classify %.1f s, webcam %.1f s\\n\", $middle - $start, $end - $middle }"
