"""The "EC2 Image Builder Workflow Step Waiting" events: one when a ``WaitForAction`` step starts waiting.

Read off the builds' workflow layouts (:mod:`.workflow_runs`) like every
other event: a wait that started by the instant observed is sent once, at
the instant it started, after the Image State Change events of that instant
(the status change that started its workflow comes first). The shape is the
user guide's ("Event messages that Image Builder sends",
https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .events import Pending, workflow_step_waiting
from .state import Scope
from .workflow_runs import WAIT

__all__ = ["StepWaits"]

_WAITED = frozenset({"WAITING", "COMPLETED", "FAILED"})
"""Outcomes of a wait step that did wait (a cancelled one waited only if it had started before the cancel)."""


@dataclass(slots=True)
class StepWaits:
    """Workflow Step Waiting events, from the builds whose workflows have a WaitForAction step."""

    _sent: set[str] = field(default_factory=set)

    def collect(self, scopes: Iterable[Scope], upto: float) -> list[Pending]:
        """Every wait that started at or before ``upto`` and was not sent before."""
        found: list[Pending] = []
        for scope in scopes:
            for build in scope.waiting_builds.values():
                for run_index, run in enumerate(build.runs):
                    for step_index, step in enumerate(run.steps):
                        if step.spec.action != WAIT or step.id in self._sent or math.isinf(step.starts):
                            continue
                        waited = step.outcome in _WAITED or (step.outcome == "CANCELLED" and step.ends > step.starts)
                        if not waited or step.starts > upto:
                            continue
                        self._sent.add(step.id)
                        event = workflow_step_waiting(
                            scope, step.starts, build.arn, run.spec.arn, run.id, step.id, step.spec.name
                        )
                        order = (math.inf, scope.builds.serial(build.arn), run_index, step_index)
                        found.append(Pending(step.starts, order, event))
        return found

    def clear(self) -> None:
        """Forget what was sent."""
        self._sent.clear()
