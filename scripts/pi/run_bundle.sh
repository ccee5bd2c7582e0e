#!/bin/sh
# Run a bundle's launcher on the emulated-Pi check's inputs: the same command on x86 and on the Pi.
# Usage, from the folder that holds bundle/ and inputs/:  run_bundle.sh NAME
# Writes NAME.classify.jsonl (every photo) and NAME.webcam.jsonl (the video, headless); prints timings.
set -eu
name=${1:?usage: run_bundle.sh NAME}
model=$(ls bundle/*.tflite)
seconds() { date +%s.%N; }
start=$(seconds)
bundle/edge classify "$model" inputs/*.png --json > "$name.classify.jsonl"
middle=$(seconds)
bundle/edge webcam "$model" --source inputs/video.avi --headless --json > "$name.webcam.jsonl"
end=$(seconds)
awk "BEGIN { printf \"$name: classify %.1f s, webcam %.1f s\\n\", $middle - $start, $end - $middle }"
