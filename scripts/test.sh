#!/usr/bin/env bash
# Run the whole test suite, twice:
#   1. in ./.venv with everything (the train extra: TensorFlow), created on a fresh machine;
#   2. in ./.venv-runtime, a venv holding only what a device installs (`pip install -e .`, no train
#      extra, no TensorFlow) plus pytest: the runtime's tests must pass there, and the tests that need
#      the train extra skip, saying why (the `train_extra` marker in tests/conftest.py). It gets the
#      `mqtt` extra and Playwright too, for `edge serve`'s tests.
# Extra arguments go to both pytest runs (e.g. scripts/test.sh -k export). RUNTIME_VENV moves stage 2's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
source scripts/test_packages.sh
if [ -z "${EDGE_MNIST:-}" ] && [ -f ../shared/data/mnist.npz ]; then
  export EDGE_MNIST="$PWD/../shared/data/mnist.npz"
fi
echo "== 1/2 all tests, with the train extra (TensorFlow)"
.venv/bin/python -m pytest "$@"

echo "== 2/2 the runtime alone: pip install -e . (no TensorFlow)"
runtime=${RUNTIME_VENV:-.venv-runtime}
if [ ! -x "$runtime/bin/python" ]; then
  "$PYTHON" -m venv "$runtime"
fi
stamp=$runtime/.installed-$(cat pyproject.toml .venv/constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  "$runtime/bin/python" -m pip install --quiet --upgrade pip
  "$runtime/bin/python" -m pip install --quiet -c .venv/constraints.txt -e '.[mqtt]' pytest playwright
  touch "$stamp"
fi
if "$runtime/bin/python" -c "import tensorflow" 2>/dev/null; then
  echo "error: $runtime has TensorFlow: it must hold the runtime only" >&2
  exit 1
fi
exec "$runtime/bin/python" -m pytest -p no:cacheprovider "$@"
