"""Image builds and their lifecycle on the virtual clock.

A build never stores "its current status": it stores when each stage starts
and how it ends, and the status is read off that timeline at any instant.
Statuses therefore only move forward, reading is free of side effects, and a
clock that runs on its own (server mode) needs no background thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "DEFAULT_DURATIONS",
    "IN_PROGRESS",
    "TERMINAL",
    "Build",
    "BuildPlan",
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

DEFAULT_FAILURE_REASON = (
    "SSM execution 'fake-execution' failed with status = 'Failed' in state = '{status}' "
    "and failure message = 'Step fails when it is Failed'"
)
"""AWS's wording for a failed SSM step (aws-samples/immutable-server-pipeline#12); ``{status}`` is filled in."""

CANCEL_REASON = "Image creation is cancelled."


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """How the builds of a pipeline behave: time per status and how they end.

    ``outcome`` FAILED ends the build at the end of ``fail_during`` (or of
    the next stage, when that status is skipped) with ``failure_reason``, in
    which ``{status}`` stands for the status it failed in.
    """

    durations: Mapping[str, float] = field(default_factory=lambda: DEFAULT_DURATIONS)
    outcome: Literal["AVAILABLE", "FAILED"] = "AVAILABLE"
    fail_during: str = "BUILDING"
    failure_reason: str = DEFAULT_FAILURE_REASON

    def __post_init__(self) -> None:
        if self.outcome not in ("AVAILABLE", "FAILED"):
            raise ValueError(f"outcome must be AVAILABLE or FAILED, not {self.outcome!r}")
        if self.fail_during not in IN_PROGRESS:
            raise ValueError(f"fail_during must be one of {IN_PROGRESS}, not {self.fail_during!r}")
        unknown = set(self.durations) - set(IN_PROGRESS)
        if unknown:
            raise ValueError(f"durations name unknown statuses: {sorted(unknown)}")
        if any(seconds < 0 for seconds in self.durations.values()):
            raise ValueError("durations must be >= 0")

    @classmethod
    def lasting(cls, seconds: float, **kwargs: Any) -> BuildPlan:
        """A plan whose full build takes ``seconds``, split like the default durations."""
        total = sum(DEFAULT_DURATIONS.values())
        scaled = {status: seconds * d / total for status, d in DEFAULT_DURATIONS.items()}
        # The last status takes the rounding remainder, so the stages add up to exactly ``seconds``.
        *rest, last = IN_PROGRESS
        scaled[last] = seconds - sum(scaled[status] for status in rest)
        return cls(durations=MappingProxyType(scaled), **kwargs)

    def timeline(
        self, start: float, tests_enabled: bool
    ) -> tuple[tuple[tuple[str, float], ...], str, float, str | None]:
        """Stages ``(status, starts_at)`` and the end ``(status, at, reason)`` of a build started at ``start``."""
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
                return tuple(stages), "FAILED", start + elapsed, self.failure_reason.replace("{status}", status)
        return tuple(stages), "AVAILABLE", start + elapsed, None


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
    build_type: str = "USER_INITIATED"
    dependencies: tuple[str, ...] = ()

    def state(self, now: float) -> tuple[str, str | None]:
        """Status (and reason, for FAILED and CANCELLED) at instant ``now``."""
        if now >= self.end_at:
            return self.end_status, self.end_reason
        current = self.stages[0][0]
        for status, starts in self.stages:
            if starts > now:
                break
            current = status
        return current, None

    def cancel(self, now: float) -> bool:
        """End the build as CANCELLED at ``now``; False if it had already ended."""
        if now >= self.end_at:
            return False
        self.end_status, self.end_at, self.end_reason = "CANCELLED", now, CANCEL_REASON
        return True

    def ami_id(self) -> str:
        """A stable, made-up AMI id for the image this build produces."""
        return "ami-" + hashlib.sha256(self.arn.encode()).hexdigest()[:17]
