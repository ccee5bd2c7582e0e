"""Which TFLite runtime runs models: `ai_edge_litert`, else `tflite_runtime`, else TensorFlow's `tf.lite`
(never imported unless the other two are missing)."""

from __future__ import annotations

import importlib

from ground.errors import EdgeError

_INTERPRETER_MODULES = ("ai_edge_litert.interpreter", "tflite_runtime.interpreter", "tensorflow.lite")


def interpreter_class():
    """The `Interpreter` class of the first TFLite runtime installed."""
    return importlib.import_module(_interpreter_module()).Interpreter


def runtime_version() -> str:
    """Which TFLite runtime loads models, and its version (e.g. `ai_edge_litert 2.3.0`)."""
    package = _interpreter_module().split(".")[0]
    return f"{package} {getattr(importlib.import_module(package), '__version__', 'unknown')}"


def _interpreter_module() -> str:
    for name in _INTERPRETER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return name
    raise EdgeError("no TFLite interpreter installed: pip install ai-edge-litert")
