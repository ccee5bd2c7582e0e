"""What a `.tflite` file holds: I/O tensors, the ops it runs, which of them XNNPACK takes, its labels,
and how it stands with its manifest.

Works on any TFLite model (not only digit classifiers), through the same interpreter loader as the
runtime. The op list comes from the interpreter's node details (`_get_ops_details`, private but
present in ai-edge-litert, tflite-runtime and tf.lite alike). Knowing which ops the default XNNPACK
delegate takes explains most speed differences between modes (an op it leaves out runs on the
slower builtin kernels).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from edge_runtime.interpreter import ModelFile, load_interpreter, open_model_file, read_model_bytes
from ground.errors import EdgeError, path_fields
from ground.manifest import accept_threshold_of, content_mismatches, line_reader_of, line_reader_path

DELEGATE_NODE = "DELEGATE"


@dataclass(frozen=True)
class TensorInfo:
    """One input or output tensor; `scale`/`zero_point` are None for a float (unquantized) tensor."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    scale: float | None
    zero_point: int | None


@dataclass(frozen=True)
class OpInfo:
    """One node of the graph; `xnnpack` tells whether the XNNPACK delegate runs it (None: unknown)."""

    index: int
    name: str
    xnnpack: bool | None


@dataclass(frozen=True)
class LineReaderInfo:
    """The line reader a manifest names: its file, and how that file stands with the record
    ("verified", "mismatch", "missing" or "unreadable")."""

    model_file: str
    status: str
    accept_threshold: float | None


@dataclass(frozen=True)
class ModelInfo:
    """Everything `edge info` shows about a model file."""

    path: Path
    size_bytes: int
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    ops: list[OpInfo]
    labels: list[str]
    labels_from: str  # "model" (its own metadata), "manifest" or "default"
    verdict: str  # how the file stands with its manifest (see edge_runtime.interpreter)
    manifest: dict | None
    accept_threshold: float  # the top probability a region needs to count as a digit
    line_reader: LineReaderInfo | None  # None: the manifest names no line reader

    def op_counts(self) -> dict[str, int]:
        """Op name → how many nodes use it, in order of first use."""
        return dict(Counter(op.name for op in self.ops))

    def ops_outside_xnnpack(self) -> list[str] | None:
        """Names of the ops the XNNPACK delegate leaves to the builtin kernels (None: unknown)."""
        if any(op.xnnpack is None for op in self.ops):
            return None
        return [op.name for op in self.ops if not op.xnnpack]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        data = asdict(self)
        data.update(path_fields(self.path))
        data["op_counts"] = self.op_counts()
        data["ops_outside_xnnpack"] = self.ops_outside_xnnpack()
        return data


def _tensor_info(details: dict) -> TensorInfo:
    scale, zero_point = details["quantization"]
    quantized = scale != 0.0
    return TensorInfo(
        name=details["name"],
        shape=tuple(int(d) for d in details["shape"]),
        dtype=details["dtype"].__name__,
        scale=float(scale) if quantized else None,
        zero_point=int(zero_point) if quantized else None,
    )


def _load_unfused(model: ModelFile):
    """An interpreter whose XNNPACK delegate takes each op as a DELEGATE node of its own (with the op's
    outputs), so the nodes it took can be told; the flag is False where the interpreter lacks that option."""
    try:
        return load_interpreter(model, threads=1, experimental_disable_delegate_node_fusion=True), True
    except TypeError:  # older tf.lite / tflite-runtime
        return load_interpreter(model, threads=1), False


def _labels_from(file: ModelFile) -> str:
    if file.contract is not None:
        return "model"
    return "manifest" if (file.manifest or {}).get("labels") is not None else "default"


def line_reader_info(model_path: Path, manifest: dict | None) -> LineReaderInfo | None:
    """The line reader `manifest` names beside `model_path`, checked against its recorded size and
    sha256 (None when it names none)."""
    record = line_reader_of(manifest)
    if record is None:
        return None
    path = line_reader_path(model_path, record)
    if not path.exists():
        status = "missing"
    else:
        try:
            status = "mismatch" if content_mismatches(read_model_bytes(path), record) else "verified"
        except EdgeError:
            status = "unreadable"
    threshold = record.get("accept_threshold")
    return LineReaderInfo(path.name, status, float(threshold) if isinstance(threshold, int | float) else None)


def model_info(path: Path, verify: bool = True, allow_failed: bool = False) -> ModelInfo:
    """Inspect the TFLite model at `path` (EdgeError if it is not one, or is refused: see
    `open_model_file`)."""
    file = open_model_file(path, verify, allow_failed)
    interpreter, unfused = _load_unfused(file)
    nodes = interpreter._get_ops_details()  # the graph's ops, then the delegate's nodes
    delegated = {t for node in nodes if node["op_name"] == DELEGATE_NODE for t in node["outputs"]}
    ops = [
        OpInfo(
            index=int(node["index"]),
            name=node["op_name"],
            xnnpack=bool(set(node["outputs"]) & delegated) if unfused else None,
        )
        for node in nodes
        if node["op_name"] != DELEGATE_NODE
    ]
    return ModelInfo(
        path=file.path,
        size_bytes=len(file.data),
        inputs=[_tensor_info(d) for d in interpreter.get_input_details()],
        outputs=[_tensor_info(d) for d in interpreter.get_output_details()],
        ops=ops,
        labels=file.labels,
        labels_from=_labels_from(file),
        verdict=file.verdict,
        manifest=file.manifest,
        accept_threshold=accept_threshold_of(file.manifest, file.contract),
        line_reader=line_reader_info(file.path, file.manifest),
    )
