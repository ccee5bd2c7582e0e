"""The ground floor every stage stands on: errors, atomic writes, quiet native logs, the model
manifest and the input contract. It imports no stage (`train`, `export`, `edge_runtime`, `edge_cli`)."""
