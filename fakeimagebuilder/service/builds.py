"""Image builds and their lifecycle on the virtual clock.

A build never stores "its current status": it stores when each stage starts
and how it ends, and the status is read off that timeline at any instant.
Statuses therefore only move forward, reading is free of side effects, and a
clock that runs on its own (server mode) needs no background thread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "DEFAULT_DURATIONS",
    "IN_PROGRESS",
    "TERMINAL",
    "Attempt",
    "Build",
    "BuildPlan",
    "checked_seconds",
    "checked_text",
    "workflowless_reason",
]

IN_PROGRESS = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING")
"""The order a build moves through (terraform's waiter lists these as in progress)."""

TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED"})
"""Where a build ends (aws-cdk ``onImageBuildCompleted`` matches exactly these)."""

DEFAULT_DURATIONS: Mapping[str, float] = MappingProxyType(
    {
        "PENDING": 15.0,
        "CREATING": 120.0,
        "BUILDING": 600.0,
        "TESTING": 300.0,
        "DISTRIBUTING": 180.0,
        "INTEGRATING": 30.0,
    }
)
"""Virtual seconds per status: a build of about 20 minutes, like a small real AMI build."""

_STEP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{1,99}")
"""What a workflow step's name may be: the model's WorkflowStepName pattern ``^[A-Za-z][A-Za-z0-9-_]{1,99}$``
(the ``name`` of WorkflowStepMetadata and ImageFailureContext's ``failedStep``), matched whole."""

def scans(settings: Mapping[str, Any], tests_enabled: bool) -> bool:
    """Whether a build with a pipeline's (or CreateImage's) ``settings`` runs a vulnerability scan: scanning on,
    with the image tests it needs (model doc of imageScanningEnabled: "You must also enable image tests")."""
    scanning = settings.get("imageScanningConfiguration") or {}
    return scanning.get("imageScanningEnabled") is True and tests_enabled


DEFAULT_FAILURE_REASON = (
    "Workflow Execution ID: '{workflow_execution_id}' failed with reason: Document {component_arn} failed!"
)
"""AWS's wording for a build whose component failed (user guide, "Find the cause of a failed image build
with failure context": https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-failure-context.html).

A plan's ``failure_reason`` may use ``{status}`` (the status the build failed in),
``{workflow_execution_id}`` and ``{component_arn}`` (the build version the recipe's first component resolved to
when the build started, as the guide's example names it; the ARN as the recipe writes it where the fake cannot
resolve it: dependencies.failed_component).
"""


def workflowless_reason(plan: BuildPlan, status: str, own: str) -> str:
    """Why a build that ran no workflow and no component (an import, a DistributeImage copy) failed in ``status``.

    AWS's default wording names a workflow execution and a component, which
    such a build does not have: it gets ``own`` instead. A plan's own
    ``failure_reason`` is kept, with ``{status}`` filled.
    """
    if plan.failure_reason == DEFAULT_FAILURE_REASON:
        return own
    return plan.failure_reason.replace("{status}", status)


def checked_seconds(value: Any, name: str) -> float:
    """``value`` as a float, if it is a finite number of seconds >= 0; ValueError naming ``name`` if not.

    NaN passes every comparison's "no" branch, so a NaN duration would hold a
    build in its status forever; infinity would make it end at a time no
    clock reaches. Both are refused: a build that must hang can last a large
    finite number of seconds.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    try:
        seconds = float(value)
    except OverflowError:  # an int too large for a float
        seconds = math.inf
    if not 0 <= seconds < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    return seconds


def checked_text(value: Any, name: str) -> str:
    """``value``, if it is a string of valid Unicode text; ValueError naming ``name`` if not.

    A lone surrogate (``"\\ud800"``) is a str but no text: it cannot be encoded
    as UTF-8, so it would fail when sent on the wire (or written to a journal).
    """
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} must be valid Unicode text (it holds a lone surrogate): {value!r}") from None
    return value


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """How the builds of a pipeline behave: time per status and how they end.

    ``outcome`` FAILED ends the build at the end of ``fail_during`` (or of
    the next stage, when that status is skipped) with ``failure_reason``, in
    which ``{status}`` stands for the status it failed in (and
    ``{workflow_execution_id}``, ``{component_arn}`` for what ``fills`` gives).
    ``fail_step`` names the workflow step that fails (``"ApplyTestComponents"``,
    or a step of the build's own workflows): the build fails in the status
    that step's workflow runs in, at the step's end, whatever ``fail_during``
    says; by default the step that runs the components fails. The reason may
    then use ``{step_name}``. A ``fail_step`` whose ``onFailure`` is
    Continue fails and its workflow goes on, as a STOP of such a step does:
    the build then ends as the rest of its workflows make it (AVAILABLE,
    unless something else fails). A ``fail_step`` the build cannot fail (no
    step of its workflows, one its ``if`` skips, a ``WaitForAction``) fails
    no step: the build fails at the end of ``fail_during`` and its reason
    says why. A name that is no workflow step name (the model's
    WorkflowStepName pattern) is refused: ValueError.
    """

    durations: Mapping[str, float] = field(default_factory=lambda: DEFAULT_DURATIONS)
    outcome: Literal["AVAILABLE", "FAILED"] = "AVAILABLE"
    fail_during: str = "BUILDING"
    failure_reason: str = DEFAULT_FAILURE_REASON
    fail_step: str | None = None

    def __post_init__(self) -> None:
        checked_text(self.failure_reason, "failure_reason")
        if self.fail_step is not None:
            checked_text(self.fail_step, "fail_step")
            if _STEP_NAME.fullmatch(self.fail_step) is None:
                # No workflow could have a step of this name: it could only ever fail no step.
                raise ValueError(
                    "fail_step must be a workflow step name (a letter, then 1 to 99 letters, digits, '-' or '_'), "
                    f"not {self.fail_step!r}"
                )
        if self.outcome not in ("AVAILABLE", "FAILED"):
            raise ValueError(f"outcome must be AVAILABLE or FAILED, not {self.outcome!r}")
        if self.fail_during not in IN_PROGRESS:
            raise ValueError(f"fail_during must be one of {IN_PROGRESS}, not {self.fail_during!r}")
        unknown = set(self.durations) - set(IN_PROGRESS)
        if unknown:
            raise ValueError(f"durations name unknown statuses: {sorted(unknown)}")
        checked = {status: checked_seconds(v, f"durations[{status!r}]") for status, v in self.durations.items()}
        # A copy the caller cannot change afterwards, so what was checked is what builds follow.
        object.__setattr__(self, "durations", MappingProxyType(checked))

    def __deepcopy__(self, memo: dict[int, Any]) -> BuildPlan:
        # Immutable (frozen, its durations a read-only view): a copy of the state shares it, as it may.
        return self

    @classmethod
    def from_fields(cls, fields: Any, name: str = "plan") -> BuildPlan:
        """A plan from its fields by name, as JSON gives them (what :meth:`fields` answers); fields left out
        keep their defaults. ValueError naming ``name`` for anything but an object of known fields, and for a
        value the plan refuses."""
        known = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(fields, Mapping):
            raise ValueError(f"{name} must be an object of BuildPlan's fields ({', '.join(known)}), not {fields!r}")
        unknown = sorted(set(fields) - set(known), key=str)
        if unknown:
            raise ValueError(
                f"{name} has no field {', '.join(repr(member) for member in unknown)}; BuildPlan's fields are "
                f"{', '.join(known)}"
            )
        durations = fields.get("durations", {})
        if not isinstance(durations, Mapping):  # a list or a string would pass as iterables of statuses
            raise ValueError(f"{name}.durations must be an object of status -> seconds, not {durations!r}")
        try:
            return cls(**fields)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    def fields(self) -> dict[str, Any]:
        """The plan's fields by name as plain values (``durations`` a dict): JSON-ready, and what
        :meth:`from_fields` takes back."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {**values, "durations": dict(self.durations)}

    @classmethod
    def lasting(cls, seconds: float, **kwargs: Any) -> BuildPlan:
        """A plan whose full build takes ``seconds``, split like the default durations."""
        seconds = checked_seconds(seconds, "seconds")
        total = sum(DEFAULT_DURATIONS.values())
        scaled = {status: seconds * d / total for status, d in DEFAULT_DURATIONS.items()}
        # The last status takes the rounding remainder, so the stages add up to exactly ``seconds``.
        *rest, last = IN_PROGRESS
        scaled[last] = seconds - sum(scaled[status] for status in rest)
        return cls(durations=MappingProxyType(scaled), **kwargs)

    def timeline(
        self, start: float, tests_enabled: bool, fills: Mapping[str, str] | None = None
    ) -> tuple[tuple[tuple[str, float], ...], str, float, str | None]:
        """Stages ``(status, starts_at)`` and the end ``(status, at, reason)`` of a build started at ``start``.

        ``fills`` gives the values of the reason's other ``{placeholders}``.
        """
        stages: list[tuple[str, float]] = []
        # Summed apart from the (large) epoch start, so a build of N seconds ends exactly N seconds after it.
        elapsed = 0.0
        failing = False
        for status in IN_PROGRESS:
            # A plan failing during TESTING fails in the next stage when the tests are off.
            failing = failing or (self.outcome == "FAILED" and status == self.fail_during)
            if status == "TESTING" and not tests_enabled:
                continue
            stages.append((status, start + elapsed))
            elapsed += self.durations.get(status, DEFAULT_DURATIONS[status])
            if failing:
                reason = self.failure_reason
                for name, value in {**(fills or {}), "status": status}.items():
                    reason = reason.replace("{" + name + "}", value)
                return tuple(stages), "FAILED", start + elapsed, reason
        return tuple(stages), "AVAILABLE", start + elapsed, None


def _read(
    stages: tuple[tuple[str, float], ...], end_status: str, end_at: float, end_reason: str | None, now: float
) -> tuple[str, str | None]:
    """The status (and reason) a timeline shows at ``now``."""
    if now >= end_at:
        return end_status, end_reason
    current = stages[0][0]
    for status, starts in stages:
        if starts > now:
            break
        current = status
    return current, None


@dataclass(frozen=True, slots=True)
class Attempt:
    """An attempt of a build that ended before a retry (RetryImage): its statuses and how it ended."""

    stages: tuple[tuple[str, float], ...]
    end_status: str
    end_at: float
    end_reason: str | None
    failure_context: dict[str, Any] | None


@dataclass(slots=True)
class Build:
    """One image build version: ``arn`` ends in ``/x.y.z/n``.

    ``pipeline`` holds the settings the build runs with: its pipeline's
    document, or for CreateImage the request's own settings (no ``arn``).
    ``dependencies``: what the recipe's parent image and components resolved
    to when it started (``dependencies.resolution``).
    """

    arn: str
    number: int
    recipe: dict[str, Any]
    pipeline: dict[str, Any]
    infrastructure: dict[str, Any]
    distribution: dict[str, Any] | None
    created_at: float
    date_created: str  # created_at as AWS writes it, made once: every read of the build shows it
    stages: tuple[tuple[str, float], ...]
    end_status: str
    end_at: float
    end_reason: str | None
    tags: dict[str, str] = field(default_factory=dict)
    failure_context: dict[str, Any] | None = None  # state.failureContext, once the build has FAILED
    build_type: str = "USER_INITIATED"
    dependencies: tuple[str, ...] = ()
    # The findings its vulnerability scan reports (planted through Settings.scan_findings; findings.py).
    scan_findings: tuple[dict[str, Any], ...] = ()
    # The workflow executions of every attempt (workflow_runs.WorkflowRun), oldest first (read them through
    # workflow_runs.runs_of: a new build's are laid out when first read); the actions sent, if any
    # (workflow_runs.Action by step execution id); the attempts before a retry.
    runs: Sequence[Any] = ()
    actions: dict[str, Any] | None = None
    earlier: tuple[Attempt, ...] = ()
    # What the current attempt is laid out from (workflow_runs.lay_out's arguments), so an action sent to a
    # waiting step, or a retry, lays it out again; no plan: a build that runs no workflow (an import, a
    # DistributeImage copy). Fields of the build, and nothing above a list or mapping of its own until
    # something is in it: each object a build holds is one more for the garbage collector to walk, again
    # and again over a long run, and that walking cost a start more than the rest of its work (benchmarks).
    plan: BuildPlan | None = None
    attempt: int = 0
    attempt_start: float = 0.0
    tests_enabled: bool = True
    specs: tuple[Any, ...] = ()
    failing_component: str = ""  # the component a failure names, as its recipe writes it (failed_component)
    first_status: str = "PENDING"

    def _earlier_at(self, now: float) -> Attempt | None:
        """The earlier attempt in force at ``now``: before the current attempt started (after a retry)."""
        if not self.earlier or now >= self.stages[0][1]:
            return None
        found = self.earlier[0]
        for attempt in self.earlier:
            if attempt.stages[0][1] <= now:
                found = attempt
        return found

    def failure_context_at(self, now: float) -> dict[str, Any] | None:
        """state.failureContext at ``now`` (None unless the build, or the attempt then, had FAILED)."""
        earlier = self._earlier_at(now)
        return earlier.failure_context if earlier is not None else self.failure_context
    origin: str = ""  # which fake launched it, and its launch number there: unique even where the ARN repeats

    def build_state(self, now: float) -> tuple[str, str | None]:
        """The build's own status (and reason, for FAILED and CANCELLED) at instant ``now``.

        Not the image's: lifecycle actions may have made it DEPRECATED, DISABLED or DELETED since, and
        whatever answers for the image reads that with ``lifecycle_executions.image_status``.
        """
        earlier = self._earlier_at(now)
        if earlier is not None:
            return _read(earlier.stages, earlier.end_status, earlier.end_at, earlier.end_reason, now)
        return _read(self.stages, self.end_status, self.end_at, self.end_reason, now)

    def scanned(self) -> bool:
        """Whether a vulnerability scan runs (:func:`scans`)."""
        return scans(self.pipeline, self.tests_enabled)

    def scan_done_at(self) -> float | None:
        """When the scan was done: the first instant an attempt of the build left TESTING (its findings are
        collected then: the fake's choice, ledger scan-findings); None if none did.

        Over every attempt: a retry that resumes after TESTING keeps the scan an earlier attempt finished.
        """
        for attempt in (*self.earlier, self):
            statuses = [status for status, _ in attempt.stages]
            if "TESTING" not in statuses or statuses[-1] == "TESTING":
                continue
            after = attempt.stages[statuses.index("TESTING") + 1][1]
            if after < attempt.end_at or (after == attempt.end_at and attempt.end_status == "AVAILABLE"):
                return after
        return None

    def scan_state(self, now: float) -> dict[str, str] | None:
        """Image.scanState at ``now``; None for a build that runs no scan.

        "The scan starts as PENDING and moves through SCANNING and COLLECTING to COMPLETED. Image Builder sets
        the status to ABANDONED if the image reaches a terminal state before the scan finding collection
        completes" (model doc of ImageScanState.status). The fake scans while TESTING, SCANNING for its first
        half and COLLECTING for the second, and is COMPLETED when TESTING ends, as its findings appear then
        (assumed timing: ledger scan-state). FAILED and TIMED_OUT never happen: the fake's Inspector cannot fail.
        """
        if not self.scanned():
            return None
        done = self.scan_done_at()
        if done is not None and done <= now:
            return {"status": "COMPLETED"}
        attempt: Build | Attempt = self._earlier_at(now) or self
        status, _ = _read(attempt.stages, attempt.end_status, attempt.end_at, None, now)
        if status in TERMINAL:
            return {
                "status": "ABANDONED",
                "reason": f"The image reached status {status} before the scan findings were collected.",
            }
        if status != "TESTING":
            return {"status": "PENDING"}
        statuses = [stage for stage, _ in attempt.stages]
        index = statuses.index("TESTING")
        starts = attempt.stages[index][1]
        ends = attempt.stages[index + 1][1] if index + 1 < len(statuses) else attempt.end_at
        return {"status": "SCANNING" if now < (starts + ends) / 2 else "COLLECTING"}

    def past(self, status: str, now: float) -> bool:
        """Whether the build had moved on from ``status`` by ``now`` (an AVAILABLE build has moved on from all)."""
        if now >= self.end_at and self.end_status == "AVAILABLE":
            return True
        later = IN_PROGRESS[IN_PROGRESS.index(status) + 1 :]
        return any(s in later and starts <= now and starts < self.end_at for s, starts in self.stages)

    def cancel(self, now: float) -> bool:
        """End the build as CANCELLED at ``now``; False if it had already ended.

        A cancelled build has no reason and no failure context: no AWS source
        quotes a reason for CANCELLED (the "Image creation is cancelled." seen
        before is the CloudFormation handler's own message, not the image's).
        """
        if now >= self.end_at:
            return False
        self.end_status, self.end_at, self.end_reason = "CANCELLED", now, None
        self.failure_context = None
        # Workflows not yet started never will be; those running end CANCELLED now, with their unfinished steps.
        self.runs = [run for run in self.runs if run.starts < now]
        for run in self.runs:
            if run.ends > now:
                run.ends, run.outcome = now, "CANCELLED"
                for step in run.steps:
                    if step.ends > now:
                        step.starts, step.ends, step.outcome = min(step.starts, now), now, "CANCELLED"
        return True

    def ami_id(self, region: str | None = None, account: str | None = None) -> str:
        """The made-up id of the AMI this build outputs in ``region`` (default: the build's own region), or
        of its copy owned by ``account`` there (default: the build's own): stable, and never another build's.

        Made from the build's origin (its fake and launch number), not from its ARN only: after a reset a
        build under the same ARN, or a build of another fake, is another AMI, as on AWS.
        """
        region = region or self.arn.split(":")[3]
        key = f"{self.origin}\x1f{self.arn}\x1f{region}" + (f"\x1f{account}" if account else "")
        return "ami-" + hashlib.sha256(key.encode()).hexdigest()[:17]
