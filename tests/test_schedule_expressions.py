"""Schedule expressions against an independent oracle, over a year of virtual time.

The oracle is written here from AWS's rules (Image Builder user guide, "Use
cron expressions in Image Builder"; EventBridge "Cron expressions
reference"), not from the fake's parser: Hypothesis draws each field as
structured data, the test renders it to the text a client would send, and
the oracle evaluates the structured data directly. It is a brute-force
matcher: it walks every UTC minute of a year, turns it into wall-clock time
in the schedule's zone, and asks each field whether it matches. A minute
that occurs twice (a fall-back fold) fires only at its first occurrence; a
minute the zone skips never fires. The fake must name exactly the same
instants, in order.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeimagebuilder.service.cron import Cron, Rate, parse

UTC = dt.UTC
START = dt.datetime(2026, 1, 1, tzinfo=UTC).timestamp()
YEAR = 366 * 86400
ZONES = ("UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata")
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

# -- structured fields, and the text a client sends --------------------------------------------


def _items(low: int, high: int, names: tuple[str, ...] | None = None, wrap: bool = False) -> st.SearchStrategy[Any]:
    value = st.integers(low, high)
    single = value.map(lambda v: ("value", v))
    ranges = st.tuples(value, value).filter(lambda r: wrap or r[0] <= r[1]).map(lambda r: ("range", *r))
    steps = st.tuples(st.one_of(st.just("*"), value), st.integers(1, high - low + 1)).map(lambda s: ("step", *s))
    range_steps = (
        st.tuples(value, value, st.integers(1, high - low + 1))
        .filter(lambda r: r[0] <= r[1])
        .map(lambda r: ("rangestep", *r))
    )
    return st.lists(st.one_of(single, ranges, steps, range_steps), min_size=1, max_size=3).flatmap(
        lambda items: st.tuples(st.just(items), st.booleans() if names else st.just(False))
    )


def _render_value(v: int, low: int, names: tuple[str, ...] | None, use_names: bool) -> str:
    return names[v - low] if names and use_names else str(v)


def _render(field: Any, low: int, names: tuple[str, ...] | None = None) -> str:
    if isinstance(field, str):
        return field
    items, use_names = field
    out = []
    for item in items:
        r = lambda v: _render_value(v, low, names, use_names)  # noqa: E731
        if item[0] == "value":
            out.append(r(item[1]))
        elif item[0] == "range":
            out.append(f"{r(item[1])}-{r(item[2])}")
        elif item[0] == "step":
            out.append(f"{item[1] if item[1] == '*' else r(item[1])}/{item[2]}")
        else:
            out.append(f"{r(item[1])}-{r(item[2])}/{item[3]}")
    return ",".join(out)


def _allowed(field: Any, low: int, high: int) -> set[int]:
    """The oracle's reading of a plain field: the values it allows."""
    if field == "*":
        return set(range(low, high + 1))
    found: set[int] = set()
    for item in field[0]:
        if item[0] == "value":
            found.add(item[1])
        elif item[0] == "range":
            a, b = item[1], item[2]
            found |= set(range(a, b + 1)) if a <= b else set(range(a, high + 1)) | set(range(low, b + 1))
        elif item[0] == "step":
            first = low if item[1] == "*" else item[1]
            found |= {v for v in range(first, high + 1) if (v - first) % item[2] == 0}
        else:
            found |= {v for v in range(item[1], item[2] + 1) if (v - item[1]) % item[3] == 0}
    return found


@st.composite
def expressions(draw: st.DrawFn) -> dict[str, Any]:
    """A structured six-field cron expression, as an AWS user could write it."""
    # Small minute and hour fields keep a year of runs to a size the comparison can walk.
    minute = draw(st.one_of(st.just("*/30"), _items(0, 59)))
    hour = draw(st.one_of(st.just("*"), _items(0, 23, wrap=True)))
    month = draw(st.one_of(st.just("*"), _items(1, 12, MONTH_NAMES, wrap=True)))
    year = draw(st.sampled_from(["*", "2026", "2026-2027", "2025/1", "2027"]))
    if draw(st.booleans()):
        day = draw(
            st.one_of(
                st.just("*"),
                st.just("L"),
                st.just("LW"),
                st.integers(1, 31).map(lambda n: f"{n}W"),
                _items(1, 31, wrap=True),
            )
        )
        weekday: Any = "?"
    else:
        day = "?"
        weekday = draw(
            st.one_of(
                st.just("*"),
                st.just("L"),
                st.tuples(st.integers(1, 7), st.integers(1, 5)).map(lambda t: f"{t[0]}#{t[1]}"),
                st.integers(1, 7).map(lambda n: f"{n}L"),
                _items(1, 7, DAY_NAMES, wrap=True),
            )
        )
    return {"minute": minute, "hour": hour, "day": day, "month": month, "weekday": weekday, "year": year}


def _text(e: dict[str, Any]) -> str:
    fields = [
        _render(e["minute"], 0),
        _render(e["hour"], 0),
        _render(e["day"], 1),
        _render(e["month"], 1, MONTH_NAMES),
        _render(e["weekday"], 1, DAY_NAMES),
        e["year"],
    ]
    return f"cron({' '.join(fields)})"


# -- the oracle ------------------------------------------------------------------------------------


def _years(text: str) -> set[int]:
    if text == "*":
        return set(range(1970, 2200))
    if "/" in text:
        first, step = text.split("/")
        return set(range(int(first), 2200, int(step)))
    if "-" in text:
        a, b = text.split("-")
        return set(range(int(a), int(b) + 1))
    return {int(text)}


def _weekday_number(date: dt.date) -> int:
    return DAY_NAMES.index(date.strftime("%a").upper()) + 1


def _is_weekday(date: dt.date) -> bool:
    return _weekday_number(date) not in (1, 7)


def _date_matcher(e: dict[str, Any]):
    minute_field = e["minute"] if e["minute"] != "*/30" else ([("step", 0, 30)], False)
    months = _allowed(e["month"], 1, 12)
    years = _years(e["year"])

    def day_ok(date: dt.date) -> bool:
        last = calendar.monthrange(date.year, date.month)[1]
        day, weekday = e["day"], e["weekday"]
        if day != "?":
            if day == "L":
                return date.day == last
            if day == "LW":
                weekdays = [d for d in range(1, last + 1) if _is_weekday(date.replace(day=d))]
                return date.day == weekdays[-1]
            if isinstance(day, str) and day.endswith("W"):
                n = int(day[:-1])
                if n > last:
                    return False
                # The weekday of the month nearest day n.
                weekdays = [d for d in range(1, last + 1) if _is_weekday(date.replace(day=d))]
                return date.day == min(weekdays, key=lambda d: abs(d - n))
            return date.day in _allowed(day, 1, 31)
        number = _weekday_number(date)
        if weekday == "L":
            return number == 7
        if isinstance(weekday, str) and weekday.endswith("L"):
            later_same = [d for d in range(date.day + 1, last + 1) if _weekday_number(date.replace(day=d)) == number]
            return number == int(weekday[:-1]) and not later_same
        if isinstance(weekday, str) and "#" in weekday:
            n, k = (int(x) for x in weekday.split("#"))
            nth = sum(1 for d in range(1, date.day + 1) if _weekday_number(date.replace(day=d)) == number)
            return number == n and nth == k
        return number in _allowed(weekday, 1, 7)

    def matches(date: dt.date) -> bool:
        return date.year in years and date.month in months and day_ok(date)

    return matches, _allowed(e["hour"], 0, 23), _allowed(minute_field, 0, 59)


def oracle(e: dict[str, Any], zone: ZoneInfo, start: float, end: float) -> list[float]:
    """Every UTC minute in (start, end] whose wall-clock time in ``zone`` the expression names."""
    date_ok, hours, minutes = _date_matcher(e)
    dates: dict[dt.date, bool] = {}
    found = []
    u = int(start) - int(start) % 60 + 60
    block_key, local_of = None, None
    while u <= end:
        key = u // 900  # offsets change on quarter hours at most: one zone lookup per block
        if key != block_key:
            block_key = key
            moment = dt.datetime.fromtimestamp(u, UTC).astimezone(zone)
            offset = int(moment.utcoffset().total_seconds())  # type: ignore[union-attr]
            fold = moment.fold
            local_of = offset
        local = u + local_of  # type: ignore[operator]
        of_day = local % 86400
        if not fold:
            date = dt.date(1970, 1, 1) + dt.timedelta(days=local // 86400)
            ok = dates.get(date)
            if ok is None:
                ok = dates[date] = date_ok(date)
            if not ok and of_day < 86400 - 3 * 3600:
                # A day that cannot match: on to two hours before its midnight (an offset change
                # within the day moves midnight by less than that), then minute by minute again.
                u += (86400 - 2 * 3600 - of_day) // 60 * 60
                continue
            if ok and of_day // 3600 in hours and of_day % 3600 // 60 in minutes:
                found.append(float(u))
        u += 60
    return found


def fake_runs(expression: Cron, zone: ZoneInfo, start: float, end: float) -> list[float]:
    runs = []
    at: float | None = start
    while True:
        at = expression.next_after(at, zone)  # type: ignore[arg-type]
        if at is None or at > end:
            return runs
        runs.append(at)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(e=expressions(), zone=st.sampled_from(ZONES), offset=st.integers(0, 86400 * 30))
def test_cron_runs_match_the_brute_force_oracle_for_a_year(e: dict[str, Any], zone: str, offset: int):
    text = _text(e)
    parsed = parse(text)
    assert isinstance(parsed, Cron), text
    tz = ZoneInfo(zone)
    start = START + offset + 17  # off the minute: the next run is still on one

    assert fake_runs(parsed, tz, start, start + YEAR) == oracle(e, tz, start, start + YEAR), text


def test_the_oracle_sees_daylight_saving_gaps_and_folds():
    # New York, 2026: 02:30 on March 8 does not exist; 01:30 on November 1 happens twice.
    e = {"minute": ([("value", 30)], False), "hour": "*", "day": "*", "month": "*", "weekday": "?", "year": "2026"}
    zone = ZoneInfo("America/New_York")
    march = dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC).timestamp()  # 00:00 EST
    runs = oracle(e, zone, march, march + 4 * 3600)
    assert [dt.datetime.fromtimestamp(r, zone).strftime("%H:%M") for r in runs] == ["00:30", "01:30", "03:30", "04:30"]
    november = dt.datetime(2026, 11, 1, 4, 0, tzinfo=UTC).timestamp()  # 00:00 EDT
    runs = oracle(e, zone, november, november + 4 * 3600)
    assert len(runs) == 3 and runs[1] - runs[0] == 3600 and runs[2] - runs[1] == 7200  # 01:30 once
    parsed = parse(_text(e))
    assert isinstance(parsed, Cron)
    assert fake_runs(parsed, zone, november, november + 4 * 3600) == runs


@given(value=st.integers(1, 90), unit=st.sampled_from(["minute", "hour", "day"]), offset=st.floats(0, 1e5))
def test_rate_runs_every_period_from_when_it_was_set(value: int, unit: str, offset: float):
    text = f"rate({value} {unit}{'s' if value > 1 else ''})"
    parsed = parse(text)
    assert isinstance(parsed, Rate)
    period = value * {"minute": 60, "hour": 3600, "day": 86400}[unit]
    anchor = START
    at = anchor + offset
    following = parsed.next_after(at, anchor)

    assert following > at and following - at <= period
    assert (following - anchor) % period == 0
