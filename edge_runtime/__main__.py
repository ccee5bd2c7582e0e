"""`python -m edge_runtime` runs the device's `edge` command (no training, no export)."""

import sys

try:
    from edge_runtime.cli import main
except ModuleNotFoundError as exc:  # a venv made but never filled, or the wrong Python
    sys.exit(
        f"error: {sys.executable} lacks the Python package {exc.name!r}: "
        "pip install -r requirements.txt (in a bundle) or pip install -e . (in the repository)"
    )

main()
