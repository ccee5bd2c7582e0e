"""`python -m edge_runtime` runs the device's `edge` command (no training, no export)."""

from edge_runtime.cli import main

main()
