"""EventBridge event patterns, for the fake's Python subscribers.

A pattern is a JSON object whose leaves are arrays of matchers; an event
matches when every field the pattern names matches (nested objects
recursively), and a leaf matches when any of its matchers matches the event's
value (or, for an array value, any element of it). Matchers, as the
EventBridge user guide lists them ("Event patterns", "Content filtering"):
exact values (strings, numbers, booleans, null), ``prefix``, ``suffix``,
``equals-ignore-case``, ``wildcard``, ``anything-but`` (a value, a list, or a
``prefix``/``suffix``/``equals-ignore-case``), ``exists``, ``numeric`` (up to two
comparisons) and ``$or``. Matchers see leaf values only: a field holding an
object is absent for them (``exists: false`` matches it), as EventBridge's
"Exists matching only works on leaf nodes" says. A malformed pattern raises
ValueError when compiled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["compile_pattern", "matches"]

Matcher = Callable[[Any, bool], bool]
"""``matcher(value, present)``: whether a field with ``value`` (or absent, ``present`` False) matches."""

_MISSING = object()
_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string_test(kind: str, operand: Any) -> Callable[[Any], bool]:
    """A test of one value for ``prefix``, ``suffix``, ``equals-ignore-case`` or ``wildcard``."""
    if kind in ("prefix", "suffix") and isinstance(operand, Mapping):
        # {"prefix": {"equals-ignore-case": "x"}}
        if set(operand) != {"equals-ignore-case"} or not isinstance(operand["equals-ignore-case"], str):
            raise ValueError(f"{kind} takes a string or {{'equals-ignore-case': string}}, not {operand!r}")
        folded = operand["equals-ignore-case"].casefold()
        if kind == "prefix":
            return lambda v: isinstance(v, str) and v.casefold().startswith(folded)
        return lambda v: isinstance(v, str) and v.casefold().endswith(folded)
    if not isinstance(operand, str):
        raise ValueError(f"{kind} takes a string, not {operand!r}")
    if kind == "prefix":
        return lambda v: isinstance(v, str) and v.startswith(operand)
    if kind == "suffix":
        return lambda v: isinstance(v, str) and v.endswith(operand)
    if kind == "equals-ignore-case":
        folded = operand.casefold()
        return lambda v: isinstance(v, str) and v.casefold() == folded
    # wildcard: * stands for any run of characters; \* is a literal star.
    parts = re.split(r"(?<!\\)\*", operand)
    regex = re.compile(".*".join(re.escape(part.replace("\\*", "*")) for part in parts), re.DOTALL)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


def _numeric(operand: Any) -> Callable[[Any], bool]:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise ValueError(f"numeric takes [op, number] or [op, number, op, number], not {operand!r}")
    checks = []
    for op, bound in zip(operand[::2], operand[1::2], strict=True):
        if op not in _NUMERIC_OPS or not _is_number(bound):
            raise ValueError(f"numeric takes operators {sorted(_NUMERIC_OPS)} and numbers, not {op!r} {bound!r}")
        checks.append((_NUMERIC_OPS[op], bound))
    return lambda v: _is_number(v) and all(check(v, bound) for check, bound in checks)


def _exact(expected: Any) -> Callable[[Any], bool]:
    if _is_number(expected):
        return lambda v: _is_number(v) and v == expected
    return lambda v: type(v) is type(expected) and v == expected


def _anything_but(operand: Any) -> Callable[[Any], bool]:
    if isinstance(operand, Mapping):
        if len(operand) != 1 or next(iter(operand)) not in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
            raise ValueError(f"anything-but takes a value, a list, or one of prefix/suffix/..., not {operand!r}")
        (kind, inner), = operand.items()
        tests = [_string_test(kind, item) for item in (inner if isinstance(inner, list) else [inner])]
        return lambda v: not any(test(v) for test in tests)
    values = operand if isinstance(operand, list) else [operand]
    for value in values:
        if isinstance(value, Mapping | list):
            raise ValueError(f"anything-but takes strings or numbers, not {value!r}")
    excluded = [_exact(value) for value in values]
    return lambda v: not any(test(v) for test in excluded)


def _leaf(rule: Any) -> Callable[[Any, bool], bool]:
    """One matcher of a leaf array."""
    if not isinstance(rule, Mapping):
        test = _exact(rule)
        return lambda v, present: present and test(v)
    if len(rule) != 1:
        raise ValueError(f"a matcher has exactly one key, not {dict(rule)!r}")
    (kind, operand), = rule.items()
    if kind == "exists":
        if not isinstance(operand, bool):
            raise ValueError(f"exists takes true or false, not {operand!r}")
        return lambda v, present: present is operand
    if kind in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        test = _string_test(kind, operand)
    elif kind == "numeric":
        test = _numeric(operand)
    elif kind == "anything-but":
        test = _anything_but(operand)
    else:
        raise ValueError(f"unknown matcher {kind!r}")
    return lambda v, present: present and test(v)


def _leaf_values(value: Any) -> list[Any]:
    """The leaf values under a field: an object is an intermediate node, an array stands for its elements."""
    if isinstance(value, Mapping):
        return []
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaf_values(item)]
    return [value]


def _values(event: Any, key: str) -> tuple[list[Any], bool]:
    # EventBridge matches leaves only ("Exists matching only works on leaf nodes. It does not work on intermediate
    # nodes", user guide and aws/event-ruler README): a field holding an object, or an array with no value in it,
    # is no field for a leaf matcher, so `exists: false` matches it and every other matcher does not.
    value = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
    leaves = [] if value is _MISSING else _leaf_values(value)
    if not leaves:
        return [None], False
    return leaves, True


def _compile_object(pattern: Any) -> Callable[[Any], bool]:
    if not isinstance(pattern, Mapping):
        raise ValueError(f"an event pattern is a JSON object, not {pattern!r}")
    checks: list[Callable[[Any], bool]] = []
    for key, rule in pattern.items():
        if key == "$or":
            if not isinstance(rule, list) or len(rule) < 2:
                raise ValueError("$or takes a list of at least two patterns")
            alternatives = [_compile_object(item) for item in rule]
            checks.append(lambda event, alts=alternatives: any(alt(event) for alt in alts))
        elif isinstance(rule, Mapping):
            inner = _compile_object(rule)
            checks.append(
                lambda event, key=key, inner=inner: isinstance(event, Mapping)
                and isinstance(event.get(key), Mapping)
                and inner(event[key])
            )
        elif isinstance(rule, list):
            if not rule:
                raise ValueError(f"the matchers of {key!r} are an empty list")
            leaves = [_leaf(item) for item in rule]
            checks.append(lambda event, key=key, leaves=leaves: _leaf_matches(event, key, leaves))
        else:
            raise ValueError(f"the value of {key!r} must be an array of matchers or an object, not {rule!r}")
    return lambda event: all(check(event) for check in checks)


def _leaf_matches(event: Any, key: str, leaves: list[Callable[[Any, bool], bool]]) -> bool:
    values, present = _values(event, key)
    return any(leaf(value, present) for leaf in leaves for value in values)


def compile_pattern(pattern: Mapping[str, Any] | None) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate for events matching ``pattern`` (None matches every event); ValueError if malformed."""
    if pattern is None:
        return lambda event: True
    return _compile_object(pattern)


def matches(pattern: Mapping[str, Any] | None, event: Mapping[str, Any]) -> bool:
    """Whether ``event`` matches ``pattern``."""
    return compile_pattern(pattern)(event)
