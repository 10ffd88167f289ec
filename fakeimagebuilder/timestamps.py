"""Timestamp members of a request: read once, for every operation, from the model.

botocore sends a JSON body's timestamps as epoch seconds (a JSON number),
and a query string's as ISO 8601 date-times (``%Y-%m-%dT%H:%M:%S[.%f]Z``,
botocore serialize.py). The fake takes those, numeric text (a query string
is text anyway) and a date-time with any fraction and a ``Z`` or ``±HH:MM``
offset (none: UTC), in ASCII digits. Each becomes epoch seconds (a float)
before the service sees it, or is refused: other text (a date alone, a week
date, spaces, a space for the ``T``, digit groups, other digits than ASCII's),
a number that is not finite, or an instant the fake could not write back
(before 1970, or after 9999-12-31T23:59:59Z, where its clock ends and
botocore's parser gives up).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.model import Shape

from .clock import LATEST

__all__ = ["Reader", "TimestampError", "reader"]

# Epoch seconds as text, and an RFC 3339 date-time whose offset may be left out; re.ASCII: \d is 0-9 only.
_NUMERIC = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))?", re.ASCII
)

Reader = Callable[[Any, str], Any]
"""Turns a member's value (at the given path) into the same value with its timestamps as epoch seconds."""


class TimestampError(ValueError):
    """A timestamp member the fake cannot take; ``path`` names it."""

    def __init__(self, path: str, value: Any) -> None:
        super().__init__(
            f"The value '{value}' of {path} is not a valid timestamp: give epoch seconds or ISO 8601, between "
            "1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z."
        )
        self.path = path


def reader(shape: Shape) -> Reader | None:
    """What reads the timestamps anywhere in ``shape``; None if it holds none (nothing to do)."""
    return _compile(shape, {}) if _holds_timestamp(shape, frozenset()) else None


def _holds_timestamp(shape: Shape, seen: frozenset[str]) -> bool:
    kind = shape.type_name
    if kind == "timestamp":
        return True
    if kind == "structure":
        if shape.name in seen:  # a recursive shape: its timestamps are found where it was first entered
            return False
        return any(_holds_timestamp(member, seen | {shape.name}) for member in shape.members.values())
    if kind == "list":
        return _holds_timestamp(shape.member, seen)
    if kind == "map":
        return _holds_timestamp(shape.value, seen)
    return False


def _compile(shape: Shape, building: dict[str, Reader]) -> Reader:
    """A reader for a shape that holds a timestamp (``building``: structures being compiled, by name)."""
    kind = shape.type_name
    if kind == "timestamp":
        return _instant
    if kind == "list":
        item = _compile(shape.member, building)
        return lambda value, path: [item(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        entry = _compile(shape.value, building)
        return lambda value, path: {k: entry(v, f"{path}['{k}']") for k, v in value.items()}
    if shape.name in building:
        return building[shape.name]
    members: dict[str, Reader] = {}

    def structure(value: dict[str, Any], path: str) -> dict[str, Any]:
        return {k: members[k](v, f"{path}.{k}" if path else k) if k in members else v for k, v in value.items()}

    building[shape.name] = structure
    for name, member in shape.members.items():
        if _holds_timestamp(member, frozenset()):
            members[name] = _compile(member, building)
    return structure


def _instant(value: Any, path: str) -> float:
    """Epoch seconds of a timestamp member (the wire has checked it is a number or text)."""
    try:
        if isinstance(value, str):
            seconds = float(value) if _NUMERIC.fullmatch(value) else _date_time(value)
        else:
            seconds = float(value)
    except (OverflowError, ValueError):  # an int too large for a float is far past the year 9999
        raise TimestampError(path, value) from None
    if not 0 <= seconds <= LATEST:  # NaN and infinity included
        raise TimestampError(path, value)
    return seconds


def _date_time(text: str) -> float:
    """Epoch seconds of an ISO 8601 date-time in the one form the module doc names; ValueError otherwise."""
    found = _DATE_TIME.fullmatch(text)
    if found is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = found.groups()
    # A time with no offset is UTC, as AWS reads one; not the fake's own local time.
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    if sign is not None:
        if int(offset_hours) > 23 or int(offset_minutes) > 59:
            raise ValueError(text)
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        moment -= offset if sign == "+" else -offset
    # The whole fraction counts (not cut at microseconds): added to the seconds, not read by datetime.
    return moment.timestamp() + (float("0." + fraction) if fraction else 0.0)
