"""The service: every scope's state behind one lock, and the call dispatcher."""

from __future__ import annotations

import json
import threading
from typing import Any

from ..clock import Clock
from .calls import Call
from .errors import DryRunOperationException, ImageBuilderError
from .events import BuildStateChanges, EventLog, PipelineDisables
from .findings import CveDetections
from .kinds import KINDS
from .lifecycle_executions import AmiAction, ami_actions, executions_state
from .lifecycle_runs import catch_up as run_lifecycle_policies
from .operations import OPERATIONS
from .schedule_runs import catch_up
from .state import Operation, Scope, Settings
from .step_waits import StepWaits

__all__ = ["ImageBuilderService", "NotImplementedOperation"]


class NotImplementedOperation(ImageBuilderError):
    """The operation is in the API but not in the fake."""

    code = "NotImplementedException"


def _not_implemented(name: str) -> NotImplementedOperation:
    return NotImplementedOperation(
        f"fakeimagebuilder does not implement {name}. Implemented operations: {', '.join(sorted(OPERATIONS))}."
    )


def _run(operation: Operation, call: Call, scope: Scope, now: float) -> dict[str, Any]:
    """``operation`` on ``scope``, through the scope's client-token ledger when the call carries a token."""
    token = call.client_token
    if token is None or call.token_member is None:
        return operation(scope, call.params, now)
    return scope.idempotency.run(
        call.operation, token, call.token_member, call.params, lambda: operation(scope, call.params, now)
    )


# The Creates of the resource kinds (every operation that has dryRun today): none of them changes a build, so
# their dry runs may share the builds (Scope.scratch); any other dry run copies them too.
_CREATES_OF_KINDS = frozenset(f"Create{kind.label}" for kind in KINDS if kind.resource_type != "image")


class ImageBuilderService:
    """Image Builder's domain state, per (account, region), safe to call from many threads.

    One re-entrant lock serialises every call, so each call sees and leaves
    consistent state; calls are short, so the lock is not a bottleneck.
    """

    def __init__(self, clock: Clock, settings: Settings | None = None) -> None:
        self.clock = clock
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self._scopes: dict[tuple[str, str], Scope] = {}
        # None until someone observes events (fakeimagebuilder.events): until then calls pay nothing for them.
        self.events: EventLog | None = None

    def scope(self, account: str, region: str) -> Scope:
        """The state of one account in one region (created empty on first use)."""
        with self.lock:
            found = self._scopes.get((account, region))
            if found is None:
                found = self._scopes[(account, region)] = Scope(account, region, self.settings)
            return found

    def scopes(self) -> list[Scope]:
        """Every scope that has been used."""
        with self.lock:
            return list(self._scopes.values())

    @staticmethod
    def check_operation(name: str) -> None:
        """Raise :class:`NotImplementedOperation` for an operation the fake does not implement."""
        if name not in OPERATIONS:
            raise _not_implemented(name)

    def call(self, call: Call) -> dict[str, Any]:
        """Run one operation; replays and mismatches of a client token are settled first.

        A dry run (``call.dry_run``) is the real call run on a scratch copy of
        the scope, then dropped: it answers the first refusal the real call
        would meet, in the real call's order, else DryRunOperationException;
        no resource, build number or client token it used stays.
        """
        operation = OPERATIONS.get(call.operation)
        if operation is None:  # one lookup: the wire has usually asked check_operation already
            raise _not_implemented(call.operation)
        with self.lock:
            # Found without taking the lock again (it is held): all but a scope's first call.
            scope = self._scopes.get((call.account, call.region)) or self.scope(call.account, call.region)
            now = self.clock.now()
            if self.events is None:
                catch_up(scope, now)  # scheduled runs due by now exist before the call looks
                run_lifecycle_policies(scope, now)  # then the policy runs, which judge the images those made
            else:
                # Before the call can change a timeline (a cancel) or drop a build (a delete).
                self._events_up_to(now)
            if call.dry_run:
                _run(operation, call, scope.scratch(keep_builds=call.operation in _CREATES_OF_KINDS), now)
                raise DryRunOperationException("The request would have succeeded, but the dryRun flag is set.")
            return _run(operation, call, scope, now)

    def observe_events(self) -> EventLog:
        """The event log, caught up to now (made on first use, from the builds there are)."""
        with self.lock:
            if self.events is None:
                self.events = EventLog([BuildStateChanges(), PipelineDisables(), CveDetections(), StepWaits()])
            self._events_up_to(self.clock.now())
            return self.events

    def ami_actions(self) -> list[AmiAction]:
        """Every lifecycle action on an image's AMIs applied by now, in every scope, in the order they applied
        (for a neighbour holding the AMIs: moto's EC2). No catching up: the caller observed the events first."""
        with self.lock:
            now = self.clock.now()
            found = [action for scope in self._scopes.values() for action in ami_actions(scope, now)]
        found.sort(key=lambda action: action.at)  # stable: each scope's own order among equal instants
        return found

    def _events_up_to(self, now: float) -> None:
        """Bring the event log up to ``now``: scheduled runs everywhere first, so their events come in order."""
        assert self.events is not None
        for scope in self._scopes.values():
            catch_up(scope, now)
            run_lifecycle_policies(scope, now)
        self.events.catch_up(self._scopes.values(), now)

    def reset(self) -> None:
        """Forget every resource, build and client token (settings stay)."""
        with self.lock:
            if self.events is not None:
                # What was due by now is numbered before it is forgotten, whether or not anyone looked: the
                # numbering then depends only on the changes and their instants, which a journal replays.
                self._events_up_to(self.clock.now())
                self.events.clear()
            self._scopes.clear()

    def snapshot(self) -> tuple[Settings, dict[tuple[str, str], Scope]]:
        """The live settings and scopes, for a caller that copies them under :attr:`lock` (the journal)."""
        return self.settings, dict(self._scopes)

    def restore(
        self, snapshot: tuple[Settings, dict[tuple[str, str], Scope]], events: EventLog | None = None
    ) -> None:
        """Take a copy of what :meth:`snapshot` returned as the whole state, settings included.

        ``events``: the event log copied together with it (the same copy, so it knows the same builds).
        """
        with self.lock:
            self.settings, scopes = snapshot
            self._scopes = dict(scopes)
            if events is not None:
                self.events = events
            elif self.events is not None:
                # Other builds now: their events are made afresh from their timelines.
                self.events.clear()

    def state(self) -> dict[str, Any]:
        """Every resource, per account and region and kind, as Get would show it now (and the lifecycle
        executions, under ``lifecycleExecutions``).

        A deep copy, made under the lock and through JSON: changing it never
        reaches the service, and it can be written out as it is.
        """
        with self.lock:
            now = self.clock.now()
            dump: dict[str, Any] = {}
            for scope in self._scopes.values():
                catch_up(scope, now)
                run_lifecycle_policies(scope, now)
                dump.setdefault(scope.account, {})[scope.region] = {
                    **{
                        kind.state_name: [kind.show(scope, item, now) for item in kind.items(scope).values()]
                        for kind in KINDS
                    },
                    "lifecycleExecutions": executions_state(scope, now),
                }
            copied: dict[str, Any] = json.loads(json.dumps(dump))
            return copied
