"""What stands between a parsed call and the service: injected faults, rate limits, access rules.

Each check may answer a call with a modeled error before the service sees it,
so a fault never changes state.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .service.calls import Call
from .service.errors import ForbiddenException, error_for_code

__all__ = ["Policy", "TokenBucket"]


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
    """Faults queued by :meth:`fail_next`, per-operation token buckets, and deny rules."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
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

    def pending_faults(self, operation: str) -> int:
        """How many injected faults still wait for ``operation``."""
        with self._lock:
            return sum(left for _, _, left in self._faults.get(operation, ()))

    def check(self, call: Call) -> None:
        """Raise the error this call must get, if any: a queued fault, then throttling, then a deny rule."""
        if not (self._faults or self._buckets or self._denied):
            return  # the usual case: nothing configured, so no lock on the hot path
        with self._lock:
            queue = self._faults.get(call.operation)
            if queue:
                fault = queue[0]
                fault[2] -= 1
                if not fault[2]:
                    queue.popleft()
                    if not queue:  # none left: the hot path may skip the lock again
                        del self._faults[call.operation]
                raise error_for_code(fault[0], fault[1])
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
