"""Durable server state (``serve --state-file PATH``): a journal of acknowledged changes, compacted as it grows.

The service is deterministic given its calls and the virtual time of each,
so the state is kept as a snapshot plus the list of changes since:

- every mutating call that succeeded (operation, params, account, region,
  and the virtual instant ``now`` the service saw) and every knob change
  (advance, reset, injected faults and each fault taken by a call, rate
  limits, deny rules, ``configure`` and build plans) is appended to the file
  as one line and fsync'ed *before* its answer is given;
- memory and file never disagree: a knob change is written and synced
  before it is applied; a call is encoded before it is applied (a call the
  file cannot hold changes nothing), and when its line cannot be written or
  synced, memory is rolled back to what the file holds (the last snapshot
  plus the lines after it, replayed) and the call answers 503
  ``ServiceUnavailableException``; the next call works once the disk does;
- every ``compact_every`` entries the file is rewritten as a header and one
  snapshot line (a temporary file, fsync'ed, renamed over the journal, and
  the directory fsync'ed), so a restart replays at most that many entries;
- at start the file is read, checked and replayed with the clock pinned to
  each recorded instant, which rebuilds exactly the acknowledged state;
- reads (``Get*``, ``List*``) and failed calls are not recorded; nor is how
  full a rate limit's bucket is (it is full again after a restart).

File format: one line per entry, ``<crc32 of the JSON, 8 hex digits> <JSON>\\n``,
numbered by ``seq`` from 0 (the header); a snapshot, when there is one, is
entry 1. The header also names the fake the file holds (``fake``, made when
the file is created and kept by every compaction): it enters the made-up ids
of what the fake produces (AMI and workflow execution ids), so they stay the
same after a restart whatever path the file was copied or moved to. A file
written before the header held it is the fake of its path, as it was then.
Lines are written by a single append each, in the order the service applied
them (under its lock). The path is resolved when opened: a symbolic link
stays one, and the file it names is the one locked and rewritten.

Damage rule: an entry is acknowledged only after its whole line, newline
included, was written and fsync'ed. So a last line with no newline that
begins as the next entry would, after a whole header (and snapshot), was
never acknowledged (a crash mid-append) and is dropped, with a notice, and so
is a temporary file left by a compaction that never finished. The header and
the snapshot are never appended: a new file's header, like a compaction's
header and snapshot, is written to a temporary file, synced and renamed into
place, so no crash cuts them (a compaction's header says a snapshot follows).
A cut header or snapshot, a first line that is no journal header (a file
that is not a journal), and any other damage (a bad checksum, bad JSON, a gap
in ``seq``, an entry that no longer replays, an instant that is not finite or
goes back, knob arguments the live API refuses) stop the start with
:class:`StateFileError` naming the line, and nothing is written to the file;
nothing is ever dropped silently.

The snapshot is the state's objects pickled, whatever the service keeps, so
it follows the service as it grows; it is read back with an unpickler that
only builds the fake's own classes and plain containers, and only from a
file whose checksums hold. Pickle restores objects by name and field order,
not by meaning, so a snapshot is read only by the code that wrote it: it
names a digest of the state's code (:func:`state_code`), and a snapshot of
other code (another version of the fake, or one from before snapshots named
it) stops the start with :class:`StateFileError`. A journal without a
snapshot (calls and knob changes only) replays on any version.

Time never goes back across a restart (for a client that kept watching a
build, or holds an event cursor), whatever the speeds. Every line records the
instant ``now``, the real time ``wall`` it was written at and the ``speed``
the clock ran at then. A restart resumes at the last line's instant plus the
real time since it was written times *that* speed: the furthest the clock
can have been shown before the stop, also after a kill -9; from there it runs
at the new speed. A start at another speed than the last line's, and a clean
stop (:meth:`Journal.close`), record the clock as a line too (an ``advance``
of 0 seconds, which every version replays as nothing), so the next restart
resumes from the speed actually in force, and a clean stop from the exact
instant, not from a wall clock that may have been set back meanwhile. A line
from before lines named their speed counts as the new speed.
"""

from __future__ import annotations

import base64
import contextlib
import copyreg
import functools
import hashlib
import io
import json
import math
import os
import pickle
import stat
import sys
import threading
import time
import types
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clock import LATEST, Clock, ScaledClock, checked_step
from .service.calls import Call
from .service.errors import ImageBuilderError, error_for_code
from .service.service import ImageBuilderService

__all__ = ["COMPACT_EVERY", "FORMAT", "Journal", "PinnableClock", "StateFileError", "Subject", "state_code"]

FORMAT = "fakeimagebuilder-journal"
VERSION = 2
_READABLE_VERSIONS = (1, 2)  # version 1 had no snapshots and no knob changes but advance and reset

COMPACT_EVERY = 10_000
"""Entries after which the journal is rewritten as one snapshot (bounds what a restart replays)."""

_COMPACT_BYTES = 32 << 20  # ... or once the lines since the snapshot hold this many bytes

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


@dataclass(frozen=True, slots=True)
class Subject:
    """What a journal keeps durable, handed over by the facade (so no module below it imports the facade).

    ``service`` runs the calls (its lock orders the file); ``controls`` apply
    each knob change by the name it is recorded under (``reset`` among
    them); ``capture`` returns the whole state as live objects, which the
    journal copies under the service lock, and ``restore`` takes such a copy
    back.
    """

    service: ImageBuilderService
    controls: Mapping[str, Callable[..., Any]]
    capture: Callable[[], Any]
    restore: Callable[[Any], None]


# -- lines ----------------------------------------------------------------------------------


def _line(text: str) -> bytes:
    data = text.encode("ascii")  # JSON with ensure_ascii: any Python string, lone surrogates included, fits
    return b"%08x %s\n" % (zlib.crc32(data), data)


def _json(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _entry_line(seq: int, at: float, speed: float, body: str) -> bytes:
    """A line for ``body`` (a JSON object's text) with its sequence number, instants and the clock's speed in front."""
    return _line(f'{{"seq":{seq},"now":{_json(at)},"wall":{_json(time.time())},"speed":{_json(speed)},{body[1:]}')


_MARK = _json({"control": "advance", "args": {"seconds": 0}})
"""The body of a line that only records the clock (its instant and speed): every version replays it as nothing."""


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


# -- snapshots ------------------------------------------------------------------------------


def _mapping_proxy(items: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(items)


_DISPATCH = {**copyreg.dispatch_table, types.MappingProxyType: lambda proxy: (_mapping_proxy, (dict(proxy),))}
_PLAIN = {("builtins", name) for name in ("set", "frozenset", "dict", "list", "tuple", "bytes", "bytearray")} | {
    ("collections", "deque"),
    ("collections", "OrderedDict"),
    ("collections", "defaultdict"),  # its factory still passes find_class
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
}


@functools.cache
def state_code() -> str:
    """A digest of the code that defines what a snapshot holds and means: the service package and the policy.

    Any change there may change the state's objects (a field added to a
    build shifts every later one in its pickle) or what their values mean (a
    ledger keyed another way), and an old snapshot would then load as wrong
    state without an error.
    """
    from . import policy, service

    digest = hashlib.sha256()
    for path in [*sorted(Path(service.__file__).parent.glob("*.py")), Path(policy.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class _ForeignSnapshot(ValueError):
    """A snapshot written by other state code than this fake's (:func:`state_code`)."""


def _pickle(state: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(state)
    return buffer.getvalue()


class _Unpickler(pickle.Unpickler):
    """Builds only the fake's own classes and plain containers: a snapshot can hold nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_mapping_proxy") or (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module.startswith("fakeimagebuilder."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a snapshot may not hold {module}.{name}")


def _unpickle(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


# -- reading and replaying ------------------------------------------------------------------


def _read(file: Path, path: Path) -> tuple[list[dict[str, Any]], list[bytes], int, int]:
    """Entries, their lines, the length of those lines, and how many bytes of an unfinished last line follow.

    ``file`` is read; errors name ``path``, as given.
    """
    try:
        data = file.read_bytes()
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
        if number == 1 and (entry.get("format") != FORMAT or entry.get("version") not in _READABLE_VERSIONS):
            raise StateFileError(path, 1, f"not a {FORMAT} file of version {' or '.join(map(str, _READABLE_VERSIONS))}")
        entries.append(entry)
    if entries and entries[0].get("snapshot") is True and len(entries) > 1 and "snapshot" not in entries[1]:
        raise StateFileError(path, 2, "the header says a snapshot follows it, and this line is none")
    if tail:
        _check_unfinished(path, entries, tail)
    elif entries and entries[0].get("snapshot") is True and len(entries) == 1:
        raise StateFileError(path, 2, "the header says a snapshot follows it, and there is none: the file was cut")
    return entries, lines, len(data) - len(tail), len(tail)


def _begins_entry(tail: bytes, seq: int) -> bool:
    """Whether ``tail`` is the start of a line for entry ``seq`` (what an append cut short by a crash leaves),
    or zeros (what some file systems show of an append whose data never reached the disk)."""
    if not tail.strip(b"\0"):
        return True
    checksum, opening = tail[:8], b'{"seq":%d,' % seq
    body = tail[9:]
    return (
        all(byte in b"0123456789abcdef" for byte in checksum)
        and tail[8:9] in (b"", b" ")
        and body[: len(opening)] == opening[: len(body)]
    )


def _check_unfinished(path: Path, entries: list[dict[str, Any]], tail: bytes) -> None:
    """Refuse a last line without a newline unless it can only be an appended entry that a crash cut short.

    The header and the snapshot are never appended: a new file's header, and a compaction's header and
    snapshot, are written to a temporary file, synced and renamed over the journal. So a cut header or
    snapshot is damage (a copy cut short, a disk fault), as is a first line that is no header at all (a
    file that is not a journal): the start stops and the file is left as it is.
    """
    number = len(entries) + 1
    if not entries:
        if _begins_entry(tail, 0) and tail.strip(b"\0"):
            raise StateFileError(path, 1, "the header is cut short (no newline); a header is always written whole")
        raise StateFileError(
            path, 1, f"not a {FORMAT} file (its only line is no journal header); nothing was changed in it"
        )
    snapshot_due = len(entries) == 1 and (entries[0].get("snapshot") is True or b'"snapshot":' in tail)
    if snapshot_due:
        raise StateFileError(
            path, 2, "the snapshot is cut short (no newline); a snapshot is always written whole, so the file was cut"
        )
    if not _begins_entry(tail, number - 1):
        raise StateFileError(path, number, f"damaged last line (no newline, and not the start of entry {number - 1})")


def _identity(path: Path, entries: list[dict[str, Any]]) -> str:
    """The fake ``path`` holds: its header's, a new one for a new file, or (a file from before headers held it)
    the one derived from the path, as the fake then derived it."""
    if not entries:
        return f"state-file:{uuid.uuid4()}"
    found = entries[0].get("fake")
    if found is None:
        return "state-file:" + str(path.resolve())
    if not isinstance(found, str) or not found:
        raise StateFileError(path, 1, f"the header's 'fake' must be a non-empty string, not {found!r}")
    return found


def _text(entry: dict[str, Any], key: str, optional: bool = False) -> Any:
    value = entry[key] if not optional else entry.get(key)
    if not (isinstance(value, str) or (optional and value is None)):
        raise ValueError(f"{key!r} must be a string, not {value!r}")
    return value


def _call_of(entry: dict[str, Any]) -> Call:
    params = entry["params"]
    if not isinstance(params, dict):
        raise ValueError(f"'params' must be an object, not {params!r}")
    return Call(
        _text(entry, "call"), params, _text(entry, "account"), _text(entry, "region"), _text(entry, "token", True)
    )


# Instants are written in order under the service lock; a scaled clock's sum may round an ulp below the last one.
_ROUNDING = 1e-3


def _instant(entry: dict[str, Any], previous: float) -> float:
    """The entry's ``now``: a finite instant the clock can show, not before ``previous`` (the last entry's)."""
    at = entry["now"]
    if isinstance(at, bool) or not isinstance(at, int | float) or not 0 <= at <= LATEST:
        raise ValueError(f"'now' must be an instant between the epoch and the year 9999, not {at!r}")
    wall = entry["wall"]  # only the last entry's is read (where the clock resumes), but each must be one
    if isinstance(wall, bool) or not isinstance(wall, int | float) or not 0 <= wall < math.inf:
        raise ValueError(f"'wall' must be a finite time since the epoch, not {wall!r}")
    speed = entry.get("speed", 0.0)  # as 'wall'; absent from lines written before lines named it
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 <= speed < math.inf:
        raise ValueError(f"'speed' must be a finite number >= 0, not {speed!r}")
    if at < previous - _ROUNDING:
        raise ValueError(f"'now' ({at!r}) is before the previous entry's ({previous!r}): the clock never goes back")
    return float(at)


def _apply(entry: dict[str, Any], subject: Subject, clock: PinnableClock, previous: float) -> float:
    """Replay one entry (a call, a knob change or a snapshot) onto ``subject``; returns its instant.

    Knob changes go through the subject's controls, which check their
    arguments as the live API does: a refused one is damage (a ValueError).
    """
    at = _instant(entry, previous)
    if "call" in entry:
        call = _call_of(entry)
        with clock.pinned(at):
            subject.service.call(call)
    elif "control" in entry:
        kind, args = _text(entry, "control"), entry.get("args", {})
        if kind not in subject.controls or not isinstance(args, dict):
            raise ValueError(f"unknown change {kind!r} with arguments {args!r}")
        if kind == "advance":
            # Time is in the recorded instants (the clock resumes after the last one); the step is checked only.
            if set(args) != {"seconds"}:
                raise ValueError(f"advance takes 'seconds' only, not {args!r}")
            checked_step(previous, args["seconds"])
            return at
        with clock.pinned(at):
            subject.controls[kind](**args)
    elif "snapshot" in entry:
        code = entry.get("code")
        if code != state_code():
            raise _ForeignSnapshot(
                f"the snapshot was written by another version of fakeimagebuilder (state code {code or 'unnamed'}, "
                f"this one's is {state_code()}), whose state this version cannot read safely; start the version "
                "that wrote it, or a new state file"
            )
        subject.restore(_unpickle(base64.b64decode(_text(entry, "snapshot"), validate=True)))
    else:
        raise ValueError(f"unknown entry {entry!r}")
    return at


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


def _lock(fd: int, path: Path) -> None:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateFileError(path, None, "is in use by another fakeimagebuilder server") from None


def _write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    if written != len(data):
        raise OSError(f"short write ({written} of {len(data)} bytes)")


class _Unwritten(Exception):
    """A line could not be written or synced; ``reason`` says why."""


class Journal:
    """The open state file of one fake: appends acknowledged changes, durably, in order.

    Opening reads and checks the file and makes the clock the fake must use
    (:attr:`clock`); :meth:`attach` replays the file onto a :class:`Subject`
    and starts recording. Calls reach the service through :meth:`handle` (a
    link of the call chain), knob changes through :meth:`control`.

    Appends happen under the service lock (file order = application order);
    the fsync of a call happens after it, and one fsync covers every line
    written before it (group commit), so concurrent clients do not queue on
    the disk. A knob change is synced before it is applied.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        speed: float,
        notices: list[str] | None = None,
        compact_every: int | None = None,
    ) -> None:
        self.path = Path(path)
        """The path as given (messages name it)."""
        # The real file: a symbolic link given as the path stays one, and the lock, a compaction's temporary file
        # and its rename all act on the file it names (renaming over the link would leave that file stale).
        self._file = Path(os.path.realpath(path))
        self.compact_every = COMPACT_EVERY if compact_every is None else compact_every
        if self.compact_every < 1:
            raise ValueError("compact_every must be >= 1")
        self._notices = notices
        try:
            self._fd = os.open(self._file, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise StateFileError(self.path, None, f"cannot be opened for writing: {exc}") from None
        # After the open: a path with no name ('/', '.') has no sibling, but it is a directory, refused above.
        self._temporary = self._file.with_name(self._file.name + ".compacting")
        try:
            if not stat.S_ISREG(os.fstat(self._fd).st_mode):
                raise StateFileError(self.path, None, "is not a regular file (a journal needs one it can rewrite)")
            _lock(self._fd, self.path)
            self._entries, self._lines, self._length, self._unfinished = _read(self._file, self.path)
            self.identity = _identity(self.path, self._entries)
            """The fake the file holds (see the module doc): what the fake's ``fake_id`` must be."""
            resume: float | None = None
            self._resumed_speed: float | None = None  # the speed in force after the file's last line, if any
            if len(self._entries) > 1:
                last = self._entries[-1]
                try:
                    # At the speed that was in force (the most a client can have seen), not the new one.
                    self._resumed_speed = float(last.get("speed", speed))
                    resume = float(last["now"]) + max(0.0, time.time() - float(last["wall"])) * self._resumed_speed
                except (KeyError, TypeError, ValueError):
                    raise StateFileError(
                        self.path, len(self._entries), "the entry has no valid 'now', 'wall' and 'speed'"
                    ) from None
        except BaseException:
            os.close(self._fd)
            raise
        if resume is not None and not 0 <= resume <= LATEST:
            # A fast clock's downtime may carry it past the last writable instant: it stops there. Anything
            # else (not an instant at all) the replay refuses below, naming the entry.
            resume = LATEST if resume > LATEST else None
        self.clock = PinnableClock(ScaledClock(speed, start=resume))
        self.speed = self.clock.inner.speed
        """Virtual seconds per real second, recorded with every line (see the module doc)."""
        self.compactions = 0
        self.report = ""
        """What the start replayed and how long it took (one line, for the server's log)."""
        self._sync_lock = threading.Lock()
        self._subject: Subject | None = None
        self._started = False  # attached, so a clean stop records the clock

    # -- start ---------------------------------------------------------------------------------

    def attach(self, subject: Subject) -> None:
        """Replay the file onto ``subject`` and record every later change of it."""
        started = time.monotonic()
        snapshots = 0
        # Memory must always be "base + tail" of what the file holds (a rollback replays it): the file's
        # snapshot is the base when it has one, else the state before any line, and the lines after are the tail.
        base: bytes | None = (
            None if len(self._entries) > 1 and "snapshot" in self._entries[1] else _pickle(subject.capture())
        )
        previous = 0.0
        for number, entry in enumerate(self._entries[1:], 2):
            try:
                previous = _apply(entry, subject, self.clock, previous)
                if "snapshot" in entry:
                    if number != 2:
                        raise ValueError("a snapshot may only follow the header")
                    snapshots += 1
                    base = base64.b64decode(entry["snapshot"])
            except ImageBuilderError as error:
                raise StateFileError(
                    self.path, number, f"replaying {entry.get('call')} failed: {error.code}: {error.message}"
                ) from None
            except _ForeignSnapshot as exc:
                raise StateFileError(self.path, number, str(exc)) from None
            except (KeyError, TypeError, ValueError, pickle.UnpicklingError, AttributeError, EOFError) as exc:
                raise StateFileError(self.path, number, f"malformed entry: {exc!r}") from None
        replayed = max(0, len(self._entries) - 1)
        try:
            if self._unfinished:
                os.ftruncate(self._fd, self._length)
                if self._notices is not None:
                    self._notices.append(
                        f"state file {self.path}: dropped an unfinished last entry ({self._unfinished} bytes, "
                        "no newline); it was never acknowledged"
                    )
            if self._temporary.exists():
                self._temporary.unlink()  # a compaction that never finished: the journal itself is whole
                if self._notices is not None:
                    self._notices.append(f"state file {self.path}: removed an unfinished compaction")
            if not self._entries:
                # Renamed into place, as a compaction's file: a header is never seen cut short (see _read).
                header = self._header(snapshot=False)
                fd = self._replace(header)
                os.close(self._fd)
                self._fd = fd
                self._length = len(header)
                self._entries = [{}]
        except OSError as exc:
            raise StateFileError(self.path, None, f"cannot be written: {exc}") from None
        self._subject = subject
        self._lock = subject.service.lock
        self._seq = len(self._entries)
        self._ticket = 0  # counts lines written, across compactions, for the group commit
        self._end = self._durable = (0, self._length)  # (ticket, file length) written; and synced
        self._dropped: list[tuple[int, int]] = []  # tickets (after, up to) whose lines a rollback dropped
        self._damaged: str | None = None
        assert base is not None
        self._base = base  # memory = base + tail, always what the file holds
        self._base_seq = 1 + snapshots  # the first line after the header and the snapshot
        # (ticket, seq, line) written since the base; lines read at start have ticket 0: synced already.
        self._tail: list[tuple[int, int, bytes]] = [
            (0, seq, self._lines[seq] + b"\n") for seq in range(self._base_seq, len(self._lines))
        ]
        self._tail_bytes = sum(len(line) for _, _, line in self._tail)
        self._entries, self._lines = [], []  # replayed: not needed again
        self._compact_at = self.compact_every
        if replayed - snapshots > self.compact_every:
            self.compact()  # a long file (say, from before compaction existed): the next start replays little
        if self._resumed_speed is not None and self._resumed_speed != self.speed:
            try:  # from here the clock runs at another speed: a restart after a kill -9 must know it
                self._mark()
            except (_Unwritten, ImageBuilderError) as exc:
                raise StateFileError(self.path, None, f"cannot be written: {exc}") from None
        self._started = True
        self.restart_seconds = time.monotonic() - started
        self.report = (
            f"state file {self.path}: replayed {replayed} entries"
            f"{' (from a snapshot)' if snapshots else ''} in {self.restart_seconds:.3f} s"
        )

    # -- the call chain ------------------------------------------------------------------------

    def handle(self, call: Call) -> dict[str, Any]:
        """Run ``call`` and, if it changed state, make it durable before returning its answer."""
        subject = self._attached()
        if call.operation.startswith(_READ_ONLY):
            return subject.service.call(call)
        body = self._encoded(
            {
                "call": call.operation,
                "params": call.params,
                "account": call.account,
                "region": call.region,
                "token": call.token_member,
            },
            lambda exc: error_for_code("ServiceException", f"The call cannot be recorded ({exc}); nothing changed."),
        )
        with self._lock:
            self._repair()
            at = self.clock.inner.now()
            with self.clock.pinned(at):
                answer = subject.service.call(call)
            try:
                ticket = self._append(at, body)
            except _Unwritten as failed:
                self._rebuild()  # the call is applied but not written: back to what the file holds
                raise self._unavailable(str(failed)) from None
        self._make_durable(ticket)
        self._maybe_compact()
        return answer

    def control(self, kind: str, args: dict[str, Any]) -> Any:
        """Record the knob change ``kind`` durably, then apply it; returns what applying it returns."""
        subject = self._attached()
        body = self._encoded(
            {"control": kind, "args": args}, lambda exc: ValueError(f"the change cannot be recorded: {exc}")
        )
        with self._sync_lock, self._lock:
            self._repair()
            at = self.clock.inner.now()
            if kind == "advance":  # the entry's instant is the clock after the step: where a restart resumes
                moved = at + args["seconds"] if isinstance(args.get("seconds"), int | float) else math.nan
                at = moved if math.isfinite(moved) and moved >= at else at
            try:
                self._append(at, body)
                self._sync()
            except _Unwritten as failed:
                raise self._unavailable(str(failed)) from None
            try:
                with self.clock.pinned(at):
                    result = subject.controls[kind](**args)
            except BaseException:
                self._drop_last()  # refused: its line goes, so the file holds only what was applied
                raise
        self._maybe_compact()
        return result

    def close(self) -> None:
        """Record the clock's instant (a clean stop: the next start resumes from it), flush and close the file
        (and release its lock)."""
        if self._started and self._fd >= 0:
            with contextlib.suppress(_Unwritten, ImageBuilderError):  # a failing disk: the last line still bounds it
                self._mark()
        with self._sync_lock:
            if self._fd >= 0:
                with contextlib.suppress(OSError):  # every acknowledged line was synced already
                    _sync(self._fd)
                os.close(self._fd)
                self._fd = -1

    # -- writing -------------------------------------------------------------------------------

    def _mark(self) -> None:
        """Write and sync a line that records the clock's instant and speed now (see the module doc)."""
        with self._sync_lock, self._lock:
            self._repair()
            self._append(self.clock.inner.now(), _MARK)
            self._sync()

    def _attached(self) -> Subject:
        if self._subject is None:
            raise RuntimeError("the journal is not attached to a fake yet")
        return self._subject

    @staticmethod
    def _encoded(document: dict[str, Any], refusal: Callable[[Exception], Exception]) -> str:
        # Before anything is applied: what the file cannot hold must change nothing.
        try:
            return _json(document)
        except (TypeError, ValueError, RecursionError) as exc:
            raise refusal(exc) from None

    def _append(self, at: float, body: str) -> int:
        """Write one line (under the service lock); raises :class:`_Unwritten`, leaving the file as it was."""
        if self._fd < 0:
            raise _Unwritten(f"the state file {self.path} is closed")
        line = _entry_line(self._seq, at, self.speed, body)
        try:
            _write_all(self._fd, line)
        except OSError as exc:
            self._truncate(self._length)
            raise _Unwritten(f"the state file {self.path} could not be written ({exc})") from None
        self._ticket += 1
        self._length += len(line)
        self._tail.append((self._ticket, self._seq, line))
        self._tail_bytes += len(line)
        self._seq += 1
        self._end = (self._ticket, self._length)
        return self._ticket

    def _sync(self) -> None:
        """fsync every line written so far (under the sync lock); on failure roll back to the last synced one."""
        end = self._end
        try:
            _sync(self._fd)
        except OSError as exc:
            with self._lock:
                self._roll_back_to_durable()
            raise _Unwritten(f"the state file {self.path} could not be synced ({exc})") from None
        self._durable = end

    def _make_durable(self, ticket: int) -> None:
        with self._sync_lock:
            if any(low < ticket <= high for low, high in self._dropped):
                raise self._unavailable(f"the state file {self.path} could not be synced")
            if self._durable[0] >= ticket:
                return  # another thread's fsync (or a compaction) already covered this line
            try:
                self._sync()
            except _Unwritten as failed:
                raise self._unavailable(str(failed)) from None

    def _roll_back_to_durable(self) -> None:
        # Under both locks: every line after the last synced one is dropped, from the file and from memory.
        ticket, length = self._durable
        self._truncate(length)
        kept = [entry for entry in self._tail if entry[0] <= ticket]
        self._tail = kept
        self._tail_bytes = sum(len(line) for _, _, line in kept)
        self._seq = kept[-1][1] + 1 if kept else self._base_seq
        self._length = length
        self._dropped.append((ticket, self._end[0]))
        self._end = self._durable
        self._rebuild()

    def _drop_last(self) -> None:
        _, _, line = self._tail.pop()
        self._tail_bytes -= len(line)
        self._seq -= 1
        self._length -= len(line)
        self._end = self._durable = (self._ticket, self._length)  # both locks held, everything synced just now
        self._truncate(self._length)
        with contextlib.suppress(OSError):
            _sync(self._fd)

    def _truncate(self, length: int) -> None:
        try:
            os.ftruncate(self._fd, length)
            self._damaged = None
        except OSError as exc:
            self._damaged = f"the state file {self.path} could not be cut back to its last good line ({exc})"

    def _repair(self) -> None:
        """Refuse changes while the file may end in a line that was never acknowledged; retry the repair first."""
        if self._damaged is not None:
            self._truncate(self._length)
            if self._damaged is not None:
                raise self._unavailable(self._damaged)

    def _rebuild(self) -> None:
        """Make memory what the file holds: the base state, then every line written since (under the lock)."""
        subject = self._attached()
        subject.restore(_unpickle(self._base))
        previous = 0.0  # the lines were checked when written or read; this only carries the argument along
        for _, _, line in self._tail:
            previous = _apply(_decode(line.rstrip(b"\n")), subject, self.clock, previous)

    def _unavailable(self, reason: str) -> ImageBuilderError:
        print(f"fakeimagebuilder: {reason}; nothing was changed", file=sys.stderr, flush=True)
        return error_for_code(
            "ServiceUnavailableException", f"{reason}; nothing was changed. Retry once the disk is writable."
        )

    # -- compaction ----------------------------------------------------------------------------

    def _maybe_compact(self) -> None:
        if len(self._tail) < self._compact_at and self._tail_bytes < _COMPACT_BYTES:
            return
        with self._sync_lock, self._lock:
            if len(self._tail) >= self._compact_at or self._tail_bytes >= _COMPACT_BYTES:
                self._compact()

    def _header(self, *, snapshot: bool) -> bytes:
        # ``snapshot``: a snapshot follows, so line 2 must be one, and whole (a file cut there is damage).
        header = {"seq": 0, "format": FORMAT, "version": VERSION, "fake": self.identity}
        return _line(_json({**header, "snapshot": True} if snapshot else header))

    def _replace(self, data: bytes) -> int:
        """Make ``data`` the whole file, atomically: written to a temporary file with the journal's permissions,
        synced, locked and renamed over it. Returns the new file's descriptor; OSError leaves the file as it was.
        """
        fd = -1
        try:
            fd = os.open(self._temporary, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
            os.fchmod(fd, stat.S_IMODE(os.fstat(self._fd).st_mode))
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held before the rename: no moment unlocked
            _write_all(fd, data)
            _sync(fd)
            os.replace(self._temporary, self._file)
        except OSError:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                self._temporary.unlink()
            raise
        with contextlib.suppress(OSError):  # renamed already: a crash leaves the old file or the new, both whole
            _fsync_directory(self._file)
        return fd

    def compact(self) -> None:
        """Rewrite the journal now as a header and one snapshot of the state (atomically)."""
        with self._sync_lock, self._lock:
            self._compact()

    def _compact(self) -> None:
        subject = self._attached()
        try:
            _sync(self._fd)  # the old file holds every line too, whichever of the two a crash leaves
        except OSError:
            self._roll_back_to_durable()
            return
        self._durable = self._end
        state = _pickle(subject.capture())
        at = self.clock.inner.now()
        data = self._header(snapshot=True) + _entry_line(
            1, at, self.speed, _json({"snapshot": base64.b64encode(state).decode("ascii"), "code": state_code()})
        )
        try:
            fd = self._replace(data)
        except OSError as exc:
            self._compact_at = len(self._tail) + self.compact_every  # try again later, not on every call
            print(f"fakeimagebuilder: could not compact {self.path} ({exc}); it keeps growing", file=sys.stderr)
            return
        os.close(self._fd)
        self._fd = fd
        self._base, self._base_seq, self._seq = state, 2, 2
        self._tail, self._tail_bytes = [], 0
        self._length = len(data)
        self._end = self._durable = (self._ticket, self._length)
        self._compact_at = self.compact_every
        self.compactions += 1
