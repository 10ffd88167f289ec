"""What stands between a parsed call and the service: injected faults, rate limits, access rules.

The first link of the chain every call passes (policy -> journal, when
persisting -> service). Each check may answer a call with a modeled error
before the service sees it, so a fault never changes the service's state.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .service.calls import Call
from .service.errors import ForbiddenException, ImageBuilderError, error_for_code

__all__ = ["Handler", "Policy", "TokenBucket"]

Handler = Callable[[Call], dict[str, Any]]
"""A link of the call chain: answers a call, or raises its modeled error."""


@dataclass(slots=True)
class TokenBucket:
    """``rate`` calls per virtual second, with bursts of up to ``burst``."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        """Spend one token if there is one."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Policy:
    """Faults queued by :meth:`fail_next`, per-operation token buckets, and deny rules.

    :meth:`handle` checks a call, then passes it to ``inner``. Taking a queued
    fault changes the policy's state, so it goes through ``take`` (by default
    :meth:`take_fault`; a journal makes it durable before the fault is answered).
    """

    def __init__(self, clock: Clock, inner: Handler) -> None:
        self._clock = clock
        self.inner = inner
        self.take: Callable[[str], tuple[str, str] | None] = self.take_fault
        self._lock = threading.Lock()
        self._faults: dict[str, deque[list[Any]]] = {}  # [code, message, calls left]
        self._buckets: dict[str, TokenBucket] = {}
        self._denied: set[tuple[str | None, str | None]] = set()

    def fail_next(self, operation: str, code: str, times: int = 1, message: str | None = None) -> None:
        """Answer the next ``times`` calls of ``operation`` with error ``code`` (checked by ``check_knobs``)."""
        text = message or f"Injected {code} for {operation}."
        with self._lock:
            # One entry with a count, however large ``times`` is.
            self._faults.setdefault(operation, deque()).append([code, text, times])

    def set_rate_limit(self, operation: str, rate: float, burst: float | None = None) -> None:
        """Allow ``rate`` calls of ``operation`` per virtual second, bursts of ``burst`` (as check_knobs allows)."""
        size = max(1.0, float(rate)) if burst is None else float(burst)
        with self._lock:
            self._buckets[operation] = TokenBucket(float(rate), size, size, self._clock.now())

    def deny(self, operation: str | None = None, account_id: str | None = None) -> None:
        """Answer ForbiddenException to ``operation`` (None: every one) from ``account_id`` (None: anyone)."""
        with self._lock:
            self._denied.add((operation, account_id))

    def reset(self) -> None:
        """Drop every queued fault, rate limit and deny rule."""
        with self._lock:
            self._faults.clear()
            self._buckets.clear()
            self._denied.clear()

    def take_fault(self, operation: str) -> tuple[str, str] | None:
        """Remove and return the next fault queued for ``operation`` (code, message), if any."""
        with self._lock:
            queue = self._faults.get(operation)
            if not queue:
                return None
            code, message, left = fault = queue[0]
            fault[2] = left - 1
            if not fault[2]:
                queue.popleft()
                if not queue:  # none left: the hot path may skip the lock again
                    del self._faults[operation]
            return code, message

    def snapshot(self) -> tuple[Any, ...]:
        """Queued faults, buckets and deny rules, as values :meth:`restore` takes back (for the journal).

        Buckets are recorded full: a restart refills them (README), whether it
        replays the set_rate_limit line or a snapshot taken after calls spent tokens.
        """
        with self._lock:
            faults = {operation: [list(f) for f in queue] for operation, queue in self._faults.items() if queue}
            buckets = {
                operation: TokenBucket(b.rate, b.burst, b.burst, b.updated) for operation, b in self._buckets.items()
            }
            return faults, buckets, set(self._denied)

    def restore(self, snapshot: tuple[Any, ...]) -> None:
        """Put back what :meth:`snapshot` returned."""
        faults, buckets, denied = snapshot
        with self._lock:
            self._faults = {operation: deque(list(f) for f in queue) for operation, queue in faults.items()}
            self._buckets = dict(buckets)
            self._denied = set(denied)

    def pending_faults(self, operation: str) -> int:
        """How many injected faults still wait for ``operation``."""
        with self._lock:
            return sum(left for _, _, left in self._faults.get(operation, ()))

    def handle(self, call: Call) -> dict[str, Any]:
        """Answer ``call``: its policy error, if any, else whatever ``inner`` answers."""
        if self._faults or self._buckets or self._denied:  # the usual case: nothing configured, no lock
            try:
                self.check(call)
            except ImageBuilderError as error:
                error.chosen = True
                raise
        return self.inner(call)

    def check(self, call: Call) -> None:
        """Raise the error this call must get, if any: a queued fault, then throttling, then a deny rule."""
        if self._faults.get(call.operation):
            fault = self.take(call.operation)  # None if another thread took the last one first
            if fault is not None:
                raise error_for_code(*fault)
        with self._lock:
            bucket = self._buckets.get(call.operation)
            if bucket is not None and not bucket.take(self._clock.now()):
                raise error_for_code(
                    "CallRateLimitExceededException",
                    f"You have exceeded the permitted request rate for {call.operation}.",
                )
            if self._denied and (
                {(call.operation, call.account), (None, call.account), (call.operation, None), (None, None)}
                & self._denied
            ):
                raise ForbiddenException(f"Account {call.account} is not authorized to perform {call.operation}.")
