"""The daily runs of lifecycle policies: derived from the clock when read, each one a lifecycle execution.

"Image Builder runs enabled lifecycle policies once per day", at a time it
chooses; only one execution runs per policy at a time; disabled policies do
not run (user guide, "How lifecycle policy execution works":
https://docs.aws.amazon.com/imagebuilder/latest/userguide/lifecycle-policy-execution.html).
The fake runs a policy every :data:`DAY` from its creation, the first one a
day after it (assumed). Before every call, under the service lock,
:func:`catch_up` makes every run due by the caller's instant, in time order
across policies, each judging the images as they stood at its own instant,
so the outcome does not depend on when the clock is read.

What a run does (user guide, "How lifecycle management rules work"; model
docs of LifecyclePolicyDetailFilter and LifecyclePolicyDetailExclusionRules):
the policy selects the images of its resource type (AMI or container) that
finished AVAILABLE and are not DELETED, by recipe (name and a version that may
hold wildcards) or by any one of its tags. Each rule picks, among the selected
images without one of its excluded tags, newest first: a COUNT rule all but
the newest ``value``; an AGE rule those at least ``value`` units old, except
the newest ``retainAtLeast``. An image takes the strongest action that picked
it (DEPRECATE < DISABLE < DELETE) when that moves it on from its status; an
image whose AMI an exclusion rule covers is SKIPPED. Months are 30 days,
years 365 (assumed).
"""

from __future__ import annotations

import heapq
from typing import Any

from .builds import Build
from .kinds import LIFECYCLE_POLICY
from .lifecycle_executions import (
    TARGET_SECONDS,
    Target,
    ami_excluded,
    ami_ids,
    book_of,
    busy,
    container_uris,
    image_overlay,
    is_container,
    new_execution,
)
from .state import Scope
from .versions import pattern

__all__ = ["DAY", "UNIT_SECONDS", "catch_up"]

DAY = 86400.0
"""Virtual seconds between two runs of a policy."""

UNIT_SECONDS = {"DAYS": DAY, "WEEKS": 7 * DAY, "MONTHS": 30 * DAY, "YEARS": 365 * DAY}
"""An AGE filter's units in seconds (months and years of fixed length: assumed)."""

_RANK = {"AVAILABLE": 0, "DEPRECATED": 1, "DISABLED": 2, "DELETED": 3}
_STATUS_OF = {"DEPRECATE": "DEPRECATED", "DISABLE": "DISABLED", "DELETE": "DELETED"}


def catch_up(scope: Scope, now: float) -> None:
    """Make every policy run due by ``now``, in time order across policies."""
    policies = LIFECYCLE_POLICY.items(scope)
    if not policies and scope.lifecycle is None:
        return
    book = book_of(scope)
    for gone in set(book.cursors) - set(policies):
        del book.cursors[gone]
    queue: list[tuple[float, int, str]] = []
    for arn, policy in policies.items():
        created = policy["dateCreated"]
        cursor = book.cursors.get(arn)
        if cursor is None or cursor[0] != created:  # new, or deleted and made again under the same name
            cursor = book.cursors[arn] = (created, created + DAY)
        if cursor[1] <= now:
            queue.append((cursor[1], policies.serial(arn), arn))
    heapq.heapify(queue)
    while queue:
        at, order, arn = heapq.heappop(queue)
        _run(scope, arn, at)
        created, _ = book.cursors[arn]
        book.cursors[arn] = (created, at + DAY)
        if at + DAY <= now:
            heapq.heappush(queue, (at + DAY, order, arn))


def _selected(selection: dict[str, Any], build: Build) -> bool:
    recipe = build.recipe
    for wanted in selection.get("recipes") or ():
        if wanted["name"] == recipe["name"] and pattern(wanted["semanticVersion"]).selects(recipe["version"]):
            return True
    return any(build.tags.get(key) == value for key, value in (selection.get("tagMap") or {}).items())


def _picks(rule: dict[str, Any], newest_first: list[Build], at: float) -> list[Build]:
    """The images one rule acts on (``newest_first``: the selected images, newest first)."""
    excluded = (rule.get("exclusionRules") or {}).get("tagMap") or {}
    eligible = [b for b in newest_first if not any(b.tags.get(k) == v for k, v in excluded.items())]
    found = rule["filter"]
    if found["type"] == "COUNT":
        return eligible[found["value"] :]
    oldest = at - found["value"] * UNIT_SECONDS[found["unit"]]
    keep = found.get("retainAtLeast") or 0
    return [b for index, b in enumerate(eligible) if index >= keep and b.created_at <= oldest]


def _reason(rule: dict[str, Any]) -> str:
    found = rule["filter"]
    measure = f"{found['value']} {found['unit']}" if found["type"] == "AGE" else str(found["value"])
    return f"The image matches the policy's {rule['action']['type']} rule ({found['type']} {measure})."


def _run(scope: Scope, arn: str, at: float) -> None:
    """One run of a policy at ``at``: an execution with a target per image one of its rules moves on."""
    policies = LIFECYCLE_POLICY.items(scope)
    policy = policies[arn]
    if policy.get("status", "ENABLED") == "DISABLED":
        return
    book = book_of(scope)
    if any(e.policy_arn == arn and e.ends > at for e in book.executions.values()):
        return  # the previous run goes on, rather than a new one starting
    container = policy["resourceType"] == "CONTAINER_IMAGE"
    current: dict[str, str] = {}
    selected: list[Build] = []
    for build in scope.builds.values():
        if is_container(build) != container or build.created_at > at or build.build_state(at)[0] != "AVAILABLE":
            continue
        if not _selected(policy["resourceSelection"], build) or busy(scope, build.arn, at) is not None:
            continue
        overlay = image_overlay(scope, build.arn, at)
        status = overlay[0] if overlay is not None else "AVAILABLE"
        if status != "DELETED":
            current[build.arn] = status
            selected.append(build)
    selected.sort(key=lambda b: (b.created_at, b.number), reverse=True)
    strongest: dict[str, dict[str, Any]] = {}
    for rule in policy["policyDetails"]:
        status = _STATUS_OF[rule["action"]["type"]]
        for build in _picks(rule, selected, at):
            best = strongest.get(build.arn)
            if best is None or _RANK[status] > _RANK[_STATUS_OF[best["action"]["type"]]]:
                strongest[build.arn] = rule
    targets: list[Target] = []
    for build in reversed(selected):  # oldest first
        rule = strongest.get(build.arn)
        if rule is None:
            continue
        status = _STATUS_OF[rule["action"]["type"]]
        if _RANK[status] <= _RANK[current[build.arn]]:
            continue
        included = rule["action"].get("includeResources") or {}
        starts = at + len(targets) * TARGET_SECONDS
        targets.append(
            Target(
                build_arn=build.arn,
                status=status,
                reason=_reason(rule),
                starts=starts,
                ends=starts + TARGET_SECONDS,
                amis=ami_ids(scope, build) if included.get("amis") else (),
                snapshots=bool(included.get("snapshots")),
                image_uris=container_uris(scope, build) if included.get("containers") else (),
                skipped=ami_excluded(scope, build, (rule.get("exclusionRules") or {}).get("amis")),
            )
        )
    new_execution(scope, arn, at, at, targets)
    # Documents are replaced, never changed in place (state.py): an answer may still be reading the old one.
    policies[arn] = {**policy, "dateLastRun": at}

