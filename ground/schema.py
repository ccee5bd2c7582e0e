"""Checks for JSON we do not control: a nesting limit counted before parsing, and small composable
checks of every field's type and range.

A check is a function `(value, where)` that returns quietly or raises `SchemaError` naming the field
and the value it refuses: `line_reader.accept_threshold: expected a number in [0, 1], got "abc"`.
`where` is the field's path (`labels[3]`, `versions["numpy"]`), "" for the whole document.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

from ground.errors import EdgeError

Check = Callable[[Any, str], None]
SHOWN_CHARS = 60  # of a refused value, in the message
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # unterminated: to the end; linear
_BRACKET = re.compile(r"[\[\]{}]")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class SchemaError(EdgeError):
    """JSON text that cannot be parsed safely, or a value that breaks its schema."""


# ---- parsing ------------------------------------------------------------------------------------


def nesting_depth(text: str) -> int:
    """How deep the arrays and objects of JSON `text` nest (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json(text: str, max_depth: int) -> Any:
    """`text` parsed; SchemaError when it nests deeper than `max_depth` (counted first, so that no text
    can exhaust the parser's recursion), is not JSON, or repeats a key within an object."""
    depth = nesting_depth(text)
    if depth > max_depth:
        raise SchemaError(f"nested {depth:,} levels deep, more than {max_depth}")
    try:
        return json.loads(text, object_pairs_hook=_unrepeated)
    except ValueError as exc:  # JSONDecodeError, a repeated key, an integer of too many digits
        raise SchemaError(f"not valid JSON ({exc})") from None


def _unrepeated(pairs: list[tuple[str, Any]]) -> dict:
    found = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {json.dumps(key)} appears twice in one object")
        found[key] = value
    return found


# ---- checks -------------------------------------------------------------------------------------


def fail(where: str, expected: str, value: Any) -> NoReturn:
    """Raise the SchemaError of a field `where` that holds `value` instead of `expected`."""
    shown = json.dumps(value)
    if len(shown) > SHOWN_CHARS:
        shown = shown[: SHOWN_CHARS - 3] + "..."
    message = f"expected {expected}, got {shown}"
    raise SchemaError(f"{where}: {message}" if where else message)


def _field(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _is_number(value: Any) -> bool:
    return type(value) is int or (type(value) is float and math.isfinite(value))


def number(low: float = -math.inf, high: float = math.inf) -> Check:
    """A finite number (not a boolean) in [low, high]."""
    expected = f"a number in [{low:g}, {high:g}]" if high < math.inf else f"a number >= {low:g}"
    if low == -math.inf and high == math.inf:
        expected = "a number"

    def check(value: Any, where: str) -> None:
        if not (_is_number(value) and low <= value <= high):
            fail(where, expected, value)

    return check


def integer(low: int, high: int | None = None) -> Check:
    """An integer (not a float, not a boolean) in [low, high]."""
    expected = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"

    def check(value: Any, where: str) -> None:
        if not (type(value) is int and low <= value and (high is None or value <= high)):
            fail(where, expected, value)

    return check


def one_of(*choices: Any) -> Check:
    """Exactly one of `choices`, type included (`"failed"` is not `"FAILED"`, `1` is not `true`)."""
    shown = [json.dumps(choice) for choice in choices]
    expected = shown[0] if len(shown) == 1 else f"one of {', '.join(shown)}"

    def check(value: Any, where: str) -> None:
        if not any(type(value) is type(choice) and value == choice for choice in choices):
            fail(where, expected, value)

    return check


def text() -> Check:
    """A string."""

    def check(value: Any, where: str) -> None:
        if type(value) is not str:
            fail(where, "a string", value)

    return check


def boolean() -> Check:
    """true or false."""

    def check(value: Any, where: str) -> None:
        if type(value) is not bool:
            fail(where, "true or false", value)

    return check


def sha256() -> Check:
    """A hex SHA-256 digest, lowercase, as `hashlib` writes it."""

    def check(value: Any, where: str) -> None:
        if not (type(value) is str and _SHA256.fullmatch(value)):
            fail(where, "a sha256 (64 lowercase hex digits)", value)

    return check


def file_name() -> Check:
    """The name of a file in the same folder: no folder part, not "." or ".."."""

    def check(value: Any, where: str) -> None:
        if type(value) is not str or value in ("", ".", "..") or set(value) & set("/\\\0"):
            fail(where, "a file name beside the model (no folder)", value)

    return check


def timestamp() -> Check:
    """An ISO 8601 date and time, as `datetime.isoformat` writes it."""

    def check(value: Any, where: str) -> None:
        try:
            datetime.fromisoformat(value)
        except (TypeError, ValueError):
            fail(where, "an ISO 8601 time", value)

    return check


def nullable(inner: Check) -> Check:
    """null, or what `inner` accepts."""

    def check(value: Any, where: str) -> None:
        if value is not None:
            inner(value, where)

    return check


def list_of(item: Check, length: int | None = None) -> Check:
    """A list (of exactly `length` items, when given) whose every item `item` accepts."""
    expected = "a list" if length is None else f"a list of {length}"

    def check(value: Any, where: str) -> None:
        if type(value) is not list or (length is not None and len(value) != length):
            fail(where, expected, value)
        for i, element in enumerate(value):
            item(element, f"{where}[{i}]")

    return check


def mapping(item: Check) -> Check:
    """An object of any keys whose every value `item` accepts."""

    def check(value: Any, where: str) -> None:
        if type(value) is not dict:
            fail(where, "an object", value)
        for key, element in value.items():
            item(element, f"{where}[{json.dumps(key)}]")

    return check


def record(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    """An object with every `required` field, any of the `optional` ones, and no other."""
    fields = required | (optional or {})

    def check(value: Any, where: str) -> None:
        if type(value) is not dict:
            fail(where, "an object", value)
        for key, field in fields.items():
            if key in value:
                field(value[key], _field(where, key))
            elif key in required:
                raise SchemaError(f"{_field(where, key)}: missing")
        unknown = next((key for key in value if key not in fields), None)
        if unknown is not None:
            raise SchemaError(f"{where + ': ' if where else ''}unknown field {json.dumps(unknown)}")

    return check
