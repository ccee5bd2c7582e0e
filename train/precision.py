"""bfloat16 mixed precision where the CPU computes in bfloat16 (AVX512-BF16 or AMX), float32 elsewhere.

Under `mixed_bfloat16` the layers compute in bfloat16 and keep float32 weights; the softmax output
stays float32 (`train.model`). The saved model is always float32 (`float32_copy`), so export and the
runtime see the same model either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import keras

CPUINFO = Path("/proc/cpuinfo")
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
PRECISIONS = ("float32", "bf16")  # --precision: bf16 applies only where the CPU supports it
MIXED_BF16 = "mixed_bfloat16"


def cpu_supports_bf16(cpuinfo: Path = CPUINFO) -> bool:
    """True when /proc/cpuinfo lists AVX512-BF16 or AMX-BF16 among the CPU's flags."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return False
    flags = {flag for line in text.splitlines() if line.startswith("flags") for flag in line.split()}
    return bool(flags & BF16_FLAGS)


def dtype_policy(precision: str, cpuinfo: Path = CPUINFO) -> str:
    """The Keras dtype policy `--precision` gives on this CPU: `mixed_bfloat16` for bf16 where the CPU
    supports it, else `float32`."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (expected one of {', '.join(PRECISIONS)})")
    return MIXED_BF16 if precision == "bf16" and cpu_supports_bf16(cpuinfo) else "float32"


@contextlib.contextmanager
def policy(name: str) -> Iterator[None]:
    """Build layers under the dtype policy `name` inside the block; the global policy is restored after."""
    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_dtype_policy(previous)


def float32_copy(model: keras.Model) -> keras.Model:
    """The same functional model with every layer in float32 (the weights are float32 already)."""
    config = model.get_config()
    for layer in config["layers"]:
        layer["config"]["dtype"] = "float32"
    with policy("float32"):
        copy = model.__class__.from_config(config)
    copy.set_weights(model.get_weights())
    return copy
