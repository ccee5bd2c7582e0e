"""Tiny `.tflite` models built byte by byte from the TFLite schema (no TensorFlow), for the runtime's
checks: one FULLY_CONNECTED layer from the 28x28x1 float input to `classes` float outputs."""

from __future__ import annotations

from collections.abc import Callable

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

from ground.contract import IMAGE_SIDE
from ground.model_metadata import embed_contract

PIXELS = IMAGE_SIDE * IMAGE_SIDE


def _tensor(name: bytes, shape: list[int], buffer: int):
    tensor = schema.TensorT()
    tensor.name, tensor.shape, tensor.type, tensor.buffer = name, shape, schema.TensorType.FLOAT32, buffer
    return tensor


def _buffer(values: np.ndarray | None):
    buffer = schema.BufferT()
    buffer.data = None if values is None else np.frombuffer(values.astype("<f4").tobytes(), np.uint8)
    return buffer


def dense_model(
    classes: int = 10,
    answer: int = 3,
    weight: float = 0.0,
    output_name: bytes = b"probabilities",
    labels: list[str] | None = None,
    edit: Callable[[schema.ModelT], None] | None = None,
) -> bytes:
    """A model that answers probability 1 for class `answer` (plus `weight` times the pixel sum, so
    weight=nan answers NaN); with `labels` it carries them in its own metadata. `edit` changes its
    object tree (`ModelT`: tensors 0 pixels, 1 weights, 2 bias, 3 output) before it is written."""
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.FULLY_CONNECTED
    code.version = 1
    bias = np.zeros(classes, np.float32)
    bias[answer] = 1.0
    graph = schema.SubGraphT()
    graph.tensors = [
        _tensor(b"pixels", [1, IMAGE_SIDE, IMAGE_SIDE, 1], 0),
        _tensor(b"weights", [classes, PIXELS], 1),
        _tensor(b"bias", [classes], 2),
        _tensor(output_name, [1, classes], 0),
    ]
    op = schema.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0, 1, 2], [3]
    op.builtinOptionsType = schema.BuiltinOptions.FullyConnectedOptions
    op.builtinOptions = schema.FullyConnectedOptionsT()
    graph.operators, graph.inputs, graph.outputs = [op], [0], [3]
    model = schema.ModelT()
    model.version, model.operatorCodes, model.subgraphs = 3, [code], [graph]
    model.buffers = [_buffer(None), _buffer(np.full((classes, PIXELS), weight, np.float32)), _buffer(bias)]
    if edit is not None:
        edit(model)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    data = bytes(builder.Output())
    return embed_contract(data, labels) if labels is not None else data
