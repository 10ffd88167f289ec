"""Durable server state (``serve --state-file PATH``): a journal of acknowledged mutating calls.

The service is deterministic given its calls and the virtual time of each,
so the state is kept as the list of calls that changed it, not as a dump:

- every mutating call that succeeded (operation, params, account, region,
  and the virtual instant ``now`` the service saw), and every
  ``/_fake/advance`` and ``/_fake/reset``, is appended to the file as one
  line and fsync'ed *before* the client gets its answer;
- at start the file is read, checked and replayed with the clock pinned to
  each recorded instant, which rebuilds exactly the acknowledged state;
- read-only calls (``Get*``, ``List*``) and failed calls are not recorded;
  nor are injected faults, rate limits and deny rules (they are test knobs,
  not state).

File format: one line per entry, ``<crc32 of the JSON, 8 hex digits> <JSON>\\n``,
numbered by ``seq`` from 0 (the header). Lines are written by a single
append each, in the order the service applied them (under its lock).

Damage rule: an entry is acknowledged only after its whole line, newline
included, was written and fsync'ed. So a last line with no newline was never
acknowledged (a crash mid-write) and is dropped, with a notice. Any other
damage (a bad checksum, bad JSON, a gap in ``seq``, an entry that no longer
replays) stops the start with :class:`StateFileError` naming the line;
nothing is ever dropped silently.

After a restart the virtual clock resumes at the last recorded instant plus
the real time since it was written, times the speed, so time never appears
to go back for a client that kept watching a build.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .clock import Clock, ScaledClock
from .fake import FakeImageBuilder
from .service.calls import Call
from .service.errors import ImageBuilderError, error_for_code

__all__ = ["FORMAT", "Journal", "PinnableClock", "StateFileError", "load_fake"]

FORMAT = "fakeimagebuilder-journal"
VERSION = 1

_READ_ONLY = ("Get", "List")

try:
    import fcntl
except ImportError:  # not POSIX: no cross-process lock on the file
    fcntl = None  # type: ignore[assignment]


class StateFileError(Exception):
    """The state file cannot be used: unreadable, damaged, locked, or inconsistent with this fake."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"state file {where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class PinnableClock:
    """A clock whose time can be pinned, for the current thread only, to an instant.

    The journal pins the instant it records, so the service sees exactly the
    time that is written down, both live and on replay.
    """

    def __init__(self, inner: Clock) -> None:
        self.inner = inner
        self._local = threading.local()

    def now(self) -> float:
        """The pinned instant in this thread, else the inner clock's time."""
        pinned: float | None = getattr(self._local, "at", None)
        return self.inner.now() if pinned is None else pinned

    def advance(self, seconds: float) -> None:
        """Move the inner clock forward."""
        self.inner.advance(seconds)

    @contextmanager
    def pinned(self, at: float) -> Iterator[None]:
        """Within the block, this thread's :meth:`now` is ``at``."""
        self._local.at = at
        try:
            yield
        finally:
            self._local.at = None


def _encode(entry: dict[str, Any]) -> bytes:
    text = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(text), text)


def _decode(raw: bytes) -> dict[str, Any]:
    checksum, space, text = raw.partition(b" ")
    if not space or len(checksum) != 8:
        raise ValueError("not a journal line (expected '<crc32> <json>')")
    try:
        expected = int(checksum, 16)
    except ValueError:
        raise ValueError("not a journal line (the checksum is not hexadecimal)") from None
    if zlib.crc32(text) != expected:
        raise ValueError("checksum mismatch: the line was altered or damaged")
    entry = json.loads(text.decode("utf-8"))
    if not isinstance(entry, dict):
        raise ValueError("the entry is not a JSON object")
    return entry


def _read(path: Path) -> tuple[list[dict[str, Any]], int, int]:
    """Entries, the length of their complete lines, and how many bytes of an unfinished last line follow."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], 0, 0
    except OSError as exc:
        raise StateFileError(path, None, f"cannot be read: {exc}") from None
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: empty unless the last write never finished
    entries = []
    for number, raw in enumerate(lines, 1):
        try:
            entry = _decode(raw)
        except ValueError as exc:
            raise StateFileError(path, number, f"damaged entry: {exc}") from None
        if entry.get("seq") != number - 1:
            raise StateFileError(
                path, number, f"entry out of sequence: seq {entry.get('seq')!r}, expected {number - 1}"
            )
        if number == 1 and (entry.get("format") != FORMAT or entry.get("version") != VERSION):
            raise StateFileError(path, 1, f"not a {FORMAT} version {VERSION} file")
        entries.append(entry)
    return entries, len(data) - len(tail), len(tail)


def _replay(path: Path, fake: FakeImageBuilder, clock: PinnableClock, entries: list[dict[str, Any]]) -> None:
    for number, entry in enumerate(entries[1:], 2):
        try:
            at = float(entry["now"])
            if "call" in entry:
                call = Call(entry["call"], entry["params"], entry["account"], entry["region"], entry["token"])
                with clock.pinned(at):
                    fake.service.call(call)
            elif entry.get("control") == "reset":
                fake.reset()  # no journal is attached yet, so nothing is recorded twice
            elif entry.get("control") != "advance":  # advances are already in the recorded instants
                raise ValueError(f"unknown entry {entry!r}")
        except ImageBuilderError as error:
            raise StateFileError(
                path, number, f"replaying {entry['call']} failed: {error.code}: {error.message}"
            ) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(path, number, f"malformed entry: {exc!r}") from None


def _fsync_directory(path: Path) -> None:
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_sync = getattr(os, "fdatasync", os.fsync)


class Journal:
    """The open state file of one fake: appends acknowledged changes, durably, in order.

    Attached as ``fake.journal``; the fake sends each call through
    :meth:`record`, and the server's control routes go through :meth:`control`.
    Appends happen under the service lock (file order = application order);
    the fsync happens after it, and one fsync covers every line written
    before it (group commit), so concurrent clients do not queue on the disk.
    """

    def __init__(self, path: Path, fd: int, fake: FakeImageBuilder, clock: PinnableClock, next_seq: int) -> None:
        self.path = path
        self._fd = fd
        self._fake = fake
        self._clock = clock
        self._lock = fake.service.lock
        self._next = next_seq
        self._written = next_seq - 1
        self._synced = next_seq - 1
        self._sync_lock = threading.Lock()
        self._broken: str | None = None

    def record(self, call: Call, run: Callable[[Call], dict[str, Any]]) -> dict[str, Any]:
        """Run ``call`` and, if it changed state, make it durable before returning its answer."""
        # Reads are refused too once the file broke: the failed call's change may be in memory.
        self._refuse_if_broken()
        if call.operation.startswith(_READ_ONLY):
            return run(call)
        params = json.loads(json.dumps(call.params))  # as sent, before the service may touch it
        with self._lock:
            self._refuse_if_broken()
            at = self._clock.inner.now()
            with self._clock.pinned(at):
                answer = run(call)
            seq = self._append(
                {
                    "call": call.operation,
                    "params": params,
                    "account": call.account,
                    "region": call.region,
                    "token": call.token_member,
                    "now": at,
                },
            )
        self._make_durable(seq)
        return answer

    def control(self, kind: str, action: Callable[[], None], **fields: Any) -> None:
        """Run a control action (``advance``, ``reset``) and record it durably."""
        with self._lock:
            self._refuse_if_broken()
            action()
            seq = self._append({"control": kind, **fields, "now": self._clock.inner.now()})
        self._make_durable(seq)

    def close(self) -> None:
        """Flush and close the file (and release its lock)."""
        with self._lock:
            if self._fd >= 0:
                with contextlib.suppress(OSError):  # every acknowledged line was synced already
                    _sync(self._fd)
                os.close(self._fd)
                self._fd = -1

    def _refuse_if_broken(self) -> None:
        if self._broken is not None:
            raise error_for_code("ServiceUnavailableException", self._broken)

    def _append(self, entry: dict[str, Any]) -> int:
        seq = self._next
        line = _encode({"seq": seq, **entry, "wall": time.time()})
        try:
            written = os.write(self._fd, line)
            if written != len(line):
                raise OSError(f"short write ({written} of {len(line)} bytes)")
        except OSError as exc:
            self._fail(f"the state file {self.path} could not be written ({exc}); changes are refused")
        self._next = seq + 1
        self._written = seq
        return seq

    def _make_durable(self, seq: int) -> None:
        with self._sync_lock:
            if self._synced >= seq:
                return  # another thread's fsync already covered this line
            target = self._written
            try:
                _sync(self._fd)
            except OSError as exc:
                with self._lock:
                    self._fail(f"the state file {self.path} could not be synced ({exc}); changes are refused")
            self._synced = target

    def _fail(self, reason: str) -> None:
        # Fail-stop: the answer is not acknowledged, and no later line may follow a damaged one.
        self._broken = reason
        print(f"fakeimagebuilder: {reason}", file=sys.stderr, flush=True)
        raise error_for_code("ServiceException", reason)


def load_fake(
    path: str | Path, *, speed: float, notices: list[str] | None = None, **fake_options: Any
) -> FakeImageBuilder:
    """A fake whose state is ``path``'s journal replayed, recording every later change there.

    Builds progress at ``speed`` virtual seconds per real second. Raises
    :class:`StateFileError` for a file that cannot be used; ``notices`` gets
    a line for anything it repaired (an unfinished last line dropped).
    ``fake_options`` go to :class:`FakeImageBuilder`.
    """
    path = Path(path)
    entries, good_length, unfinished = _read(path)
    resume: float | None = None
    if len(entries) > 1:
        last = entries[-1]
        try:
            resume = float(last["now"]) + max(0.0, time.time() - float(last["wall"])) * speed
        except (KeyError, TypeError, ValueError):
            raise StateFileError(path, len(entries), "the entry has no valid 'now' and 'wall'") from None
    clock = PinnableClock(ScaledClock(speed, start=resume))
    fake = FakeImageBuilder(clock=clock, **fake_options)
    _replay(path, fake, clock, entries)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError as exc:
        raise StateFileError(path, None, f"cannot be opened for writing: {exc}") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StateFileError(path, None, "is in use by another fakeimagebuilder server") from None
        if unfinished:
            os.ftruncate(fd, good_length)
            if notices is not None:
                notices.append(
                    f"state file {path}: dropped an unfinished last entry ({unfinished} bytes, no newline); "
                    "it was never acknowledged"
                )
        if not entries:
            os.write(fd, _encode({"seq": 0, "format": FORMAT, "version": VERSION}))
            _sync(fd)
            _fsync_directory(path)
            entries = [{}]
    except BaseException:
        os.close(fd)
        raise
    fake.journal = Journal(path, fd, fake, clock, next_seq=len(entries))
    return fake
