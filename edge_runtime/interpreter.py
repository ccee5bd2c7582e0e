"""Run a `.tflite` digit classifier of any mode through the LiteRT interpreter (no TensorFlow).

The interpreter comes from `ai_edge_litert`; `tflite_runtime` and then TensorFlow's `tf.lite` are
used only when it is missing. Inputs are raw 0-255 pixels; int8/uint8 models get them quantized
with the input tensor's own scale and zero point, and their outputs are dequantized likewise.

A model is read once into memory and checked before the interpreter sees those same bytes: its
flatbuffer's structure (a damaged file is an EdgeError, not a native crash), then against the
manifest beside it, if any (size and sha256; a model whose export failed its gate is refused unless
allowed). A model no manifest vouches for (a lone copy, or one loaded with --no-verify) is first
test-loaded in a child process, once per file (`edge_runtime.model_probe`). Labels come from the
model's own metadata, else the manifest, else digits 0-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge_runtime.line_reader import LineReading, decode
from edge_runtime.litert import interpreter_class
from edge_runtime.model_probe import probe_model
from ground.contract import INPUT_SHAPE, LABELS, LINE_HEIGHT, LINE_STEPS, LINE_WIDTH, NUM_CLASSES
from ground.errors import EdgeError, first_line, printable
from ground.manifest import (
    STATUS_FAILED,
    accept_threshold_of,
    content_mismatches,
    labels_of,
    line_reader_of,
    line_reader_path,
    manifest_path,
    read_manifest,
)
from ground.model_metadata import check_tflite_identifier, parse_model, read_contract
from ground.quiet import native_output_silenced

MIN_TFLITE_BYTES = 64
MAX_TFLITE_BYTES = 2**31  # flatbuffers cannot exceed 2 GiB
MAX_THREADS = 64  # far past any Pi or laptop; LiteRT crashes (segfault) on absurd counts like 100000

VERIFIED = "verified"  # a manifest beside it records this very file, and its export passed
MISMATCH = "mismatch"  # the manifest records another file (loaded only with verify=False)
NO_MANIFEST = "no manifest"
FAILED_GATE = "failed gate"  # the manifest records this file, whose export failed its gate


class BrokenModelError(EdgeError):
    """The model itself misbehaves (e.g. answers NaN): no input will fare better, so stop at once."""


def check_tflite_file(path: Path) -> None:
    """Raise EdgeError unless `path` exists and has the size and identifier of a TFLite flatbuffer."""
    path = Path(path)
    if not path.is_file():
        raise EdgeError(f"model not found: {printable(path)}")
    size = path.stat().st_size
    if not MIN_TFLITE_BYTES <= size < MAX_TFLITE_BYTES:
        raise EdgeError(f"{printable(path)}: not a TFLite model ({size} bytes)")
    with path.open("rb") as handle:
        head = handle.read(8)
    check_tflite_identifier(head, printable(path))


def read_model_bytes(path: Path) -> bytes:
    """The bytes of the model file at `path` (EdgeError if it is missing or not sized as one)."""
    check_tflite_file(path)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise EdgeError(f"cannot read {printable(path)} ({exc.strerror or exc})") from None


@dataclass(frozen=True)
class ModelFile:
    """A model's bytes as read once, what it says about itself, and how it stands with its manifest."""

    path: Path
    data: bytes
    contract: dict | None  # the model's own `edge_digits` metadata
    manifest: dict | None
    verdict: str  # VERIFIED, MISMATCH, NO_MANIFEST or FAILED_GATE
    mismatches: tuple[str, ...] = ()

    @property
    def vouched_for(self) -> bool:
        """True when a manifest records this very file (its export ran it)."""
        return self.verdict in (VERIFIED, FAILED_GATE)

    @property
    def labels(self) -> list[str]:
        """The model's own labels, else its manifest's, else digits 0-9 (EdgeError if they disagree)."""
        own = self.contract["labels"] if self.contract else None
        declared = labels_of(self.manifest)
        if own is not None and len(own) != NUM_CLASSES:
            raise EdgeError(f"{printable(self.path)}: has {len(own)} labels, a digit model has {NUM_CLASSES}")
        if own is not None and declared is not None and own != declared:
            raise EdgeError(
                f"{printable(self.path)}: its own labels {own} differ from its manifest's {declared}"
            )
        return list(own or declared or LABELS)


def open_model_file(path: Path, verify: bool = True, allow_failed: bool = False) -> ModelFile:
    """Read and check the model at `path` (see the module's docstring); EdgeError when it is refused.

    `verify=False` loads a file whose manifest records another size or sha256; `allow_failed` one
    whose export failed its accuracy gate.
    """
    path = Path(path)
    data, name = read_model_bytes(path), printable(path)
    contract = read_contract(parse_model(data, name), name)
    manifest = read_manifest(path)
    if manifest is None:
        return ModelFile(path, data, contract, None, NO_MANIFEST)
    mismatches = tuple(content_mismatches(data, manifest))
    if mismatches and verify:
        raise EdgeError(
            f"{name} is not the file its manifest {printable(manifest_path(path).name)} records "
            f"({'; '.join(mismatches)}); re-export it, or use --no-verify to load it anyway"
        )
    failed = manifest.get("status") == STATUS_FAILED
    if failed and not allow_failed:
        raise EdgeError(
            f"{name} failed its export's accuracy gate (manifest status 'failed'); "
            "use --allow-failed to load it anyway"
        )
    verdict = MISMATCH if mismatches else FAILED_GATE if failed else VERIFIED
    return ModelFile(path, data, contract, manifest, verdict, mismatches)


def load_interpreter(model: ModelFile | Path | bytes, threads: int | None = None, **options):
    """An allocated interpreter for a model: a `ModelFile` (checked when it was opened, and test-loaded
    in a child process first unless its manifest vouches for it), or a file or flatbuffer bytes of the
    caller's own (checked first: `parse_model`).

    `options` go to the interpreter's constructor as they are (e.g. `experimental_op_resolver_type`).
    """
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        raise EdgeError(f"--threads must be between 1 and {MAX_THREADS}, not {threads}")
    make_interpreter = interpreter_class()
    if isinstance(model, ModelFile):
        name, data = printable(model.path), model.data
        if not model.vouched_for:
            probe_model(data, name)
    elif isinstance(model, bytes):
        name, data = "model", model
        parse_model(data, name)
    else:
        name, data = printable(model), read_model_bytes(model)
        parse_model(data, name)
    try:
        with native_output_silenced():  # LiteRT announces its XNNPACK delegate on stderr
            interpreter = make_interpreter(model_content=data, num_threads=threads, **options)
            interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise EdgeError(f"{name}: cannot load TFLite model: {first_line(exc)}") from exc
    return interpreter


def quantize(pixels: np.ndarray, dtype: np.dtype, scale: float, zero_point: int) -> np.ndarray:
    """Pixel values → integer tensor values of `dtype` (round, then clip to its range).

    uint8 pixels with scale 1 (what `edge export` produces) take an exact integer path, ~5x faster.
    """
    info = np.iinfo(dtype)
    if pixels.dtype == np.uint8 and scale == 1.0:
        return np.clip(pixels.astype(np.int16) + zero_point, info.min, info.max).astype(dtype)
    return np.clip(np.round(pixels.astype(np.float32) / scale + zero_point), info.min, info.max).astype(dtype)


class _SingleIOModel:
    """An allocated interpreter with one input and one output, called with raw values of any batch size
    and answering float32 (quantized tensors are converted both ways as their parameters say)."""

    def __init__(self, interpreter, path: Path) -> None:
        self.interpreter, self.path = interpreter, Path(path)
        name = printable(self.path)
        inputs, outputs = self.interpreter.get_input_details(), self.interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise EdgeError(f"{name}: {len(inputs)} inputs and {len(outputs)} outputs, expected one each")
        inp, out = inputs[0], outputs[0]
        self._input_index, self._output_index = inp["index"], out["index"]
        self.input_shape = tuple(int(d) for d in inp["shape"][1:])
        self.output_shape = tuple(int(d) for d in out["shape"][1:])
        self.input_dtype = np.dtype(inp["dtype"])
        self.input_quantization = (float(inp["quantization"][0]), int(inp["quantization"][1]))
        self.output_dtype = np.dtype(out["dtype"])
        self.output_quantization = (float(out["quantization"][0]), int(out["quantization"][1]))
        self._batch = int(inp["shape"][0])
        if self.input_dtype.kind not in "iuf" or self.output_dtype.kind not in "iuf":
            raise EdgeError(f"{name}: {self.input_dtype} input, {self.output_dtype} output: not numbers")

    def prepare(self, values: np.ndarray) -> np.ndarray:
        """Raw values (N, *input shape, with or without the channel) → the input tensor's dtype and layout."""
        x = np.asarray(values).reshape(-1, *self.input_shape)
        if self.input_dtype.kind in "iu":
            scale, zero_point = self.input_quantization
            return quantize(x, self.input_dtype, scale, zero_point)
        return x.astype(self.input_dtype, copy=False)

    def _invoke(self, batch: np.ndarray) -> np.ndarray:
        try:
            if len(batch) != self._batch:
                self.interpreter.resize_tensor_input(self._input_index, [len(batch), *self.input_shape])
                self.interpreter.allocate_tensors()
                self._batch = len(batch)
            self.interpreter.set_tensor(self._input_index, batch)
            self.interpreter.invoke()
            raw = self.interpreter.get_tensor(self._output_index)
        except (ValueError, RuntimeError) as exc:
            raise BrokenModelError(
                f"{printable(self.path)}: the TFLite interpreter failed: {first_line(exc)}"
            ) from exc
        if self.output_dtype.kind in "iu":
            scale, zero_point = self.output_quantization
            values = (raw.astype(np.float32) - zero_point) * scale
        else:
            values = raw.astype(np.float32, copy=False)
        if not np.isfinite(values).all():
            raise BrokenModelError(f"{printable(self.path)}: answered NaN or infinity (a broken model)")
        return values


class DigitModel(_SingleIOModel):
    """A `.tflite` digit classifier; any mode (float32/float16/dynamic/int8, int8 or uint8 I/O)."""

    def __init__(
        self,
        path: Path,
        threads: int | None = None,
        *,
        verify: bool = True,
        allow_failed: bool = False,
        line_reader: bool = True,
        **interpreter_options,
    ) -> None:
        self.file = open_model_file(path, verify, allow_failed)
        self.manifest, self.labels = self.file.manifest, self.file.labels
        self.accept_threshold = accept_threshold_of(self.manifest, self.file.contract)
        super().__init__(load_interpreter(self.file, threads, **interpreter_options), self.file.path)
        name = printable(self.path)
        if self.input_shape != INPUT_SHAPE:
            raise EdgeError(f"{name}: input shape {self.input_shape}, expected {INPUT_SHAPE}")
        if self.output_shape != (len(self.labels),):
            raise EdgeError(
                f"{name}: answers {self.output_shape} values per image, expected {len(self.labels)} "
                f"(one per label {', '.join(self.labels)})"
            )
        record = line_reader_of(self.manifest) if line_reader else None
        self.line_reader = (
            LineReader(line_reader_path(self.path, record), record, threads, verify) if record else None
        )

    def predict(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Raw 0-255 pixels (N, 28, 28) or (N, 28, 28, 1), uint8 or float → float32 probabilities (N, 10)."""
        x = self.prepare(images)
        outputs = [self._invoke(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        return np.concatenate(outputs) if outputs else np.zeros((0, len(self.labels)), np.float32)


class LineReader(_SingleIOModel):
    """A `.tflite` line reader, checked against the size and sha256 its digit model's manifest records."""

    def __init__(self, path: Path, record: dict, threads: int | None = None, verify: bool = True) -> None:
        data, name = read_model_bytes(Path(path)), printable(path)
        mismatches = content_mismatches(data, record)
        if mismatches and verify:
            raise EdgeError(f"{name} is not the line reader its manifest records ({'; '.join(mismatches)})")
        self.accept_threshold = float(record.get("accept_threshold", 1.0))
        if mismatches:  # loaded anyway (--no-verify): nothing vouches for it
            probe_model(data, name)
        super().__init__(load_interpreter(data, threads), path)
        if self.input_shape != (LINE_HEIGHT, LINE_WIDTH, 1) or self.output_shape != (
            LINE_STEPS,
            NUM_CLASSES + 1,
        ):
            raise EdgeError(
                f"{name}: not a line reader (input {self.input_shape}, output {self.output_shape})"
            )

    def read(self, lines: np.ndarray) -> list[LineReading]:
        """Read (N, 32, 160) uint8 line inputs."""
        if len(lines) == 0:
            return []
        return [decode(logits) for logits in self._invoke(self.prepare(lines))]
