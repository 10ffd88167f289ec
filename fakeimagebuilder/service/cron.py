"""AWS's schedule expressions: six-field ``cron(...)`` and ``rate(...)``, parsed and stepped on the clock.

The rules are the Image Builder user guide's ("Use cron expressions in
Image Builder") and EventBridge's ("Cron expressions reference"), which
agree: fields ``minute hour day-of-month month day-of-week year``; exactly
one of the two day fields is ``?``; day-of-week 1-7 is SUN-SAT; ``L`` and
``W`` in day-of-month, ``L`` and ``#`` in day-of-week; years 1970-2199.
Fields are read in the schedule's time zone: a wall-clock minute that does
not exist there (a spring-forward gap) never fires, and one that occurs
twice (fall-back) fires once, at its first occurrence.

Pure: no service state, no clock; a bad expression raises
:class:`ExpressionError` with the detail AWS's message carries.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..clock import LATEST

__all__ = ["Cron", "ExpressionError", "Rate", "Schedule", "parse"]

UTC = dt.UTC
_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name}
_WEEKDAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
_LAST_YEAR = 2199


class ExpressionError(ValueError):
    """An expression AWS would refuse; ``kind`` is CRON or RATE, ``position`` where in the text (cron only)."""

    def __init__(self, kind: str, detail: str, position: int | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.position = position


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


_FIELDS = (
    _Field("Minutes", 0, 59),
    _Field("Hours", 0, 23),
    _Field("Day-of-month", 1, 31),
    _Field("Month", 1, 12, {k.upper(): v for k, v in _MONTHS.items()}),
    _Field("Day-of-week", 1, 7, _WEEKDAYS),
    _Field("Year", 1970, _LAST_YEAR),
)
_CYCLIC = frozenset({"Minutes", "Hours", "Day-of-month", "Month", "Day-of-week"})


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed ``cron(...)``: the values each field allows, and the day fields' special rules.

    ``days``/``weekdays`` is None where the field is ``?``. ``day_rule`` is
    ``("L",)``, ``("LW",)`` or ``("W", n)``; ``weekday_rule`` is
    ``("L", n)`` (last n-day of the month) or ``("#", n, k)`` (k-th n-day).
    """

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int] | None
    months: frozenset[int]
    weekdays: frozenset[int] | None
    years: frozenset[int]
    day_rule: tuple[object, ...] | None = None
    weekday_rule: tuple[object, ...] | None = None

    def matches_date(self, date: dt.date) -> bool:
        """Whether the day fields, month and year allow ``date``."""
        if date.year not in self.years or date.month not in self.months:
            return False
        last = calendar.monthrange(date.year, date.month)[1]
        if self.days is not None or self.day_rule is not None:
            return self._day_matches(date, last)
        return self._weekday_matches(date, last)

    def _day_matches(self, date: dt.date, last: int) -> bool:
        rule = self.day_rule
        if rule is None:
            return self.days is not None and date.day in self.days
        if rule[0] == "L":
            return date.day == last
        if rule[0] == "LW":
            return date.day == _nearest_weekday(date.year, date.month, last, last)
        day = int(str(rule[1]))
        return day <= last and date.day == _nearest_weekday(date.year, date.month, day, last)

    def _weekday_matches(self, date: dt.date, last: int) -> bool:
        weekday = date.isoweekday() % 7 + 1  # SUN=1 ... SAT=7
        rule = self.weekday_rule
        if rule is None:
            return self.weekdays is not None and weekday in self.weekdays
        if rule[0] == "L":
            return weekday == rule[1] and date.day + 7 > last
        return weekday == rule[1] and (date.day - 1) // 7 + 1 == rule[2]

    def next_after(self, instant: float, zone: ZoneInfo) -> float | None:
        """The first instant strictly after ``instant`` that the expression names in ``zone``; None if none is left."""
        start = dt.datetime.fromtimestamp(instant, UTC).astimezone(zone).replace(tzinfo=None)
        # Wall-clock times map to instants in order (first occurrences, gaps skipped), so only
        # candidates after ``start``'s own wall-clock minute can come after ``instant``; in the
        # second pass of a fall-back fold, some of those still lie before it, and are passed over.
        after = (start.hour, start.minute)
        date = start.date()
        while date.year <= _LAST_YEAR:
            if date.year not in self.years:
                date = dt.date(date.year + 1, 1, 1)
                continue
            if date.month not in self.months:
                date = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
                continue
            if self.matches_date(date):
                first_day = date == start.date()
                for hour in self.hours[bisect.bisect_left(self.hours, after[0]) if first_day else 0 :]:
                    later = first_day and hour == after[0]
                    for minute in self.minutes[bisect.bisect_right(self.minutes, after[1]) if later else 0 :]:
                        at = _instant(dt.datetime(date.year, date.month, date.day, hour, minute), zone)
                        if at is not None and at > instant:
                            return at
            date += dt.timedelta(days=1)
        return None


def _nearest_weekday(year: int, month: int, day: int, last: int) -> int:
    """The weekday (Mon-Fri) nearest ``day`` without leaving the month (the ``W`` rule)."""
    weekday = calendar.weekday(year, month, day)  # MON=0 ... SUN=6
    if weekday == 5:  # Saturday: the Friday before, unless that is last month
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: the Monday after, unless that is next month
        return day + 1 if day < last else day - 2
    return day


def _instant(local: dt.datetime, zone: ZoneInfo) -> float | None:
    """Epoch seconds of a wall-clock time in ``zone``: its first occurrence, or None if the zone skips it."""
    aware = local.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != local:
        return None
    return aware.timestamp()


@dataclass(frozen=True, slots=True)
class Rate:
    """A parsed ``rate(N unit)``: every ``seconds``, counted from when the schedule was set."""

    seconds: int

    def next_after(self, instant: float, anchor: float) -> float:
        """The first ``anchor + k * seconds`` (k >= 1) strictly after ``instant``."""
        steps = max(1, int((instant - anchor) // self.seconds) + 1)
        at = anchor + steps * self.seconds
        while at <= instant:  # floating-point rounding at a boundary
            at += self.seconds
        return at


Schedule = Cron | Rate

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)\Z")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def parse(expression: str) -> Schedule:
    """The schedule ``expression`` names; :class:`ExpressionError` if AWS would refuse it."""
    if expression.startswith("rate("):
        return _rate(expression)
    if expression.startswith("cron(") and expression.endswith(")"):
        return _cron(expression[5:-1])
    raise ExpressionError("SCHEDULE", "The expression must be cron(...) or rate(...).")


def _rate(expression: str) -> Rate:
    match = _RATE.match(expression)
    if match is None:
        raise ExpressionError("RATE", "Expected rate(value unit), unit one of minute(s), hour(s), day(s).")
    value, unit = int(match.group(1)), match.group(2)
    if value < 1:
        raise ExpressionError("RATE", "The value must be a positive whole number.")
    seconds = _UNIT_SECONDS[unit.rstrip("s")]
    # The fake's bound (AWS publishes none): a period no longer than the dates it can write span, so the
    # first run of a rate set at the epoch could still be dated.
    longest = int(LATEST) // seconds
    if value > longest:
        raise ExpressionError("RATE", f"The value must be at most {longest} {unit.rstrip('s')}s.")
    # EventBridge's rule: a value of 1 takes the singular unit, any other the plural.
    if (value == 1) != (not unit.endswith("s")):
        raise ExpressionError("RATE", f"Use '{unit.rstrip('s')}' for a value of 1 and '{unit.rstrip('s')}s' otherwise.")
    return Rate(value * seconds)


def _cron(text: str) -> Cron:
    parts = text.split(" ")
    positions = []
    at = 0
    for part in parts:
        positions.append(at)
        at += len(part) + 1
    if any(not part for part in parts):
        raise ExpressionError("CRON", "Fields are separated by exactly one space.", positions[parts.index("")])
    if len(parts) < 6:
        raise ExpressionError("CRON", "Unexpected end of expression.", len(text))
    if len(parts) > 6:
        raise ExpressionError(
            "CRON", "Expected six fields: minutes hours day-of-month month day-of-week year.", positions[6]
        )
    day_text, weekday_text = parts[2], parts[4]
    if (day_text == "?") == (weekday_text == "?"):
        raise ExpressionError(
            "CRON",
            "Support for specifying both a day-of-week AND a day-of-month parameter is not implemented."
            if day_text != "?"
            else "Only one of day-of-month and day-of-week may be '?'.",
            positions[4],
        )
    values = [_values(_FIELDS[i], parts[i], positions[i]) for i in (0, 1, 3, 5)]
    days, day_rule = _day_field(day_text, positions[2])
    weekdays, weekday_rule = _weekday_field(weekday_text, positions[4])
    return Cron(
        minutes=tuple(sorted(values[0])),
        hours=tuple(sorted(values[1])),
        days=days,
        months=frozenset(values[2]),
        weekdays=weekdays,
        years=frozenset(values[3]),
        day_rule=day_rule,
        weekday_rule=weekday_rule,
    )


def _day_field(text: str, position: int) -> tuple[frozenset[int] | None, tuple[object, ...] | None]:
    if text == "?":
        return None, None
    if text == "L":
        return None, ("L",)
    if text == "LW":
        return None, ("LW",)
    if text.endswith("W"):
        day = _number(_FIELDS[2], text[:-1], position)
        return None, ("W", day)
    return frozenset(_values(_FIELDS[2], text, position)), None


def _weekday_field(text: str, position: int) -> tuple[frozenset[int] | None, tuple[object, ...] | None]:
    field = _FIELDS[4]
    if text == "?":
        return None, None
    if text == "L":
        return frozenset({7}), None  # L alone: the last day of every week, Saturday
    if text.endswith("L"):
        return None, ("L", _number(field, text[:-1], position))
    if "#" in text:
        day, _, nth = text.partition("#")
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise ExpressionError("CRON", "A numeric value between 1 and 5 must follow the '#' option.", position)
        return None, ("#", _number(field, day, position), int(nth))
    return frozenset(_values(field, text, position)), None


def _number(field: _Field, text: str, position: int) -> int:
    upper = text.upper()
    if field.names and upper in field.names:
        return field.names[upper]
    if not text.isdigit():
        raise ExpressionError("CRON", f"Invalid {field.name} value: '{text}'.", position)
    value = int(text)
    if not field.low <= value <= field.high:
        raise ExpressionError(
            "CRON", f"{field.name} values must be between {field.low} and {field.high}.", position
        )
    return value


def _values(field: _Field, text: str, position: int) -> set[int]:
    """The values a list of ``*``, ``a``, ``a-b``, with an optional ``/step``, allows."""
    found: set[int] = set()
    for item in text.split(","):
        if item == "?":
            raise ExpressionError("CRON", "'?' can only be specified for Day-of-month or Day-of-week.", position)
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ExpressionError("CRON", f"Invalid increment '{step_text}' in the {field.name} field.", position)
            step = int(step_text)
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            first, _, second = base.partition("-")
            low, high = _number(field, first, position), _number(field, second, position)
        else:
            low = _number(field, base, position)
            high = field.high if slash else low
        if low <= high:
            found.update(range(low, high + 1, step))
        elif field.name in _CYCLIC:  # FRI-MON: the range wraps around
            span = field.high - field.low + 1
            found.update((v - field.low) % span + field.low for v in range(low, high + span + 1, step))
        else:
            raise ExpressionError("CRON", f"The {field.name} range '{base}' runs backwards.", position)
    return found
