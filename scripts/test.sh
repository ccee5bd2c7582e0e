#!/usr/bin/env bash
# Run the whole test suite. Creates ./.venv with everything the tests need on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
if [ -z "${EDGE_MNIST:-}" ] && [ -f ../shared/data/mnist.npz ]; then
  export EDGE_MNIST="$PWD/../shared/data/mnist.npz"
fi
exec .venv/bin/python -m pytest "$@"
