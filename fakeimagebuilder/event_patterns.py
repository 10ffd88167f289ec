"""EventBridge event patterns, for the fake's Python subscribers.

A pattern is a JSON object whose leaves are arrays of matchers; an event
matches when every field the pattern names matches (nested objects
recursively), and a leaf matches when any of its matchers matches the event's
value (or, for an array value, any element of it). Matchers, as the
EventBridge user guide lists them ("Event patterns", "Content filtering"):
exact values (strings, numbers, booleans, null), ``prefix``, ``suffix``,
``equals-ignore-case``, ``wildcard``, ``anything-but`` (a value, a list, or a
``prefix``/``suffix``/``equals-ignore-case``/``wildcard``), ``exists``,
``numeric`` (one comparison, or a lower and an upper bound), ``cidr`` (IPv4 or
IPv6) and ``$or``. Matchers see leaf values only: a field holding an object is
absent for them (``exists: false`` matches it), as EventBridge's "Exists
matching only works on leaf nodes" says. A pattern object meeting an array of
objects in the event matches when one element matches it (arrays within arrays
too): the array is "crushed out", and fields matched together come from the
same element, as Event Ruler's ``rulesForJSONEvent`` does (aws/event-ruler
README, "JSON Array Matching").

A malformed pattern raises ValueError when compiled, as Ruler's rule compiler
refuses it: a nested array among the matchers, a wildcard with consecutive
``*`` or a backslash escaping anything but ``*`` or ``\\``, an ``anything-but``
list that is empty or mixes strings and numbers, a ``numeric`` with two lower
(or two upper) bounds, a ``cidr`` that is no IP network (aws/event-ruler README,
"Wildcard matching", "Anything-but matching", "Numeric matching", "IP Address
Matching").
"""

from __future__ import annotations

import ipaddress
import math
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
    regex = _wildcard(operand)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


def _wildcard(operand: str) -> re.Pattern[str]:
    """A wildcard as a regex: ``*`` any run of characters, ``\\*`` a star, ``\\\\`` a backslash (then a live ``*``)."""
    pieces: list[str] = []
    star = False  # whether the last piece is a live star: two in a row are refused
    chars = iter(operand)
    for char in chars:
        if char == "*":
            if star:
                raise ValueError(f"a wildcard may not hold consecutive '*': {operand!r}")
            pieces.append(".*")
            star = True
            continue
        star = False
        if char == "\\":
            escaped = next(chars, None)
            if escaped not in ("*", "\\"):
                raise ValueError(f"in a wildcard a backslash escapes only '*' or '\\', not in {operand!r}")
            char = escaped
        pieces.append(re.escape(char))
    return re.compile("".join(pieces), re.DOTALL)


def _numeric(operand: Any) -> Callable[[Any], bool]:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise ValueError(f"numeric takes [op, number] or [op, number, op, number], not {operand!r}")
    checks = []
    for op, bound in zip(operand[::2], operand[1::2], strict=True):
        if not isinstance(op, str) or op not in _NUMERIC_OPS or not _is_number(bound) or not math.isfinite(bound):
            raise ValueError(f"numeric takes operators {sorted(_NUMERIC_OPS)} and numbers, not {op!r} {bound!r}")
        checks.append((_NUMERIC_OPS[op], bound))
    if len(operand) == 4:
        # A range: one lower bound, then one upper bound ("=" stands alone).
        lower, upper = operand[0], operand[2]
        if lower not in (">", ">=") or upper not in ("<", "<="):
            raise ValueError(f"a numeric range is a lower bound ('>' or '>=') then an upper one, not {operand!r}")
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
        if isinstance(inner, list) and not inner:
            raise ValueError(f"anything-but {kind} takes a value or a non-empty list, not []")
        tests = [_string_test(kind, item) for item in (inner if isinstance(inner, list) else [inner])]
        return lambda v: not any(test(v) for test in tests)
    values = operand if isinstance(operand, list) else [operand]
    if not values:
        raise ValueError("anything-but takes a value or a non-empty list, not []")
    for value in values:
        if not (isinstance(value, str) or _is_number(value)):
            raise ValueError(f"anything-but takes strings or numbers, not {value!r}")
    if len({isinstance(value, str) for value in values}) > 1:
        raise ValueError(f"an anything-but list holds only strings or only numbers, not {values!r}")
    excluded = [_exact(value) for value in values]
    return lambda v: not any(test(v) for test in excluded)


def _cidr(operand: Any) -> Callable[[Any], bool]:
    """``cidr``: a string value that is an IP address (IPv4 or IPv6) in the network."""
    if not isinstance(operand, str) or "/" not in operand:
        raise ValueError(f"cidr takes an IP network such as '10.0.0.0/24', not {operand!r}")
    try:
        network = ipaddress.ip_network(operand, strict=False)
    except ValueError:
        raise ValueError(f"cidr takes an IPv4 or IPv6 network such as '10.0.0.0/24', not {operand!r}") from None

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return address.version == network.version and address in network

    return test


def _leaf(rule: Any) -> Callable[[Any, bool], bool]:
    """One matcher of a leaf array."""
    if isinstance(rule, list):
        raise ValueError(f"a matcher is a value or an object, not an array: {rule!r}")
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
    elif kind == "cidr":
        test = _cidr(operand)
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


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects a nested pattern is matched against: the value itself, or the objects in an array (at any depth)."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [found for item in value for found in _objects(item)]
    return []


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
                and any(inner(item) for item in _objects(event.get(key, _MISSING)))
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
