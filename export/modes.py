"""The one table of quantization modes: every export, every check and `--quantize` go through it.

Each mode carries its rules (the I/O tensor types it can have, whether it needs calibration images,
whether the per-layer debugger applies) and `plan_exports` is the one place that checks options
against them. No mode name is compared as a string anywhere else. TensorFlow is imported only by
the functions that configure a converter, so the CLI can offer the choices without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from ground.errors import EdgeError

Converter = object  # a tf.lite.TFLiteConverter
RepresentativeData = Callable[[], object]
FLOAT_IO = "float32"


def _no_change(converter: Converter, calibration: RepresentativeData | None) -> None:
    """float32: the graph as trained."""


def _float16(converter: Converter, calibration: RepresentativeData | None) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]


def _dynamic(converter: Converter, calibration: RepresentativeData | None) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]


def _int8(converter: Converter, calibration: RepresentativeData | None) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]


@dataclass(frozen=True)
class QuantMode:
    """A TFLite export flavour: how to configure the converter, and the rules of its options."""

    name: str
    description: str
    configure: Callable[[Converter, RepresentativeData | None], None]
    io_types: tuple[str, ...] = (FLOAT_IO,)  # the I/O tensor types it can have; the first is its own
    needs_calibration: bool = False  # integer activations: representative images set their ranges
    layer_debugger: bool = False  # `--debug`: TFLite's QuantizationDebugger compares it layer by layer

    @property
    def io_type(self) -> str:
        """The mode's own I/O tensor type."""
        return self.io_types[0]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Target:
    """One file to export: a mode and the I/O tensor type it gets."""

    mode: QuantMode
    io_type: str

    @property
    def file_name(self) -> str:
        """`model_int8.tflite`; `model_int8_uint8io.tflite` when the I/O type is not the mode's own."""
        suffix = f"_{self.io_type}io" if self.io_type != self.mode.io_type else ""
        return f"model_{self.mode.name}{suffix}.tflite"

    @property
    def description(self) -> str:
        return f"{self.mode.description}, {self.io_type} I/O"


def as_target(target: Target | QuantMode) -> Target:
    """`target`, or a mode alone with its own I/O type."""
    return Target(target, target.io_type) if isinstance(target, QuantMode) else target


MODES: dict[str, QuantMode] = {
    m.name: m
    for m in (
        QuantMode("float32", "float32 weights and activations", _no_change),
        QuantMode("float16", "float16 weights, float32 compute", _float16),
        QuantMode("dynamic", "int8 weights, float activations (dynamic range)", _dynamic),
        QuantMode(
            "int8",
            "int8 weights and activations, integer-only ops",
            _int8,
            io_types=("int8", "uint8"),
            needs_calibration=True,
            layer_debugger=True,
        ),
    )
}
REFERENCE = MODES["float32"]  # the unquantized model: the report compares sizes with it
ALL = "all"  # `--quantize all`: every mode, in table order
SELECTIONS: dict[str, tuple[QuantMode, ...]] = {
    **{name: (mode,) for name, mode in MODES.items()},
    ALL: tuple(MODES.values()),
}
# The CLI's choices, rejected at parse time: `--quantize` names a selection, `--input-type` an I/O
# type that some mode can choose (float I/O is not a choice: it is the float modes' only one).
Quantize = Enum("Quantize", {name: name for name in SELECTIONS}, type=str)
InputType = Enum(
    "InputType",
    {t: t for mode in MODES.values() if len(mode.io_types) > 1 for t in mode.io_types},
    type=str,
)


def selected_modes(quantize: Quantize) -> tuple[QuantMode, ...]:
    """The modes `--quantize` names ("all": every mode)."""
    return SELECTIONS[Quantize(quantize).value]


def plan_exports(
    modes: Sequence[QuantMode], input_type: str | None = None, debug: bool = False
) -> list[Target]:
    """The one check of the options against the modes' rules: one Target per mode, or an EdgeError.

    `input_type` must suit at least one of `modes`; modes it does not suit keep their own type
    (`--quantize all --input-type uint8` gives uint8 I/O to int8 only). `debug` needs a mode the
    layer debugger applies to.
    """
    if input_type is not None and not any(input_type in m.io_types for m in modes):
        takers = [m.name for m in MODES.values() if input_type in m.io_types]
        if not takers:
            raise EdgeError(f"unknown --input-type {input_type!r}: choose {' or '.join(InputType)}")
        raise EdgeError(
            f"--input-type {input_type} applies to {' and '.join(takers)} export only "
            f"(use --quantize {' or '.join([*takers, ALL])})"
        )
    if debug and not any(m.layer_debugger for m in modes):
        debuggable = [m.name for m in MODES.values() if m.layer_debugger]
        raise EdgeError(
            f"--debug analyses the {' and '.join(debuggable)} model: "
            f"use --quantize {' or '.join([*debuggable, ALL])}"
        )
    return [Target(m, input_type if input_type in m.io_types else m.io_type) for m in modes]
