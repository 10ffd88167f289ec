"""Delivering the fake's events: Python subscribers, and moto's EventBridge, SNS and EC2 where moto is active.

The service materialises events (:mod:`.service.events`) under its lock;
this module hands them on *outside* it, so a subscriber may call the fake (or
anything else) from its callback. Each subscriber has its own cursor in the
log and is fed by one thread at a time: every event reaches it exactly once
and in the log's order, whichever threads observe the fake, and also when one
observation covers many changes at once.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .event_patterns import compile_pattern
from .fake import moto_active
from .service.events import Record
from .service.service import ImageBuilderService

__all__ = ["EventHub", "Subscription"]

Callback = Callable[[dict[str, Any]], object]

class _Feed:
    """One consumer of the log: a cursor, fed by one thread at a time."""

    def __init__(self, consume: Callable[[Record], None], after: int) -> None:
        self.consume = consume
        self.cursor = after
        self.active = True
        self._lock = threading.Lock()

    def drain(self, hub: EventHub) -> None:
        # A thread that finds another feeding this consumer leaves the rest to it; the feeder looks again
        # after letting go, so a record added meanwhile is not left behind. The thread already feeding (a
        # callback that calls the fake) also returns at once: its outer loop goes on in order.
        while self.active and self.cursor < hub.last_seq:
            if not self._lock.acquire(blocking=False):
                return
            try:
                for record in hub.records_after(self.cursor):
                    if not self.active:
                        return
                    self.cursor = record.seq  # before the callback: an exception does not deliver it twice
                    self.consume(record)
            finally:
                self._lock.release()


class Subscription:
    """A handle on one subscriber: :meth:`unsubscribe` (or leaving a ``with`` block) stops its deliveries."""

    def __init__(self, hub: EventHub, feed: _Feed) -> None:
        self._hub = hub
        self._feed = feed

    def unsubscribe(self) -> None:
        """Deliver nothing more to this subscriber (idempotent)."""
        self._hub.remove(self._feed)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.unsubscribe()


class EventHub:
    """The fake's events as Python sees them, and their delivery."""

    def __init__(self, service: ImageBuilderService) -> None:
        self._service = service
        self._feeds: list[_Feed] = []
        self._lock = threading.Lock()
        self._moto: _Feed | None = None

    # -- the log, under the service lock --------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """The number of the newest event materialised (0 before any)."""
        log = self._service.events
        return 0 if log is None else log.last_seq

    def records_after(self, after: int) -> list[Record]:
        """Materialised records numbered after ``after`` (no catching up: see :meth:`observe`)."""
        with self._service.lock:
            log = self._service.events
            return [] if log is None else log.since(after)

    def observe(self) -> int:
        """Catch the log up to the clock's now; the newest number."""
        return self._service.observe_events().last_seq

    # -- consumers -------------------------------------------------------------------------------

    def subscribe(self, callback: Callback, pattern: Mapping[str, Any] | None = None) -> Subscription:
        """Call ``callback(event)`` for every event from now on that matches ``pattern``."""
        matcher = compile_pattern(pattern)

        def consume(record: Record) -> None:
            if matcher(record.event):
                callback(copy.deepcopy(record.event))

        feed = _Feed(consume, self.observe())
        with self._lock:
            self._feeds = [*self._feeds, feed]
        return Subscription(self, feed)

    def remove(self, feed: _Feed) -> None:
        """Stop feeding ``feed``."""
        feed.active = False
        with self._lock:
            self._feeds = [f for f in self._feeds if f is not feed]

    def deliver(self) -> None:
        """Catch up to now and feed every consumer what it has not had: moto first, so subscribers find the AMI."""
        self.observe()
        if moto_active():
            moto = self._moto
            if moto is None:
                from .transports import moto_events

                with self._lock:
                    # When moto becomes active it gets every event since the fake's last reset.
                    moto = self._moto = self._moto or _Feed(moto_events.publish, 0)
            moto.drain(self)
        else:
            self._moto = None
        for feed in self._feeds:
            feed.drain(self)


