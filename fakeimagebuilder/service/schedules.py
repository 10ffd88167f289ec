"""Pipeline schedules: checked when set, and the builds they start, derived from the clock when read.

A pipeline's ``schedule.scheduleExpression`` (``cron(...)`` or ``rate(...)``,
see ``cron.py``) names instants; at each one an ENABLED pipeline starts a
build with ``buildType`` SCHEDULED, unless its start condition
(EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE, AWS's default) finds no
dependency update since its newest build (``dependencies.py``).

Nothing fires on a thread: before every call, under the service lock,
``schedule_runs.catch_up`` materialises the runs due up to the caller's instant, in
time order across the scope's pipelines, each build dated at its own
instant. So what a client sees depends only on the virtual clock, never on
when it looked or how fast a server's clock runs.

Auto-disable: a pipeline whose consecutive failed scheduled builds reach
``schedule.autoDisablePolicy.failureCount`` (else the service's default)
turns DISABLED at the instant the last of them failed. A successful build
of any kind resets the count; a failed manual one leaves it (model doc of
``ImagePipeline.consecutiveFailures``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..clock import LATEST
from .cron import Cron, ExpressionError, Rate, Schedule, parse
from .dates import date_string
from .errors import InvalidParameterValueException
from .state import Scope

__all__ = ["DEFAULT_CONDITION", "ONLY_ON_MATCH", "Cursor", "arm", "check", "disable", "failures", "next_run", "view"]

ONLY_ON_MATCH = "EXPRESSION_MATCH_ONLY"
DEFAULT_CONDITION = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"


@dataclass(slots=True)
class Cursor:
    """Where one pipeline's schedule stands.

    ``due``: the next run (a rate counts from when the schedule was set,
    then from its last run), None when none is left or the pipeline is
    DISABLED. ``counted_from``: consecutive failures count builds that
    ended after it. ``failure_ends``: when scheduled builds planned to fail
    end, still to be counted (sorted).
    """

    schedule: dict[str, Any]
    counted_from: float
    due: float | None
    failure_ends: list[float] = field(default_factory=list)
    failed: bool = False  # a scheduled build of this cursor was planned to fail

    def next_event(self) -> float | None:
        """The next instant this schedule needs looking at: a run, or a failure to count."""
        candidates = [t for t in (self.due, self.failure_ends[0] if self.failure_ends else None) if t is not None]
        return min(candidates) if candidates else None


@functools.lru_cache(maxsize=256)
def _expression(text: str) -> Schedule:
    return parse(text)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _invalid(member: str, detail: str) -> InvalidParameterValueException:
    # AWS's wording (hashicorp/terraform-provider-aws#17396, buildkite/image-builder#7).
    return InvalidParameterValueException(f"The value supplied for parameter '{member}' is not valid. {detail}")


def check(schedule: dict[str, Any] | None) -> None:
    """Refuse a schedule whose expression or time zone AWS would refuse (InvalidParameterValueException)."""
    if not schedule:
        return
    text = schedule.get("scheduleExpression")
    if text is not None:
        try:
            _expression(text)
        except ExpressionError as error:
            if error.kind == "CRON":
                detail = f"Invalid CRON expression: error at position {error.position}, details: {error.detail}"
            elif error.kind == "RATE":
                detail = f"Invalid RATE expression: {error.detail}"
            else:
                detail = error.detail
            raise _invalid(
                "schedule.scheduleExpression", f"Invalid schedule expression. Details: {detail}"
            ) from None
    zone = schedule.get("timezone")
    if zone is not None:
        try:
            _zone(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise _invalid("schedule.timezone", f"'{zone}' is not an IANA time zone.") from None


def next_run(schedule: dict[str, Any], after: float, anchor: float) -> float | None:
    """The schedule's first run after ``after`` (a rate counts from ``anchor``); None if none is left.

    A run past the year 9999 is none: it could never be dated (dateNextRun) and the clock never reaches it.
    """
    expression = _expression(schedule["scheduleExpression"])
    if isinstance(expression, Rate):
        at: float | None = expression.next_after(after, anchor)
    else:
        assert isinstance(expression, Cron)
        at = expression.next_after(after, _zone(schedule.get("timezone") or "UTC"))
    return at if at is not None and at <= LATEST else None


def arm(scope: Scope, arn: str, item: dict[str, Any], previous: dict[str, Any] | None, now: float) -> None:
    """Follow a pipeline's schedule after a create or update (``previous``: the document before an update).

    An update that keeps the schedule and the ENABLED status keeps the
    schedule's place (a rate keeps counting from when it was set); any other
    change starts it afresh from ``now``, with no consecutive failures.
    """
    schedule = item.get("schedule") or {}
    if not schedule.get("scheduleExpression"):
        scope.schedules.pop(arn, None)
        return
    enabled = item.get("status") == "ENABLED"
    if (
        arn in scope.schedules
        and previous is not None
        and enabled
        and previous.get("status") == "ENABLED"
        and previous.get("schedule") == schedule
    ):
        return
    cursor = Cursor(schedule, counted_from=now, due=next_run(schedule, now, now) if enabled else None)
    scope.schedules[arn] = cursor
    event = cursor.next_event()
    if event is not None:
        scope.schedule_due = min(scope.schedule_due, event)


def failures(scope: Scope, arn: str, cursor: Cursor, until: float) -> tuple[int, float | None]:
    """Consecutive failed scheduled builds ended by ``until``, and when they reached the disabling count."""
    if not cursor.failed:
        return 0, None
    policy = cursor.schedule.get("autoDisablePolicy") or {}
    limit = policy.get("failureCount") or scope.settings.auto_disable_failures
    ended = sorted(
        (b for b in scope.pipeline_builds.get(arn, ()) if cursor.counted_from < b.end_at <= until),
        key=lambda b: b.end_at,
    )
    count, reached = 0, None
    for build in ended:
        if build.end_status == "AVAILABLE":
            count = 0
        elif build.end_status == "FAILED" and build.build_type == "SCHEDULED":
            count += 1
            if limit is not None and count >= limit and reached is None:
                reached = build.end_at
    return count, reached


def disable(scope: Scope, arn: str, cursor: Cursor, at: float, count: int) -> None:
    """Auto-disable at ``at`` after ``count`` consecutive failures: the pipeline turns DISABLED, its schedule stops.

    Kept in ``scope.auto_disables`` too: the "Image Pipeline Automatically Disabled" event is made from it.
    """
    # Replaced, not changed in place: an answer may still be serialised from the old document.
    scope.pipelines[arn] = {**scope.pipelines[arn], "status": "DISABLED"}
    cursor.due = None
    cursor.failure_ends.clear()
    scope.auto_disables.append((at, arn, count))


def view(scope: Scope, item: dict[str, Any], now: float) -> dict[str, Any]:
    """What GetImagePipeline adds for a schedule: ``dateNextRun`` and ``consecutiveFailures``."""
    cursor = scope.schedules.get(item["arn"])
    if cursor is None:
        return {}
    extra: dict[str, Any] = {"consecutiveFailures": failures(scope, item["arn"], cursor, now)[0]}
    if cursor.due is not None:
        extra["dateNextRun"] = date_string(cursor.due)
    return extra
