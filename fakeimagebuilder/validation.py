r"""Model-driven checks of a value against a botocore shape.

Every constraint the model states is enforced: required members, JSON types
(an ``integer`` holds 32 bits, a ``long`` 64, signed, as in Smithy), string
length, pattern and enum, list and map size, numeric range, through nested
structures. botocore checks only required, type and ``min`` client-side,
so the rest (an ARN's pattern, a 65-character token, an ``aws:`` tag key, 51
tags) reaches the service and is answered here.

Each shape is compiled once into a checking function; a check raises
:class:`Violation` at the first broken rule.

The regex dialect: AWS checks a ``pattern`` with ``java.util.regex``, and
the whole value must match (an unanchored pattern such as ``[\w+=,.@-]+``
refuses a name with a space in it). :func:`java_pattern` is the one place
the model's patterns are translated into Python's dialect with exactly that
meaning: ``\s`` is ``[ \t\n\x0B\f\r]`` only (not ``\x1c``-``\x1f``,
``\x85`` or other Unicode spaces), ``\d`` is ``[0-9]``, ``\w`` is
``[a-zA-Z0-9_]``, ``.`` stops at Java's line terminators (``\n``, ``\r``,
``\x85``, ``\u2028``, ``\u2029``), ``$`` also matches before one final line
terminator, and the match is of the whole value. A construct with no exact
translation is refused when the pattern is compiled, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

__all__ = ["Violation", "check", "checker", "java_pattern", "type_violation"]

Checker = Callable[[Any, str], None]


class Violation(Exception):
    """A value breaks a rule of its shape.

    ``rule`` is one of ``type``, ``required``, ``min``, ``max``, ``pattern``,
    ``enum`` (and ``unicode``, from the wire: text holding a lone surrogate);
    ``path`` names the member (``tags``, ``distributions[0].region``).
    """

    def __init__(self, rule: str, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.rule = rule
        self.path = path
        self.detail = detail


# Keyed by identity; the shape is kept alive beside its checker so an id is never reused.
_CACHE: dict[int, tuple[Shape, Checker]] = {}

_JSON_TYPE_NAMES = {
    "structure": "an object",
    "map": "an object",
    "list": "an array",
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "timestamp": "a timestamp",
    "blob": "a base64 string",
}


# Java's line terminators (without UNIX_LINES): what "." does not match and "$" may precede.
_TERMINATOR = "\\n\\r\\x85\\u2028\\u2029"
_ANY = f"[^{_TERMINATOR}]"
_END = f"(?=(?:\\r\\n|[{_TERMINATOR}])?\\Z)"
# Escapes that mean the same in both dialects once Python's re.ASCII makes \s, \d and \w ASCII-only.
_SAME_ESCAPES = frozenset("sSdDwWtnrfxu")


def java_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` (java.util.regex, as AWS matches it) as a Python regex with the same meaning.

    Use ``fullmatch``: AWS matches the whole value. Raises ValueError for a
    construct with no exact translation here (nested or intersected classes,
    ``\\b``, ``\\p{...}``, quoting, octal escapes, ...).
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if (escaped.isalnum() and escaped not in _SAME_ESCAPES) or pattern.startswith("\\x{", i):
                raise ValueError(f"pattern {pattern!r} uses \\{escaped}, which has no exact translation")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "[" or pattern.startswith("&&", i) or (char == "]" and out[-1] in ("[", "[^")):
                raise ValueError(f"pattern {pattern!r} nests, intersects or empties a character class")
            in_class = char != "]"
            out.append(char)
        elif char == "(" and pattern.startswith("(?", i):
            # Groups and lookarounds read alike; flags would change what "." and "$" mean, and
            # named groups are spelled differently.
            if not pattern.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!"), i):
                raise ValueError(f"pattern {pattern!r} uses a group construct with no exact translation")
            out.append(char)
        elif char == "[":
            in_class = True
            negated = pattern.startswith("[^", i)
            out.append("[^" if negated else "[")
            i += 2 if negated else 1
            continue
        elif char == ".":
            out.append(_ANY)
        elif char == "$":
            out.append(_END)
        else:
            out.append(char)
        i += 1
    return re.compile("".join(out), re.ASCII)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# What a Smithy integer and long hold: 32-bit and 64-bit signed. A value outside cannot be read into the member (a
# Java Integer, an SDK's Int), so it is a malformed body, as for a value of the wrong type.
_INTEGER_BITS = {"integer": 32, "long": 64}
_INTEGER_RANGES = {kind: (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) for kind, bits in _INTEGER_BITS.items()}


def _fits(kind: str) -> Callable[[Any], bool]:
    low, high = _INTEGER_RANGES[kind]
    return lambda value: _is_integer(value) and low <= value <= high


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# What each shape type accepts from JSON; shared by the compiled checks and type_violation.
_TYPE_OK: dict[str, Callable[[Any], bool]] = {
    "structure": lambda value: isinstance(value, dict),
    "map": lambda value: isinstance(value, dict),
    "list": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _fits("integer"),
    "long": _fits("long"),
    "float": _is_number,
    "double": _is_number,
    "timestamp": lambda value: isinstance(value, int | float | str) and not isinstance(value, bool),
    "blob": lambda value: isinstance(value, str | bytes),
}


def _type_error(shape: Shape, path: str, value: Any) -> Violation:
    kind = shape.type_name
    if kind in _INTEGER_RANGES and _is_integer(value):
        low, high = _INTEGER_RANGES[kind]
        return Violation(
            "type", path, f"expected a {_INTEGER_BITS[kind]}-bit integer (from {low} to {high}), got one out of range"
        )
    return Violation("type", path, f"expected {_JSON_TYPE_NAMES.get(kind, kind)}, got {type(value).__name__}")


def _length_checks(shape: Shape, unit: str) -> Callable[[int, str], None]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")

    def check_length(length: int, path: str) -> None:
        if low is not None and length < low:
            raise Violation("min", path, f"must have {unit} greater than or equal to {low}")
        if high is not None and length > high:
            raise Violation("max", path, f"must have {unit} less than or equal to {high}")

    return check_length


def _string(shape: Shape) -> Checker:
    length = _length_checks(shape, "length")
    pattern_text = shape.metadata.get("pattern")
    pattern = java_pattern(pattern_text) if pattern_text else None
    enum = frozenset(shape.enum) if shape.enum else None

    def check_string(value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _type_error(shape, path, value)
        length(len(value), path)
        if pattern is not None and pattern.fullmatch(value) is None:
            raise Violation("pattern", path, f"must match pattern {pattern_text}")
        if enum is not None and value not in enum:
            raise Violation("enum", path, f"must be one of [{', '.join(shape.enum)}]")

    return check_string


def _number(shape: Shape) -> Checker:
    accepts = _TYPE_OK[shape.type_name]
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")

    def check_number(value: Any, path: str) -> None:
        if not accepts(value):
            raise _type_error(shape, path, value)
        if low is not None and value < low:
            raise Violation("min", path, f"must be greater than or equal to {low}")
        if high is not None and value > high:
            raise Violation("max", path, f"must be less than or equal to {high}")

    return check_number


def _typed(shape: Shape) -> Checker:
    """A shape with no constraint but its JSON type (boolean, timestamp, blob)."""
    accepts = _TYPE_OK[shape.type_name]

    def check_type(value: Any, path: str) -> None:
        if not accepts(value):
            raise _type_error(shape, path, value)

    return check_type


def _list(shape: Shape, building: dict[str, Checker]) -> Checker:
    length = _length_checks(shape, "size")
    member = _compile(shape.member, building)

    def check_list(value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _type_error(shape, path, value)
        length(len(value), path)
        for index, item in enumerate(value):
            if item is None:
                raise Violation("type", f"{path}[{index}]", "must not be null")
            member(item, f"{path}[{index}]")

    return check_list


def _map(shape: Shape, building: dict[str, Checker]) -> Checker:
    length = _length_checks(shape, "size")
    key = _compile(shape.key, building)
    item = _compile(shape.value, building)

    def check_map(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _type_error(shape, path, value)
        length(len(value), path)
        for k, v in value.items():
            try:
                key(k, path)
            except Violation as bad:
                # Name the map and the key apart: "'tags' key 'aws:x' must match pattern ...".
                raise Violation(bad.rule, path, f"key '{k}' {bad.detail}") from None
            if v is None:
                raise Violation("type", f"{path}['{k}']", "must not be null")
            item(v, f"{path}['{k}']")

    return check_map


def _structure(shape: Shape, building: dict[str, Checker]) -> Checker:
    members: dict[str, Checker] = {}
    required = tuple(shape.required_members)

    def check_structure(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _type_error(shape, path, value)
        for name in required:
            if value.get(name) is None:
                raise Violation("required", f"{path}.{name}" if path else name, "is required")
        for name, item in value.items():
            check = members.get(name)
            # Unknown members are ignored, as AWS's JSON services do.
            if check is not None and item is not None:
                check(item, f"{path}.{name}" if path else name)

    # Known by name while its members compile, so a recursive shape resolves to this
    # (botocore makes a new Shape object for every reference, so ids would never repeat).
    building[shape.name] = check_structure
    for name, member_shape in shape.members.items():
        members[name] = _compile(member_shape, building)
    return check_structure


def checker(shape: Shape) -> Checker:
    """The compiled check for ``shape`` (built once, then cached)."""
    return _compile(shape, {})


def _compile(shape: Shape, building: dict[str, Checker]) -> Checker:
    found = _CACHE.get(id(shape))
    if found is not None:
        return found[1]
    kind = shape.type_name
    if kind == "structure":
        if shape.name in building:
            return building[shape.name]
        built = _structure(shape, building)
    elif kind == "string":
        built = _string(shape)
    elif kind in ("integer", "long", "float", "double"):
        built = _number(shape)
    elif kind in ("boolean", "timestamp", "blob"):
        built = _typed(shape)
    elif kind == "list":
        built = _list(shape, building)
    elif kind == "map":
        built = _map(shape, building)
    else:
        raise TypeError(f"shape {shape.name} has unsupported type {kind}")
    # Published only when complete: another thread must never get a checker still being built.
    _CACHE[id(shape)] = (shape, built)
    return built


def check(shape: Shape, value: Any, path: str = "") -> None:
    """Raise :class:`Violation` if ``value`` breaks any rule of ``shape``."""
    checker(shape)(value, path)


def type_violation(shape: Shape, value: Any, path: str = "") -> Violation | None:
    """The first member of the wrong JSON type (or a null in a list or map), anywhere in ``value``.

    A service reads the body before it checks constraints, so a wrongly typed
    member is what it reports even when a constraint elsewhere also breaks.
    Walked only on the error path, so it is not compiled.
    """
    kind = shape.type_name
    if not _TYPE_OK[kind](value):
        return _type_error(shape, path, value)
    if kind == "structure":
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None:
                found = type_violation(member, item, f"{path}.{name}" if path else name)
                if found is not None:
                    return found
    elif kind in ("list", "map"):
        items = enumerate(value) if kind == "list" else value.items()
        inner = shape.member if kind == "list" else shape.value
        for index, item in items:
            where = f"{path}[{index}]" if kind == "list" else f"{path}['{index}']"
            if item is None:
                return Violation("type", where, "must not be null")
            found = type_violation(inner, item, where)
            if found is not None:
                return found
    return None
