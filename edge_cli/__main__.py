"""`python -m edge_cli` runs the laptop's `edge` command."""

from edge_cli import main

main()
