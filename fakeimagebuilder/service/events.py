"""Events Image Builder sends, produced from the build timelines on the virtual clock.

Statuses are read off each build's timeline when asked (see :mod:`.builds`),
so nothing "happens" at the instant a build moves on. Events are therefore
*materialised*: :meth:`EventLog.catch_up` (called under the service lock by
whatever observes the fake: a call, ``fake.advance``, a read of the events)
turns every change up to that instant into records, once, in order of the
virtual instant (then the order they became known, then the build's creation
order and its lifecycle order). A clock that jumps over many changes yields
all of them, each at its own instant.

The shapes are AWS's: the EventBridge events of the user guide ("Event
messages that Image Builder sends",
https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html)
and the SNS message of an infrastructure configuration's ``snsTopicArn``
(user guide integ-sns.html, "SNS message format"). Automatic pipeline
disables come from the scopes' record of them (:class:`PipelineDisables`).
Producers of event types whose features the fake lacks yet (workflow waits,
CVE scans) plug in as further :class:`EventSource` objects.
"""

from __future__ import annotations

import bisect
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from .arns import normalise_name
from .builds import IN_PROGRESS, Build
from .images import ami_settings, image_document, launch_template_configurations
from .state import Scope

__all__ = [
    "CVE_DETECTED",
    "DETAIL_TYPES",
    "IMAGE_STATE_CHANGE",
    "PIPELINE_AUTOMATICALLY_DISABLED",
    "SOURCE",
    "WORKFLOW_STEP_WAITING",
    "Ami",
    "BuildStateChanges",
    "EventLog",
    "EventSource",
    "LaunchTemplateUpdate",
    "Notification",
    "Pending",
    "PipelineDisables",
    "Record",
    "cve_detected",
    "event_document",
    "image_state_change",
    "pipeline_automatically_disabled",
    "sns_message",
    "workflow_step_waiting",
]

SOURCE = "aws.imagebuilder"
IMAGE_STATE_CHANGE = "EC2 Image Builder Image State Change"
WORKFLOW_STEP_WAITING = "EC2 Image Builder Workflow Step Waiting"
CVE_DETECTED = "EC2 Image Builder CVE Detected"
PIPELINE_AUTOMATICALLY_DISABLED = "EC2 Image Builder Image Pipeline Automatically Disabled"
DETAIL_TYPES = (IMAGE_STATE_CHANGE, WORKFLOW_STEP_WAITING, CVE_DETECTED, PIPELINE_AUTOMATICALLY_DISABLED)
"""Every detail type Image Builder sends to EventBridge (EventBridge events reference, events-ref-imagebuilder)."""

_STATE_CHANGE_STATUSES = frozenset(
    {"BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE", "CANCELLED", "FAILED"}
)
"""The statuses an Image State Change names ("the build-transition status values", user guide)."""

_SNS_STATUSES = frozenset({"AVAILABLE", "FAILED"})
"""When the infrastructure configuration's topic gets a message (user guide integ-sns.html)."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Notification:
    """One SNS message Image Builder publishes to ``topic_arn`` (``message`` is the JSON body, as a dict)."""

    topic_arn: str
    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ami:
    """An AMI a build produced, as EC2 shows it: where, its id, name, description and tags."""

    account: str
    region: str
    image_id: str
    name: str
    description: str | None
    tags: dict[str, str]
    platform: str


@dataclass(frozen=True, slots=True)
class LaunchTemplateUpdate:
    """A new version of an EC2 launch template that Image Builder makes when a build is AVAILABLE.

    The version is the template's own settings with ``image_id`` (the build's AMI in ``region``) as its
    AMI, made the template's default when ``set_default``. Image Builder's API shows none of it (no
    output member names launch templates): only EC2 does, hence only moto's EC2 gets it.
    """

    account: str
    region: str
    launch_template_id: str
    image_id: str
    set_default: bool


@dataclass(frozen=True, slots=True)
class Pending:
    """An event an :class:`EventSource` found due: its instant, tie-break, and what it carries."""

    at: float
    order: tuple[Any, ...]
    event: dict[str, Any]
    notification: Notification | None = None
    amis: tuple[Ami, ...] = ()
    launch_templates: tuple[LaunchTemplateUpdate, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One materialised event: its place in the log (``seq``, from 1, never reused), instant and payloads.

    ``amis``: the AMIs the build produced with this change (one per region it outputs to), for EC2;
    ``launch_templates``: the launch template versions its distribution makes with them, in order.
    """

    seq: int
    at: float
    event: dict[str, Any]
    notification: Notification | None
    amis: tuple[Ami, ...] = ()
    launch_templates: tuple[LaunchTemplateUpdate, ...] = ()


class EventSource(Protocol):
    """Something that produces events from the service's state (build timelines, later schedules, workflows)."""

    def collect(self, scopes: Iterable[Scope], upto: float) -> list[Pending]:
        """Every event due at or before ``upto`` not collected before; called under the service lock."""
        ...

    def clear(self) -> None:
        """Forget what was collected (the service was reset)."""
        ...


# -- shapes ---------------------------------------------------------------------------------------


def _stable_uuid(*parts: object) -> str:
    """A UUID made from ``parts``: the same build and change always give the same id (also after a restart)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _event_time(at: float) -> str:
    """EventBridge's ``time``: whole seconds, UTC (``2024-01-18T17:50:56Z``)."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_document(
    detail_type: str, scope: Scope, at: float, resources: list[str], detail: dict[str, Any], *key: object
) -> dict[str, Any]:
    """An EventBridge event from Image Builder, in the envelope every AWS service event has."""
    return {
        "version": "0",
        "id": _stable_uuid(detail_type, scope.account, scope.region, at, *key),
        "detail-type": detail_type,
        "source": SOURCE,
        "account": scope.account,
        "time": _event_time(at),
        "region": scope.region,
        "resources": resources,
        "detail": detail,
    }


def image_state_change(
    scope: Scope, arn: str, at: float, previous: str, status: str, reason: str | None = None, *, origin: str = ""
) -> dict[str, Any]:
    """"EC2 Image Builder Image State Change": ``previous-state`` and ``state`` of the image ``arn``.

    ``origin``: the build's (:attr:`.builds.Build.origin`), in the event's id, so a build made again under the
    same ARN at the same instant (after a reset, or by another fake) sends events of its own ids.
    """
    state: dict[str, Any] = {"status": status}
    if reason:
        state["reason"] = reason
    detail = {"previous-state": {"status": previous}, "state": state}
    return event_document(IMAGE_STATE_CHANGE, scope, at, [arn], detail, origin, arn, status)


def workflow_step_waiting(
    scope: Scope,
    at: float,
    image_arn: str,
    workflow_arn: str,
    workflow_execution_id: str,
    step_execution_id: str,
    step_name: str,
) -> dict[str, Any]:
    """"EC2 Image Builder Workflow Step Waiting": a ``WaitForAction`` step paused (sent by :mod:`.step_waits`)."""
    detail = {
        "workflow-execution-id": workflow_execution_id,
        "workflow-step-execution-id": step_execution_id,
        "workflow-step-name": step_name,
    }
    return event_document(WORKFLOW_STEP_WAITING, scope, at, [image_arn, workflow_arn], detail, step_execution_id)


def cve_detected(
    scope: Scope,
    at: float,
    image_arn: str,
    pipeline_arn: str | None,
    instance_id: str,
    counts: dict[str, int],
    *,
    origin: str = "",
) -> dict[str, Any]:
    """"EC2 Image Builder CVE Detected": a scan's finding counts; ``origin`` as for :func:`image_state_change`."""
    detail = {
        "resource-id": instance_id,
        "finding-severity-counts": {k: counts.get(k, 0) for k in ("all", "critical", "high", "medium")},
    }
    resources = [image_arn] + ([pipeline_arn] if pipeline_arn else [])
    return event_document(CVE_DETECTED, scope, at, resources, detail, origin, image_arn)


def pipeline_automatically_disabled(
    scope: Scope, at: float, pipeline_arn: str, consecutive_failures: int
) -> dict[str, Any]:
    """"EC2 Image Builder Image Pipeline Automatically Disabled": ``resources`` the pipeline; the count is a string."""
    detail = {"consecutive-failures": str(consecutive_failures)}
    return event_document(PIPELINE_AUTOMATICALLY_DISABLED, scope, at, [pipeline_arn], detail, pipeline_arn)


def _java_date(text: str) -> str:
    """A stored ISO date as the SNS message writes dates: ``Jul 28, 2022 1:13:45 AM``."""
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year} {hour}:{moment:%M:%S} {half}"


def _internal_tags(origin: str, arn: str, tags: dict[str, str] | None) -> dict[str, str]:
    """The tags as the SNS message shows them: with Image Builder's own internalId and resourceArn.

    The internalId is made from the build's ``origin`` too, so it is the build's own, not one shared with
    a build made again under the same ARN after a reset, or by another fake.
    """
    return {**(tags or {}), "internalId": _stable_uuid("internalId", origin, arn), "resourceArn": arn}


def _embedded(scope: Scope, document: dict[str, Any], origin: str) -> dict[str, Any]:
    """A recipe or configuration inside the SNS message: no owner, the account, Java dates, internal tags."""
    embedded = {k: v for k, v in document.items() if k not in ("owner", "type", "dateCreated", "dateUpdated", "tags")}
    if "dateCreated" in document:
        embedded["dateCreated"] = _java_date(document["dateCreated"])
    embedded["tags"] = _internal_tags(origin, document["arn"], document.get("tags"))
    embedded["accountId"] = scope.account
    return embedded


def _semver(version: str, number: int) -> int:
    """The message's ``semver``: 30 bits for each of major, minor, patch and build.

    The user guide's examples give 2**90 + 3 for 1.0.0/3 and 2**90 + 7 for 1.0.0/7.
    """
    major, minor, patch = (int(part) for part in version.split("."))
    return (major << 90) | (minor << 60) | (patch << 30) | number


def sns_message(scope: Scope, build: Build, at: float) -> dict[str, Any]:
    """The JSON body Image Builder publishes to the infrastructure configuration's topic when a build ends."""
    document = image_document(scope, build, at)
    recipe = build.recipe
    state = {k: v for k, v in document["state"].items() if k in ("status", "reason")}
    tests = build.pipeline.get("imageTestsConfiguration") or {}
    message: dict[str, Any] = {
        "versionlessArn": scope.arn("image", normalise_name(recipe["name"])),
        "semver": _semver(recipe["version"], build.number),
        "arn": build.arn,
        "name": recipe["name"],
        "version": recipe["version"],
        "type": document["type"],
        "buildVersion": build.number,
        "state": state,
        "platform": document["platform"],
        "imageRecipe": _embedded(scope, recipe, build.origin),
        "infrastructureConfiguration": _embedded(scope, build.infrastructure, build.origin),
        "imageTestsConfigurationDocument": {
            "imageTestsEnabled": tests.get("imageTestsEnabled", True),
            "timeoutMinutes": tests.get("timeoutMinutes", 720),
        },
    }
    if build.pipeline.get("arn") is not None:  # a CreateImage build has no pipeline
        message["sourcePipelineArn"] = build.pipeline["arn"]
    if build.distribution is not None:
        message["distributionConfiguration"] = _embedded(scope, build.distribution, build.origin)
    message["dateCreated"] = _java_date(build.date_created)
    message["outputResources"] = document["outputResources"]
    if state["status"] == "AVAILABLE":
        # The ids of the jobs that ran; AWS's failed-build example has none.
        message["buildExecutionId"] = _stable_uuid("build", build.origin, build.arn)
        if any(status == "TESTING" for status, _ in build.stages):
            message["testExecutionId"] = _stable_uuid("test", build.origin, build.arn)
        message["distributionJobId"] = _stable_uuid("distribution", build.origin, build.arn)
        message["integrationJobId"] = _stable_uuid("integration", build.origin, build.arn)
    message["accountId"] = scope.account
    if "osVersion" in document:
        message["osVersion"] = document["osVersion"]
    message["enhancedImageMetadataEnabled"] = document.get("enhancedImageMetadataEnabled", True)
    message["buildType"] = document["buildType"]
    message["tags"] = _internal_tags(build.origin, build.arn, build.tags)
    return message


def _amis(scope: Scope, build: Build, at: float) -> tuple[Ami, ...]:
    """The AMIs an AVAILABLE build made, one per region it outputs to and one per target account's copy there
    (each in its owner's account), each with the tags Image Builder gives it and those its region's
    distribution settings add.

    Empty for a build that made no AMI (a container recipe's build outputs container images).
    """
    found: list[Ami] = []
    for output in image_document(scope, build, at)["outputResources"].get("amis") or []:
        settings = ami_settings(build, output["region"])
        tags = {**(settings.get("amiTags") or {}), "CreatedBy": "EC2 Image Builder", "Ec2ImageBuilderArn": build.arn}
        found.append(
            Ami(
                account=output["accountId"],
                region=output["region"],
                image_id=output["image"],
                name=output["name"],
                description=settings.get("description"),
                tags=tags,
                platform=build.recipe["platform"],
            )
        )
    return tuple(found)


def _launch_template_updates(scope: Scope, build: Build, amis: tuple[Ami, ...]) -> tuple[LaunchTemplateUpdate, ...]:
    """The launch template versions Image Builder makes when the build is AVAILABLE: for each region's AMI,
    one per ``launchTemplateConfigurations`` entry of that region's distribution, in the order given.

    User guide dist-using-launch-template.html: "a new version of the launch template that includes all of
    the original settings from the template, and the new AMI ID from the build". The template is in the
    entry's ``accountId``, else the build's account; either way it gets the AMI of the build's account
    (a cross-account template is not given the target account's copy). ``setDefaultVersion`` left out
    counts as true (CloudFormation template reference, LaunchTemplateConfiguration).
    """
    return tuple(
        LaunchTemplateUpdate(
            account=entry.get("accountId") or ami.account,
            region=ami.region,
            launch_template_id=entry["launchTemplateId"],
            image_id=ami.image_id,
            set_default=entry.get("setDefaultVersion", True),
        )
        for ami in amis
        if ami.account == scope.account  # a target account's copy is not the AMI templates are given
        for entry in launch_template_configurations(build, ami.region)
    )


# -- producing ------------------------------------------------------------------------------------

_END_RANK = len(IN_PROGRESS)


def _transitions(build: Build) -> Iterator[tuple[float, int, str, str | None]]:
    """``(at, rank, status, reason)`` of each change the build makes, in order; ranks grow along the lifecycle.

    A stage that starts when the build has already ended (a cancel at that
    instant, or a stage of no length at the end) is never seen, so it is left out.
    A retried build (RetryImage) goes through its attempts in turn, each
    ranked after the one before, so a retry at the instant of the end still
    follows it.
    """
    for number, attempt in enumerate([*build.earlier, build]):
        base = number * (_END_RANK + 1)
        for status, starts in attempt.stages:
            if starts < attempt.end_at:
                yield starts, base + IN_PROGRESS.index(status), status, None
        yield attempt.end_at, base + _END_RANK, attempt.end_status, attempt.end_reason


def _last_rank(build: Build) -> int:
    """The rank of the build's final end (its current attempt's)."""
    return len(build.earlier) * (_END_RANK + 1) + _END_RANK


@dataclass(slots=True)
class _Cursor:
    """How far one build's changes have been collected."""

    build: Build
    scope: Scope
    number: int  # the order the log came to know the build: the tie-break between builds
    at: float = float("-inf")
    rank: int = -1
    status: str = "PENDING"
    # When its next change is due, and the end that was computed from: only a cancel changes a timeline,
    # and it moves the end, so a cursor whose build still ends there can wait until next_at.
    next_at: float = float("-inf")
    end_at: float = float("nan")


@dataclass(slots=True)
class BuildStateChanges:
    """Image State Change events (and the SNS message and AMI of a finished build) from build timelines."""

    _known: dict[tuple[str, str, str], _Cursor] = field(default_factory=dict)
    _open: list[_Cursor] = field(default_factory=list)
    _numbered: int = 0
    _retries_seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def _reopen(self, scope: Scope) -> None:
        # A build retried since the last look goes on past its end: its cursor is open again.
        key = (scope.account, scope.region)
        for arn in scope.retried[self._retries_seen.get(key, 0) :]:
            cursor = self._known.get((scope.account, scope.region, arn))
            if cursor is not None and cursor not in self._open:
                self._open.append(cursor)
        self._retries_seen[key] = len(scope.retried)

    def _discover(self, scope: Scope) -> None:
        # Builds are added at the end of scope.builds: walk back from the newest to the first one known.
        fresh: list[_Cursor] = []
        for arn, build in reversed(scope.builds.items()):
            key = (scope.account, scope.region, arn)
            known = self._known.get(key)
            if known is not None and known.build is build:
                break
            fresh.append(_Cursor(build, scope, 0))
        for cursor in reversed(fresh):  # oldest first
            self._numbered += 1
            cursor.number = self._numbered
            self._known[(scope.account, scope.region, cursor.build.arn)] = cursor
            self._open.append(cursor)

    def collect(self, scopes: Iterable[Scope], upto: float) -> list[Pending]:
        """Every change at or before ``upto`` of every build, not collected before."""
        for scope in scopes:
            self._discover(scope)
            self._reopen(scope)
        found: list[Pending] = []
        still_open: list[_Cursor] = []
        for cursor in self._open:
            build = cursor.build
            if cursor.next_at > upto and cursor.end_at == build.end_at:
                still_open.append(cursor)
                continue
            cursor.end_at = build.end_at
            for at, rank, status, reason in _transitions(build):
                if (at, rank) <= (cursor.at, cursor.rank):
                    continue
                if at > upto:
                    cursor.next_at = at
                    break
                if status in _STATE_CHANGE_STATUSES:
                    found.append(self._pending(cursor, at, rank, status, reason))
                cursor.at, cursor.rank, cursor.status = at, rank, status
            if cursor.rank < _last_rank(build):
                still_open.append(cursor)
        self._open = still_open
        return found

    def _pending(self, cursor: _Cursor, at: float, rank: int, status: str, reason: str | None) -> Pending:
        build, scope = cursor.build, cursor.scope
        event = image_state_change(scope, build.arn, at, cursor.status, status, reason, origin=build.origin)
        notification = None
        topic = build.infrastructure.get("snsTopicArn")
        if topic and status in _SNS_STATUSES:
            notification = Notification(topic, sns_message(scope, build, at))
        amis = _amis(scope, build, at) if status == "AVAILABLE" else ()
        templates = _launch_template_updates(scope, build, amis)
        # Ties at one instant: the older build first (its creation instant, then the order it became known), so
        # the order does not depend on when the log happened to be caught up (a replayed journal catches up
        # at other moments than the original run did).
        return Pending(at, (build.created_at, cursor.number, rank), event, notification, amis, templates)

    def clear(self) -> None:
        """Forget every build."""
        self._known.clear()
        self._open.clear()
        self._retries_seen.clear()


@dataclass(slots=True)
class PipelineDisables:
    """"Image Pipeline Automatically Disabled" events, from each scope's record of automatic disables.

    Sent at the instant of the disable (the end of the failed scheduled build that reached the count), after
    that build's FAILED state change.
    """

    _collected: dict[tuple[str, str], int] = field(default_factory=dict)
    _numbered: int = 0

    def collect(self, scopes: Iterable[Scope], upto: float) -> list[Pending]:
        """Every disable at or before ``upto`` not collected before."""
        found: list[Pending] = []
        for scope in scopes:
            key = (scope.account, scope.region)
            done = self._collected.get(key, 0)
            for at, arn, count in scope.auto_disables[done:]:
                if at > upto:
                    break
                done += 1
                self._numbered += 1
                event = pipeline_automatically_disabled(scope, at, arn, count)
                found.append(Pending(at, (float("inf"), self._numbered), event))
            self._collected[key] = done
        return found

    def clear(self) -> None:
        """Forget what was collected."""
        self._collected.clear()


class EventLog:
    """Every event materialised so far (since the last reset), numbered from 1 without gaps or reuse.

    Not locked itself: the service calls :meth:`catch_up` and :meth:`clear`
    under its lock, and readers take the same lock.
    """

    def __init__(self, sources: Iterable[EventSource] | None = None) -> None:
        self.sources: list[EventSource] = (
            list(sources) if sources is not None else [BuildStateChanges(), PipelineDisables()]
        )
        self._records: list[Record] = []
        self._last_seq = 0

    @property
    def last_seq(self) -> int:
        """The number of the newest record (0 before the first)."""
        return self._last_seq

    def catch_up(self, scopes: Iterable[Scope], upto: float) -> None:
        """Materialise every event due at or before ``upto``, in order of instant, then the sources' order."""
        scopes = list(scopes)
        pending: list[Pending] = []
        for source in self.sources:
            pending.extend(source.collect(scopes, upto))
        pending.sort(key=lambda p: (p.at, p.order))
        for item in pending:
            self._last_seq += 1
            self._records.append(
                Record(self._last_seq, item.at, item.event, item.notification, item.amis, item.launch_templates)
            )

    def since(self, after: int) -> list[Record]:
        """The records numbered after ``after``, oldest first."""
        start = bisect.bisect_right(self._records, after, key=lambda r: r.seq)
        return self._records[start:]

    def clear(self) -> None:
        """Drop every record and what the sources know; numbering goes on from where it was."""
        self._records.clear()
        for source in self.sources:
            source.clear()
