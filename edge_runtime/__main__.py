"""`python -m edge_runtime` runs the `edge` command."""

from edge_runtime.cli import main

main()
