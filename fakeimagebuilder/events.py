"""Delivering the fake's events: Python subscribers, and moto's EventBridge, SNS and EC2 where moto is active.

The service materialises events (:mod:`.service.events`) under its lock;
this module hands them on *outside* it, so a subscriber may call the fake (or
anything else) from its callback. Each subscriber has its own cursor in the
log and is fed by one thread at a time: every event reaches it exactly once
and in the log's order, whichever threads observe the fake, and also when one
observation covers many changes at once.

A delivery is bounded: a thread delivers at most up to the newest event
there was when it began (and what its own callbacks' calls add), so no call
is held by events other threads keep making. A thread that finds another
feeding a consumer does not wait for it (the feeder's callback may be waiting
for that very thread, say a call it made to a server); what it made is
delivered after the feeder's, by the next delivery (any later call,
``advance`` or read of the events).

A consumer that raises (a subscriber's callback, or moto refusing an event)
neither fails the call that observed the change nor holds back the events of
the others, nor its own later ones: the exception is logged (logger
``fakeimagebuilder.events``) and kept in :attr:`EventHub.failures`, which
:meth:`EventHub.raise_failures` re-raises, as the pytest fixture does at
teardown.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .event_patterns import compile_pattern
from .fake import moto_active
from .service.events import Record
from .service.service import ImageBuilderService

__all__ = ["EventHub", "SubscriberError", "SubscriberFailure", "Subscription"]

Callback = Callable[[dict[str, Any]], object]

_log = logging.getLogger("fakeimagebuilder.events")


@dataclass(frozen=True, slots=True)
class SubscriberFailure:
    """An exception a consumer raised on one event: ``consumer`` names it (the callback's repr, or moto)."""

    consumer: str
    event: dict[str, Any]
    error: Exception


class SubscriberError(AssertionError):
    """Raised by :meth:`EventHub.raise_failures`: consumers raised; ``failures`` lists them, the first is the cause.

    An AssertionError, as ``responses`` reports requests it expected but never saw: the test's code ran, but
    what it subscribed did not hold.
    """

    def __init__(self, failures: list[SubscriberFailure]) -> None:
        self.failures = failures
        lines = [
            f"  {f.consumer} on {f.event.get('detail-type')} {f.event.get('id')}: {type(f.error).__name__}: {f.error}"
            for f in failures
        ]
        super().__init__(f"{len(failures)} event subscriber call(s) raised:\n" + "\n".join(lines))

class _Feed:
    """One consumer of the log: a cursor, fed by one thread at a time, a bounded stretch each time."""

    def __init__(self, consume: Callable[[Record], None], after: int, name: str) -> None:
        self.consume = consume
        self.name = name
        self.cursor = after
        self.active = True
        self.session: object = None  # for moto's feed: the mock_aws session it delivers to
        # Records a reset dropped from the log before this consumer had them (read and kept under the service lock).
        self.backlog: list[Record] = []
        self._lock = threading.Lock()
        self._feeder: int | None = None  # the thread feeding now
        self._upto = 0  # the last number it delivers

    def drain(self, hub: EventHub, *, wait: bool = False) -> None:
        """Deliver, in order, what this consumer has not had, up to the newest record there is now.

        A thread that finds another feeding returns at once (or, ``wait``, takes over once it is done): the
        newer records are delivered by the next drain. The thread feeding (a callback that calls the fake)
        only moves its own end on: it delivers what its callback's call made, after what it was delivering.
        """
        upto = hub.last_seq
        if self._feeder == threading.get_ident():
            self._upto = max(self._upto, upto)
            return
        if not self.active or self.cursor >= upto or not self._lock.acquire(blocking=wait):
            return
        self._feeder, self._upto = threading.get_ident(), upto
        try:
            while self.active and self.cursor < self._upto:
                records, newest = hub.page_for(self)
                if not records:
                    # A reset forgot what this consumer had not had yet: it goes on from the newest number.
                    self.cursor = max(self.cursor, newest)
                for record in records:
                    if not self.active or record.seq > self._upto:
                        return  # every record up to the end there is, delivered
                    self.cursor = record.seq  # before the callback: an exception does not deliver it twice
                    try:
                        self.consume(record)
                    except Exception as error:  # one consumer's failure is not the caller's
                        hub.failed(SubscriberFailure(self.name, copy.deepcopy(record.event), error))
        finally:
            self._feeder = None
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
        # moto's EC2 in the current mock_aws session: changed under one lock (registering an AMI, and a
        # lifecycle action undoing it, in either order); the lifecycle actions done there, the AMIs deleted.
        self._moto_ec2 = threading.Lock()
        self._moto_done: set[tuple[str, str]] = set()
        self._moto_gone: set[str] = set()
        self.failures: list[SubscriberFailure] = []
        """What consumers raised, oldest first (cleared by :meth:`raise_failures`, or by you)."""

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

    def page_after(self, after: int) -> tuple[list[Record], int]:
        """:meth:`records_after` and :attr:`last_seq`, read together (under the service lock)."""
        with self._service.lock:
            log = self._service.events
            return ([], 0) if log is None else (log.since(after), log.last_seq)

    def page_for(self, feed: _Feed) -> tuple[list[Record], int]:
        """What ``feed`` has not had yet (first what a reset kept for it), and :attr:`last_seq`."""
        with self._service.lock:
            feed.backlog = [record for record in feed.backlog if record.seq > feed.cursor]
            records, newest = self.page_after(feed.cursor)
            return [*feed.backlog, *records], newest

    def keep_undelivered(self) -> None:
        """Before a reset empties the log: keep, for each consumer, what was due by now that it has not had.

        A reset (in a callback, or in another thread) forgets the log, but not
        what was due before it: each subscriber still gets those events, once
        and in order, before any the reset's successors make. Call under the
        service lock, together with the reset, so nothing is materialised in between.
        """
        with self._service.lock:
            log = self._service.observe_events()
            feeds = [*self._feeds, *([self._moto] if self._moto is not None else [])]
            for feed in feeds:
                if not feed.active:
                    continue
                kept = feed.backlog[-1].seq if feed.backlog else feed.cursor
                feed.backlog.extend(log.since(max(kept, feed.cursor)))

    def observe(self) -> int:
        """Catch the log up to the clock's now; the newest number."""
        return self._service.observe_events().last_seq

    # -- consumers -------------------------------------------------------------------------------

    def subscribe(
        self, callback: Callback, pattern: Mapping[str, Any] | None = None, *, replay: bool = False
    ) -> Subscription:
        """Call ``callback(event)`` for every event from now on that matches ``pattern``.

        ``replay``: first every event already in the log (since the last reset), delivered before returning.
        TypeError if ``callback`` is not callable (found now, not at the first event).
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}: {callback!r}")
        matcher = compile_pattern(pattern)

        def consume(record: Record) -> None:
            if matcher(record.event):
                callback(copy.deepcopy(record.event))

        now = self.observe()
        feed = _Feed(consume, 0 if replay else now, repr(callback))
        with self._lock:
            self._feeds = [*self._feeds, feed]
        if replay:
            # What was sent before, at once: the caller asked for it now. Another thread that took the new feed
            # first delivers a bounded stretch too, so waiting for it is short.
            feed.drain(self, wait=True)
        return Subscription(self, feed)

    def failed(self, failure: SubscriberFailure) -> None:
        """Log and keep what a consumer raised."""
        _log.error(
            "event subscriber %s raised on %s %s",
            failure.consumer,
            failure.event.get("detail-type"),
            failure.event.get("id"),
            exc_info=failure.error,
        )
        with self._lock:
            self.failures.append(failure)

    def raise_failures(self) -> None:
        """Raise :class:`SubscriberError` (the first exception as its cause) if a consumer raised; then forget them."""
        with self._lock:
            failures, self.failures[:] = list(self.failures), []
        if failures:
            raise SubscriberError(failures) from failures[0].error

    def remove(self, feed: _Feed) -> None:
        """Stop feeding ``feed``."""
        feed.active = False
        with self._lock:
            self._feeds = [f for f in self._feeds if f is not feed]

    def notice_moto(self) -> None:
        """Before a change is made: follow moto's ``mock_aws`` sessions, so each gets only what happens in it.

        A session moto's events did not see yet (moto just became active, or
        it was reset: a new ``mock_aws``) starts receiving from the fake's
        events as they stand now; the AMIs of builds that finished earlier are
        registered in its EC2 (they exist, as on AWS), but their events and
        SNS messages are not sent again. Called before every call and
        ``advance``, so the changes they make are in the session.
        """
        if not moto_active():
            self._moto = None
            return
        from .transports import moto_events

        session = moto_events.session()
        moto = self._moto
        if moto is not None and moto.session is session:
            return
        with self._lock:
            moto = self._moto
            if moto is not None and moto.session is session:
                return
            if moto is not None:
                moto.active = False
            fresh = _Feed(self._publish_to_moto, self.observe(), "moto delivery")
            fresh.session = session
            self._moto = fresh
            # The AMIs of images a lifecycle DELETE removed before this session are not in it.
            actions = self._service.ami_actions()
            with self._moto_ec2:
                self._moto_done = {action.key for action in actions}
                self._moto_gone = {action.image_id for action in actions if action.status == "DELETED"}
        earlier = self.records_after(0)
        with self._moto_ec2:
            for record in earlier:
                if record.seq > fresh.cursor:
                    break
                for ami in record.amis:
                    if ami.image_id in self._moto_gone:
                        continue
                    try:
                        moto_events.register(ami)
                    except Exception as error:  # as any consumer's: not the caller's failure
                        self.failed(SubscriberFailure("moto delivery", copy.deepcopy(record.event), error))

    def _publish_to_moto(self, record: Record) -> None:
        """Deliver one record to moto, without the AMIs a lifecycle DELETE has removed since; what moto cannot
        take of it (a launch template) is kept as a failure."""
        from .transports import moto_events

        def failed(error: Exception) -> None:
            self.failed(SubscriberFailure("moto delivery", copy.deepcopy(record.event), error))

        with self._moto_ec2:
            if any(ami.image_id in self._moto_gone for ami in record.amis):
                kept = tuple(ami for ami in record.amis if ami.image_id not in self._moto_gone)
                record = dataclasses.replace(record, amis=kept)
            moto_events.publish(record, failed)

    def _apply_lifecycle_to_moto(self) -> None:
        """Do in moto's EC2 what the lifecycle actions applied by now did to the images' AMIs, each once."""
        from .transports import moto_events

        actions = self._service.ami_actions()
        with self._moto_ec2:
            for action in actions:
                if action.key in self._moto_done:
                    continue
                self._moto_done.add(action.key)
                if action.status == "DELETED":
                    self._moto_gone.add(action.image_id)
                try:
                    moto_events.apply_lifecycle(action)
                except Exception as error:  # as any consumer's: not the caller's failure
                    what = {"detail-type": f"lifecycle {action.status} of {action.image_id}", "id": action.key[0]}
                    self.failed(SubscriberFailure("moto delivery", what, error))

    def deliver(self) -> None:
        """Catch up to now and feed every consumer what it has not had: moto first, so subscribers find the AMI."""
        self.notice_moto()
        self.observe()
        moto = self._moto
        if moto is not None:
            moto.drain(self)
            self._apply_lifecycle_to_moto()
        for feed in self._feeds:
            feed.drain(self)
