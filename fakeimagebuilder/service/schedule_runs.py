"""Scheduled runs: the builds a pipeline's schedule starts, materialised when the clock is read.

See ``schedules.py`` for the rules; this module only fires them: before
every call, under the service lock, :func:`catch_up` starts every run due
by the caller's instant, across the scope's pipelines in time order (build
numbers follow time), each build dated at its own instant.
"""

from __future__ import annotations

import bisect
import heapq

from . import schedules
from .dependencies import never_updated, updated_since
from .images import launch
from .references import selected_recipe
from .state import Scope

__all__ = ["catch_up"]


def catch_up(scope: Scope, now: float) -> None:
    """Start every scheduled build due by ``now`` (and apply auto-disable), in time order across pipelines."""
    if now < scope.schedule_due:
        return
    serial = scope.pipelines.serial
    queue = [(event, serial(arn), arn) for arn, c in scope.schedules.items() if (event := c.next_event()) is not None]
    heapq.heapify(queue)
    while queue and queue[0][0] <= now:
        at, order, arn = heapq.heappop(queue)
        cursor = scope.schedules[arn]
        if cursor.failure_ends and cursor.failure_ends[0] <= at:
            del cursor.failure_ends[0]
            count, reached = schedules.failures(scope, arn, cursor, at)
            if reached is not None:
                schedules.disable(scope, arn, cursor, at, count)
        else:
            _run(scope, arn, cursor, at, now)
        event = cursor.next_event()
        if event is not None:
            heapq.heappush(queue, (event, order, arn))
    scope.schedule_due = queue[0][0] if queue else float("inf")


def _run(scope: Scope, arn: str, cursor: schedules.Cursor, at: float, now: float) -> None:
    item = scope.pipelines[arn]
    cursor.due = schedules.next_run(cursor.schedule, at, at)
    recipe = selected_recipe(scope, item)  # a wildcard ARN: the version it selects at the run's instant
    builds = scope.pipeline_builds.setdefault(arn, [])
    condition = cursor.schedule.get("pipelineExecutionStartCondition") or schedules.DEFAULT_CONDITION
    if condition != schedules.ONLY_ON_MATCH and builds and not updated_since(scope, recipe, at, builds[-1]):
        # Nothing newer since the newest build: AWS skips the run. When nothing the recipe names can ever get
        # newer (AWS-managed ARNs, AMI ids), every run up to now is skipped too: the cursor goes straight past
        # now instead of through each run (a rate(1 minute) schedule read once after years took hours).
        if never_updated(scope, recipe):
            cursor.due = schedules.next_run(cursor.schedule, now, at)
        return
    settings = scope.settings
    limit = settings.max_concurrent_builds
    if limit is not None and sum(1 for b in builds if b.end_at > at) >= limit:
        return  # the pipeline is busy (knob): a start would be refused, and so is the run
    build = launch(scope, item, recipe, at, dict(item.get("imageTags") or {}), settings.plan_for(arn), "SCHEDULED")
    builds.append(build)
    if build.end_status == "FAILED":
        cursor.failed = True
        bisect.insort(cursor.failure_ends, build.end_at)
