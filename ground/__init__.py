"""The ground floor every stage stands on: errors, atomic writes, quiet native logs, the model
manifest and the input contract. It imports no stage (`train`, `export`, `edge_runtime`, `edge_cli`)."""

__version__ = (
    "0.1.0"  # the one place the version is written: pyproject.toml reads it, `edge --version` prints it
)
