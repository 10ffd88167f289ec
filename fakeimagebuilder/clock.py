"""Clocks the fake's builds run on.

The service never reads wall time directly: it asks a clock, so tests can move
time by hand (:class:`VirtualClock`) and the HTTP server can let builds progress
on their own at any speed (:class:`ScaledClock`).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

__all__ = ["LATEST", "Clock", "ScaledClock", "VirtualClock", "checked_step"]

LATEST = 253402300799.0
"""9999-12-31T23:59:59Z: the clock never passes it, since dates past it cannot be written."""


def checked_step(now: float, seconds: float) -> float:
    """``seconds`` (as a float) if moving ``now`` by it keeps the clock finite, forward and writable."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError(f"the clock moves by a number of seconds, not {seconds!r}")
    try:
        seconds = float(seconds)
    except OverflowError:  # an int too large for a float: far past the year 9999
        seconds = math.inf
    if math.isnan(seconds):
        raise ValueError("the clock moves by a number of seconds, not NaN")
    if seconds < 0:
        raise ValueError(f"the clock cannot move back ({seconds} s)")
    if not now + seconds <= LATEST:  # infinity included
        raise ValueError("advancing that far would move the clock past the year 9999")
    return seconds


def _checked_start(start: float | None) -> float:
    """Where a clock starts: now (None), or an instant from the epoch to :data:`LATEST`."""
    if start is None:
        return time.time()
    if isinstance(start, bool) or not isinstance(start, int | float) or not 0 <= start <= LATEST:
        raise ValueError(f"a clock starts at epoch seconds from 0 to {LATEST:.0f} (the year 9999), not {start!r}")
    return float(start)


class Clock(Protocol):
    """What the service needs of a clock: epoch seconds that never go back."""

    def now(self) -> float:
        """Current time, in seconds since the Unix epoch."""
        ...

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (virtual time; real time is untouched)."""
        ...


class VirtualClock:
    """A clock that moves only when told to.

    It starts at ``start`` (default: the real time at creation, so dates look
    current; else epoch seconds up to :data:`LATEST`) and is safe to share
    between threads.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = _checked_start(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        """Current virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move virtual time forward; negative steps are refused (time never goes back)."""
        with self._lock:
            self._now += checked_step(self._now, seconds)


class ScaledClock:
    """Real time multiplied by ``speed``, plus whatever :meth:`advance` added.

    ``speed=60`` makes one real second count as a virtual minute, so builds
    progress on their own in server mode.
    """

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        # NaN passes "< 0" and would make every date NaN; infinity has no instant to show.
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 <= speed < math.inf:
            raise ValueError(f"speed must be a finite number >= 0, not {speed!r}")
        self.speed = float(speed)
        self._origin_real = time.monotonic()
        self._origin_virtual = _checked_start(start)
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Current virtual time; it stops at :data:`LATEST` (a fast clock gets there: 10^9 in four minutes)."""
        elapsed = time.monotonic() - self._origin_real
        return min(self._origin_virtual + elapsed * self.speed + self._offset, LATEST)

    def advance(self, seconds: float) -> None:
        """Jump forward by ``seconds`` on top of the scaled real time."""
        with self._lock:
            self._offset += checked_step(self.now(), seconds)
