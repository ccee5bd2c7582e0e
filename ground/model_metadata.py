"""A `.tflite` that describes itself: its labels and input contract in the flatbuffer's own metadata.

TFLite's schema gives every model a list of named metadata entries (`Model.metadata`), each pointing at
a buffer; the converter already writes two (`min_runtime_version`, `CONVERSION_METADATA`). `edge export`
adds one more, `edge_digits`, holding UTF-8 JSON:

    {"format_version": 1, "labels": ["0", ..., "9"], "input_shape": [28, 28, 1], "pixel_contract": {...}}

so a lone model file runs with its own labels. The interpreter ignores entries it does not know.

Reading also checks the flatbuffer's structure (every table, vector and index the interpreter will
follow lies inside the file) before the native interpreter sees it: a damaged file becomes one
EdgeError here instead of a crash there. Needs only the `flatbuffers` package and the schema that
ai-edge-litert ships; no TensorFlow.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from ground.contract import INPUT_SHAPE, LABELS, PIXEL_CONTRACT
from ground.errors import EdgeError

METADATA_NAME = "edge_digits"
METADATA_FORMAT_VERSION = 1
TFLITE_IDENTIFIER = b"TFL3"
MAX_TENSOR_RANK = 8
MAX_TENSOR_BYTES = 2**31  # a flatbuffer cannot hold more; a larger shape is a damaged one
# bits per element of the tensor types whose size follows from their shape (not STRING, RESOURCE, ...)
ELEMENT_BITS = {
    "FLOAT32": 32, "FLOAT16": 16, "BFLOAT16": 16, "FLOAT64": 64, "FLOAT8_E4M3FN": 8, "FLOAT8_E5M2": 8,
    "INT64": 64, "INT32": 32, "INT16": 16, "INT8": 8, "INT4": 4, "INT2": 2,
    "UINT64": 64, "UINT32": 32, "UINT16": 16, "UINT8": 8, "UINT4": 4,
    "BOOL": 8, "COMPLEX64": 64, "COMPLEX128": 128,
}  # fmt: skip


def _schema():
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError:
        raise EdgeError("reading a model file needs ai-edge-litert (pip install ai-edge-litert)") from None
    return schema_py_generated


def contract_record(
    labels: list[str] | tuple[str, ...] = LABELS, accept_threshold: float | None = None
) -> dict:
    """What a model says about itself: its labels, input contract and (when export set one) the top
    probability a region needs to count as a digit."""
    record = {
        "format_version": METADATA_FORMAT_VERSION,
        "labels": list(labels),
        "input_shape": list(INPUT_SHAPE),
        "pixel_contract": PIXEL_CONTRACT,
    }
    if accept_threshold is not None:
        record["accept_threshold"] = float(accept_threshold)
    return record


# ---- read side (the runtime) ---------------------------------------------------------------------


def check_tflite_identifier(head: bytes, name: str = "model") -> None:
    """EdgeError (naming `name`) unless `head`, a file's first 8 or more bytes, carries the TFLite
    flatbuffer identifier."""
    if len(head) < 8 or head[4:8] != TFLITE_IDENTIFIER:
        raise EdgeError(f"{name}: not a TFLite model (no {TFLITE_IDENTIFIER.decode()} identifier)")


def parse_model(model_bytes: bytes, name: str = "model"):
    """The flatbuffer's object tree (a `ModelT`), after checking that the interpreter can walk it.

    EdgeError (naming `name`) when the file is not a well-formed TFLite model.
    """
    schema = _schema()
    check_tflite_identifier(model_bytes, name)
    try:
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(model_bytes, 0))
    except (struct.error, IndexError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise EdgeError(f"{name}: damaged TFLite model (its flatbuffer does not parse: {exc})") from None
    problem = _structure_problem(model, len(model_bytes))
    if problem:
        raise EdgeError(f"{name}: damaged TFLite model ({problem})")
    return model


def _structure_problem(model, file_size: int) -> str | None:
    """The first thing in `model` the interpreter would trust and that is not so, else None: an index
    or offset outside what exists, a constant whose bytes do not fit its shape and type, an operator
    reading a tensor nothing has produced yet."""
    buffers, codes = model.buffers or [], model.operatorCodes or []
    if not model.subgraphs:
        return "no subgraph"
    if len(model.subgraphs) != 1:
        return f"{len(model.subgraphs)} subgraphs, a digit classifier has one"
    for index, code in enumerate(codes):
        if not _is_utf8(code.customCode):
            return f"op code {index} has a custom name that is not UTF-8"
    for index, buffer in enumerate(buffers):
        if buffer.offset and (buffer.offset < 8 or buffer.offset + buffer.size > file_size):
            return f"buffer {index} lies outside the file"
    for index, entry in enumerate(model.metadata or []):
        if not 0 <= entry.buffer < len(buffers):
            return f"metadata entry {index} names buffer {entry.buffer} of {len(buffers)}"
    graph = model.subgraphs[0]
    tensors = graph.tensors or []
    for index, tensor in enumerate(tensors):
        problem = _tensor_problem(tensor, buffers)
        if problem:
            return f"tensor {index} {problem}"
    return _graph_problem(graph, tensors, buffers, len(codes))


def _tensor_problem(tensor, buffers: list) -> str | None:
    """What is wrong with one tensor (its name, buffer index, shape, quantization, constant bytes)."""
    types = _schema().TensorType
    if not _is_utf8(tensor.name):
        return "has a name that is not UTF-8"
    if not 0 <= tensor.buffer < max(len(buffers), 1):
        return f"names buffer {tensor.buffer} of {len(buffers)}"
    shape, signature = _indices(tensor.shape), _indices(tensor.shapeSignature)
    if len(shape) > MAX_TENSOR_RANK or any(d < -1 for d in shape):
        return f"has shape {shape}"
    if signature and not _fits_signature(shape, signature):
        return f"has shape {shape}, unlike its signature {signature}"
    if tensor.type in (types.INT8, types.UINT8, types.INT16) and not _quantized(tensor.quantization):
        return "is an integer tensor without a valid scale and zero point"  # its kernels need a scale
    bits = next((b for name, b in ELEMENT_BITS.items() if getattr(types, name, None) == tensor.type), None)
    if bits is None or any(d < 0 for d in shape):
        return None  # a type or a dynamic shape whose size cannot be told from here
    size = (int(np.prod(shape, dtype=object)) * bits + 7) // 8
    if size > MAX_TENSOR_BYTES:
        return f"of shape {shape} would take {size:,} bytes"
    stored = _stored_bytes(buffers[tensor.buffer]) if buffers else 0
    if stored and stored != size and tensor.sparsity is None and not tensor.externalBuffer:
        return f"of shape {shape} needs {size:,} bytes, its buffer {tensor.buffer} holds {stored:,}"
    return None


def _fits_signature(shape: list[int], signature: list[int]) -> bool:
    """Whether a stored shape is its signature's, with 1 for each dynamic (-1) dimension, as the
    converter writes it (a batch of 168,720 in the input's shape makes the interpreter crawl)."""
    return len(shape) == len(signature) and all(
        d == (1 if s == -1 else s) for d, s in zip(shape, signature, strict=True)
    )


def _graph_problem(graph, tensors: list, buffers: list, code_count: int) -> str | None:
    """What is wrong with the graph's wiring: indices out of range, or a tensor read before any
    operator produces it (in the order the interpreter runs them), written twice, or a constant written."""
    tensor_count = len(tensors)
    inputs, outputs = _indices(graph.inputs), _indices(graph.outputs)
    if not inputs or not outputs:
        return "the graph has no input or no output"
    for role, indices in (("input", inputs), ("output", outputs)):
        if any(not 0 <= i < tensor_count for i in indices):
            return f"an {role} names a tensor that does not exist"
    variables = {index for index, tensor in enumerate(tensors) if tensor.isVariable}  # state, rewritten
    written = set(inputs) | _constants(tensors, buffers)  # then, each operator's outputs in turn
    for index, op in enumerate(graph.operators or []):
        if not 0 <= op.opcodeIndex < code_count:
            return f"operator {index} names op code {op.opcodeIndex} of {code_count}"
        reads, writes = _indices(op.inputs), _indices(op.outputs)
        if any(not -1 <= i < tensor_count for i in reads) or any(not 0 <= i < tensor_count for i in writes):
            return f"operator {index} names a tensor that does not exist"
        unwritten = [i for i in reads if i != -1 and i not in written | variables]
        if unwritten:
            return f"operator {index} reads tensor {unwritten[0]} before anything produces it"
        rewritten = [i for i in writes if i in written - variables]
        if rewritten:
            return f"operator {index} writes tensor {rewritten[0]}, an input, a constant or another's output"
        written.update(writes)
    missing = [i for i in outputs if i not in written | variables]
    return f"the graph's output {missing[0]} is never produced" if missing else None


def _constants(tensors: list, buffers: list) -> set[int]:
    """Indices of the tensors that hold data of their own (weights)."""
    return {
        index
        for index, tensor in enumerate(tensors)
        if 0 <= tensor.buffer < len(buffers) and _stored_bytes(buffers[tensor.buffer])
    }


def _stored_bytes(buffer) -> int:
    """How many bytes a buffer holds, inside the flatbuffer or past its end (`offset`, `size`)."""
    return int(buffer.size) if buffer.offset else 0 if buffer.data is None else len(buffer.data)


def _quantized(parameters) -> bool:
    """True when quantization `parameters` hold matching, finite, positive scales and zero points
    (integer kernels abort the process on anything else)."""
    if parameters is None or parameters.scale is None or parameters.zeroPoint is None:
        return False
    scales = np.asarray(parameters.scale, dtype=np.float64)
    return (
        scales.size > 0
        and scales.size == len(parameters.zeroPoint)
        and bool(np.all(np.isfinite(scales)) and np.all(scales > 0))
    )


def _is_utf8(text: bytes | None) -> bool:
    try:
        (text or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _indices(vector) -> list[int]:
    """A flatbuffer int vector (None, a list or a numpy array) as a list of ints."""
    return [] if vector is None else [int(i) for i in vector]


def read_contract(model, name: str = "model") -> dict | None:
    """The `edge_digits` metadata of a parsed model (see `parse_model`), or None when it has none.

    EdgeError when the entry is there but unreadable or holds labels that are not a list of strings.
    """
    buffers = model.buffers or []
    for entry in model.metadata or []:
        if entry.name != METADATA_NAME.encode():
            continue
        data = buffers[entry.buffer].data
        try:
            record = json.loads(bytes(data if data is not None else b"").decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise EdgeError(f"{name}: unreadable {METADATA_NAME} metadata ({exc})") from None
        if not isinstance(record, dict):
            raise EdgeError(f"{name}: {METADATA_NAME} metadata is not a JSON object")
        labels = record.get("labels")
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise EdgeError(f"{name}: the labels in its {METADATA_NAME} metadata are not a list of strings")
        return record
    return None


# ---- write side (`edge export`) ------------------------------------------------------------------

BUFFER_ALIGNMENT = 16  # the schema's `force_align: 16` on Buffer.data, which the Python packer skips


class _AlignedBuffer:
    """One entry of `ModelT.buffers` that packs its bytes 16-byte aligned, as TFLite's own writer does."""

    def __init__(self, schema, data) -> None:
        self.schema, self.data = schema, None if data is None else bytes(data)

    def Pack(self, builder):  # noqa: N802 - the name ModelT.Pack calls
        vector = None
        if self.data is not None:
            builder.StartVector(1, len(self.data), BUFFER_ALIGNMENT)
            builder.head -= len(self.data)
            builder.Bytes[builder.head : builder.head + len(self.data)] = self.data
            vector = builder.EndVector()
        self.schema.BufferStart(builder)
        if vector is not None:
            self.schema.BufferAddData(builder, vector)
        return self.schema.BufferEnd(builder)


def embed_contract(
    model_bytes: bytes, labels: list[str] | tuple[str, ...] = LABELS, accept_threshold: float | None = None
) -> bytes:
    """`model_bytes` with an `edge_digits` metadata entry (replacing any earlier one)."""
    import flatbuffers

    schema = _schema()
    model = parse_model(model_bytes)
    if any(buffer.offset for buffer in model.buffers or []):
        raise EdgeError("cannot add metadata to a model whose buffers lie outside its flatbuffer (>2 GB)")
    payload = json.dumps(contract_record(labels, accept_threshold), separators=(",", ":")).encode("utf-8")
    model.buffers = [_AlignedBuffer(schema, buffer.data) for buffer in model.buffers]
    model.buffers.append(_AlignedBuffer(schema, payload))
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in model.metadata or [] if m.name != METADATA_NAME.encode()] + [entry]
    builder = flatbuffers.Builder(len(model_bytes) + len(payload) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=TFLITE_IDENTIFIER)
    return bytes(builder.Output())
