"""Live-run safety: what keeps ``--target aws`` from touching what it should not, or costing more than allowed.

- :func:`caller_account`: the account the credentials belong to (STS
  GetCallerIdentity); the suite refuses to start unless it equals
  ``--aws-account``.
- :class:`Budget`: builds this run may start (``--max-builds``), reserved
  before a start is sent, so the budget holds even if AWS started a build
  where the suite expected an error. With a file it is shared by every
  process of the run (xdist workers, and the workers that replace them).
- :class:`LiveGuard`: sits on botocore's own event path of every client of a
  live run (``before-call``, ``after-call``, ``after-call-error``), so no
  way of calling (the suite's client, ``_make_api_call``, a paginator, a
  waiter) skips it. From the classification of
  :mod:`contract_tests.operations` it refuses every mutating operation it
  cannot check, and any call that would change a resource this run did not
  name (``fibct-<run id>-...``), act on the user's references, make Image
  Builder write outside Image Builder, or build from what the run did not
  make; it checks the request again as it leaves (``before-send``, read back
  through the model), holds the budget for every operation that may start a
  build, and cancels what such a call built at once.
- :class:`ResourceTracker`: what a workspace (or the whole run) created;
  :meth:`ResourceTracker.cleanup` deletes it all, builds first, then in the
  reverse order of creation.

Resources are also tagged with the run id (:data:`RUN_TAG`) and the run's
start (:data:`STARTED_TAG`), so ``python -m contract_tests.sweep`` can find
what a killed run left behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import logging
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore.client import BaseClient
from botocore.configprovider import ConfiguredEndpointProvider
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from fakeimagebuilder.hosts import is_loopback
from fakeimagebuilder.service.documents import read_yaml

from .client import ContractClient, calling
from .operations import BUILD_VERSION_SHAPE, Classification, Outward, installed, listings

__all__ = [
    "NAME_PREFIX",
    "RUN_TAG",
    "STARTED_TAG",
    "Budget",
    "BudgetExhausted",
    "BudgetUnreadable",
    "LiveGuard",
    "ResourceTracker",
    "RunStopped",
    "UnsafeCall",
    "caller_account",
    "default_region",
    "endpoint_overrides",
    "loopback_url",
    "redact_logs",
    "shielded",
]

NAME_PREFIX = "fibct"
"""Every resource the suite creates is named ``fibct-<run id>-...`` (fakeimagebuilder contract test)."""

RUN_TAG = "fakeimagebuilder:contract-run"
STARTED_TAG = "fakeimagebuilder:contract-started"
"""Holds when the run started (not when the resource was made): the sweep leaves a run alone until it is old."""

# Answers to a cancel that mean "try again shortly": the build may not be visible yet (eventual consistency).
_RETRY_CANCEL = frozenset(
    {
        "ResourceNotFoundException",
        "ResourceInUseException",
        "CallRateLimitExceededException",
        "ServiceException",
        "ServiceUnavailableException",
    }
)
_TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED", "DELETED"})
# Answers to a cancel of a build that may have ended: InvalidParameterValueException is AWS's (CloudFormation's image
# DeleteHandler catches it: ledger row cancel-terminal); InvalidRequestException is the modeled code a service could
# also use. Either counts as "ended" only once GetImage agrees.
_CANCEL_REFUSED = frozenset({"InvalidParameterValueException", "InvalidRequestException"})


SCHEDULE_HORIZON = dt.timedelta(days=7)
_AHEAD_OF_UTC = dt.timedelta(hours=14)
"""The furthest any timezone is ahead of UTC (UTC+14): a schedule's cron years are read in its own ``timezone``."""
"""A live run allows a pipeline schedule only if it cannot fire within this long (far longer than any run)."""

_YEARS = re.compile(r"^\d{4}(?:-\d{4})?(?:,\d{4}(?:-\d{4})?)*$")


def _never_fires(expression: Any, until: dt.datetime) -> bool:
    """Whether a schedule expression cannot fire before ``until``: a six-field cron whose year field lists only
    years after it. Anything else (a rate, a cron of every year, what the guard cannot read) may fire."""
    if not isinstance(expression, str):
        return False
    found = re.fullmatch(r"cron\((.*)\)", expression.strip())
    fields = found.group(1).split() if found else []
    if len(fields) != 6 or not _YEARS.match(fields[5]):
        return False
    return min(int(year) for year in re.findall(r"\d{4}", fields[5])) > until.year


def loopback_url(value: str) -> str:
    """``value``, if it is a URL on a loopback address: the kit's stand-ins never leave the machine."""
    if not is_loopback(urlsplit(value).hostname or ""):
        raise argparse.ArgumentTypeError(f"{value!r}: stand-in endpoints must be on a loopback address")
    return value


def caller_account(sts_client: Any) -> str:
    """The account id of the credentials ``sts_client`` signs with."""
    account: str = sts_client.get_caller_identity()["Account"]
    return account


def default_region() -> str:
    """The region a live run and the sweep use unless told: ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the
    profile's, else us-east-1 (the suite and the sweep must agree, or the sweep looks in the wrong place)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        try:
            region = botocore.session.Session().get_config_variable("region")
        except BotoCoreError:
            region = None
    return region or "us-east-1"


def endpoint_overrides(session: botocore.session.Session | None = None) -> list[str]:
    """What would send a live run's calls somewhere else: ``AWS_ENDPOINT_URL*`` variables set now, and an
    ``endpoint_url`` botocore resolves for Image Builder or STS from the AWS config file (a ``services``
    section, a profile's ``endpoint_url``), through botocore's own configured-endpoint chain."""
    found = sorted(k for k, v in os.environ.items() if k.startswith("AWS_ENDPOINT_URL") and v)
    session = session or botocore.session.Session()
    try:
        full, scoped = session.full_config, session.get_scoped_config()
    except BotoCoreError as error:  # a profile that cannot be read: the run cannot be proven to go to AWS
        return [*found, f"the AWS config ({error})"]
    for service in ("imagebuilder", "sts"):
        url = ConfiguredEndpointProvider(full, scoped, service, environ={}).provide()
        if url:
            found.append(f"endpoint_url {url} for {service} in the AWS config file")
    return found


_CREDENTIAL_NAMES = r"(?:AccessKeyId|SecretAccessKey|SessionToken|accessKeyId|secretAccessKey|sessionToken)"
# Credentials a later session receives (an assume-role profile's AssumeRole, refreshed ones) are not known up
# front: their elements (the XML answer), JSON members and logged dicts are blanked wherever they appear.
_CREDENTIAL_XML = re.compile(rf"<({_CREDENTIAL_NAMES})>[^<]*</\1>")
_CREDENTIAL_FIELD = re.compile(rf"""(["'])({_CREDENTIAL_NAMES})\1(\s*:\s*)(["'])(?:(?!\4).)*\4""")


def redact_logs(secrets: Iterable[str]) -> None:
    """From now on, every log record of this process is formatted at once, with ``secrets`` (the live run's
    access key id, secret key and session token) and anything that looks like a credential taken out: botocore
    logs its signed requests, token and all, at DEBUG, and every STS answer (an assume-role profile's
    temporary credentials, however many sessions the run makes) with its ``SecretAccessKey`` and ``SessionToken``."""
    from .recording import redact  # recording imports this module

    known = sorted((s for s in secrets if s), key=len, reverse=True)
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record stays as logging would show it
            return record
        for secret in known:
            message = message.replace(secret, "<redacted>")
        message = _CREDENTIAL_XML.sub(r"<\1><redacted></\1>", message)
        message = _CREDENTIAL_FIELD.sub(r"\1\2\1\3\4<redacted>\4", message)
        record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(factory)


class BudgetExhausted(pytest.skip.Exception):
    """The build budget is spent: the test that needed another build is skipped."""


class BudgetUnreadable(BudgetExhausted):
    """The shared build count cannot be read: no more builds are started (the test that needed one is skipped)."""


class UnsafeCall(RuntimeError):
    """A live run was about to make a call it cannot prove safe (not its resource, or an unchecked operation)."""


class RunStopped(pytest.exit.Exception):  # type: ignore[name-defined,misc]
    """The live run cannot go on safely (a build it cannot cancel, a build of unknown fate): pytest stops."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"contract suite: stopping the live run: {reason}", returncode=3)


class Budget:
    """At most ``total`` builds, counted when started; thread-safe.

    With ``path``, the count lives in that file, shared by every process of
    a run: an xdist worker that replaces a crashed one finds the builds
    already spent, and a crashed worker's held builds stay spent (they may
    have started). Each change is written whole to a new file that replaces
    the old one (``os.replace``), under an exclusive lock on ``<path>.lock``,
    so a process killed mid-write leaves the last count, never a torn one; and
    a count that cannot be read (empty, garbled, gone) is never taken as "no
    builds": no more builds are started (:class:`BudgetUnreadable`).
    """

    def __init__(self, total: int, path: Path | None = None) -> None:
        if total < 0:
            raise ValueError("a build budget cannot be negative")
        self.total = total
        self.path = path
        self._local = {"started": 0, "held": 0}
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._locked():  # the first process of the run writes the zero count; later ones find it
                if not path.exists():
                    self._write(self._local)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        assert self.path is not None
        with self.path.with_name(self.path.name + ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _write(self, counts: dict[str, int]) -> None:
        assert self.path is not None
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(json.dumps(counts))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _read(self) -> dict[str, int]:
        assert self.path is not None
        try:
            counts = json.loads(self.path.read_text())
            return {"started": int(counts["started"]), "held": int(counts["held"])}
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise BudgetUnreadable(
                f"the run's shared build count {self.path} cannot be read ({type(error).__name__}: {error}); "
                "no more builds are started (a process of the run may have died writing it)"
            ) from None

    @contextmanager
    def _counts(self) -> Iterator[dict[str, int]]:
        with self._lock:
            if self.path is None:
                yield self._local
                return
            with self._locked():
                counts = self._read()
                before = dict(counts)
                yield counts
                if counts != before:
                    self._write(counts)

    @property
    def started(self) -> int:
        """Builds started so far (by every process sharing the budget)."""
        with self._counts() as counts:
            return counts["started"]

    @property
    def remaining(self) -> int:
        """Builds that may still be started (none while the count cannot be read)."""
        try:
            with self._counts() as counts:
                return self.total - counts["started"] - counts["held"]
        except BudgetUnreadable:
            return 0

    def reserve(self) -> None:
        """Hold one build for a start about to be sent; :class:`BudgetExhausted` if none is left."""
        with self._counts() as counts:
            if counts["started"] + counts["held"] >= self.total:
                raise BudgetExhausted(
                    f"the build budget is spent ({counts['started']} of --max-builds {self.total} started); "
                    "raise --max-builds to run this test"
                )
            counts["held"] += 1

    def settle(self, built: bool) -> None:
        """The start held by :meth:`reserve` answered: it built something, or not. With the count unreadable
        nothing is written: every later :meth:`reserve` is refused anyway."""
        try:
            with self._counts() as counts:
                counts["held"] -= 1
                if built:
                    counts["started"] += 1
        except BudgetUnreadable:
            pass


@contextmanager
def shielded(message: str, notify: Callable[[str], None] = print) -> Iterator[None]:
    """Run the block (a cleanup) to its end through SIGINT and SIGTERM; a second signal abandons it.

    ``notify`` tells the user (the suite passes one that writes past pytest's output capture).

    A signal that arrived is re-raised as ``KeyboardInterrupt`` after the
    block, so the run still stops. Off the main thread (where signals cannot
    be handled) the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def defer(signum: int, frame: Any) -> None:
        if received:
            raise KeyboardInterrupt
        received.append(signum)
        notify(f"contract suite: {message}; interrupt again to abandon it (then run the sweep)")

    previous = {sig: signal.signal(sig, defer) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise KeyboardInterrupt


class LiveGuard:
    """Guards every call of a live run on botocore's event path: ownership, build budget, immediate cancellation.

    :meth:`attach` registers it on a client (or a botocore session, whose
    clients inherit it). ``account`` and ``region``, when given, are where
    every resource the run creates must be.
    """

    def __init__(
        self,
        budget: Budget,
        run_prefix: str,
        *,
        account: str | None = None,
        region: str | None = None,
        classification: Classification | None = None,
        references: Collection[str] = (),
        cancel_attempts: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.budget = budget
        self.run_prefix = run_prefix.lower()
        self.account = account
        self.region = region
        self.classification = classification or installed()
        self.references = frozenset(references)  # ARNs not the run's it may name (--aws-component ...)
        self.cancel_attempts = cancel_attempts
        self.sleep = sleep
        self.now = now
        self.started: list[str] = []  # every build this run started, in order
        self.pending: dict[str, None] = {}  # started, not yet cancelled (ordered)
        self.unanswered: list[tuple[str, dict[str, Any]]] = []  # starts whose outcome is not known yet
        self.unknown: list[tuple[str, dict[str, Any]]] = []  # starts whose outcome could not be learnt
        self.created = ResourceTracker(self.classification)  # everything the run made, by any path
        self._inflight: dict[int, tuple[int, str, dict[str, Any]]] = {}  # starts sent, not answered yet
        self._raw: BaseClient | None = None
        self._local = threading.local()
        self._lock = threading.RLock()

    # -- wiring ---------------------------------------------------------------------------------

    def attach(self, target: Any) -> None:
        """Register on the event system of ``target``: a botocore client (whose calls the guard then makes its
        own through, outside a :class:`ContractClient`) or a botocore session (every client made from it later)."""
        if isinstance(target, BaseClient):
            self._raw = target
        events = target.meta.events if isinstance(target, BaseClient) else target.get_component("event_emitter")
        events.register("before-parameter-build.imagebuilder", self._on_parameters, unique_id="fibct-guard-params")
        events.register("before-call.imagebuilder", self._on_before_call, unique_id="fibct-guard-before")
        events.register("after-call.imagebuilder", self._on_after_call, unique_id="fibct-guard-after")
        events.register("after-call-error.imagebuilder", self._on_call_error, unique_id="fibct-guard-error")
        events.register("request-created.imagebuilder", self._on_request, unique_id="fibct-guard-request")
        # Last of all, on the least specific name: after every handler that could still change the request.
        events.register_last("before-send", self._on_before_send, unique_id="fibct-guard-send")
        # A before-send handler registered later still runs after that one: the request is checked once more where
        # nothing runs after the check, as the client's endpoint sends it (each client of a session, when made).
        if isinstance(target, BaseClient):
            self._guard_send(target)
        else:
            events.register("creating-client-class.imagebuilder", self._on_client_class, unique_id="fibct-guard-class")

    @property
    def acting(self) -> bool:
        """Whether this thread is inside one of the guard's own calls (not guarded again)."""
        return getattr(self._local, "depth", 0) > 0

    @contextmanager
    def _acting(self) -> Iterator[ContractClient]:
        """The client to make the guard's own calls with: the suite's client of the call being guarded (its
        observers see them, marked as the guard's), else one on the raw client."""
        client = calling.get()
        if client is None:
            if self._raw is None:
                raise RuntimeError("the live-run guard has no client to act through")
            client = ContractClient(self._raw)
        previous, client.actor = client.actor, "guard"
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield client
        finally:
            self._local.depth -= 1
            client.actor = previous

    # -- the events -----------------------------------------------------------------------------

    @staticmethod
    def _on_parameters(params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        # The parameters as the caller gave them (botocore fills an idempotency token into this same dict).
        context["fibct_params"] = params

    def _on_before_call(self, model: Any, context: dict[str, Any], **kwargs: Any) -> None:
        if self.acting:
            return
        operation = model.name
        params: dict[str, Any] = context.get("fibct_params", {})
        self.check(operation, params)
        keep = params.get("imageBuildVersionArn") if operation.startswith("Cancel") else None
        self.flush(keep=keep)
        if self.classification[operation].starts_build:
            self.budget.reserve()
            with self._lock:
                self._inflight[id(context)] = (threading.get_ident(), operation, dict(params))
            context["fibct_held"] = True

    def _on_client_class(self, base_classes: list[type], **kwargs: Any) -> None:
        guard = self

        class Guarded:
            """Guards the sending of each client made from the session (see :meth:`_guard_send`)."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                assert isinstance(self, BaseClient)
                guard._guard_send(self)

        base_classes.insert(0, Guarded)

    def _guard_send(self, client: BaseClient) -> None:
        """Wrap the ``_send`` of this client's endpoint (the instance's, not the class's): the request is read back
        and checked as it is handed to the HTTP session, after every event handler."""
        endpoint = client._endpoint
        send = endpoint._send
        if getattr(send, "fibct_guard", None) is self:
            return

        def guarded_send(request: Any) -> Any:
            # The guard's before-send handler of this thread ran just before (the same emit), and said what for.
            leaving = getattr(self._local, "leaving", None)
            self._local.leaving = None
            if leaving is None:
                raise UnsafeCall("refusing a request the guard's before-send check did not see")
            self._check_sent(leaving[0], request, *leaving[1:])
            return send(request)

        guarded_send.fibct_guard = self  # type: ignore[attr-defined]
        endpoint._send = guarded_send  # type: ignore[method-assign]

    def _on_request(self, request: Any, operation_name: str, **kwargs: Any) -> None:
        # What the caller asked for, for the check of what is sent (the next before-send of this thread).
        self._local.sending = (operation_name, request.context.get("fibct_params"))

    def _on_before_send(self, request: Any, event_name: str, **kwargs: Any) -> None:
        """The last word: the request as it leaves (after every handler that could rewrite it: before-sign, a
        before-send of the caller's), read back through the model and checked again; its targets must be the ones
        the call named."""
        if not event_name.startswith("before-send.imagebuilder."):
            return
        operation = event_name.rsplit(".", 1)[1]
        asked, given = getattr(self._local, "sending", (None, None))
        self._local.sending = (None, None)
        self._local.leaving = None
        self._check_sent(operation, request, asked, given)
        self._local.leaving = (operation, asked, given)  # checked again as the endpoint sends it

    def _check_sent(self, operation: str, request: Any, asked: str | None, given: dict[str, Any] | None) -> None:
        """Read ``request`` back through the model and check it: its targets must be the ones the call named."""
        try:
            sent = self.classification.read_request(
                operation, request.method, request.url, request.headers, request.body
            )
        except ValueError as error:
            raise UnsafeCall(
                f"refusing {operation}: the request about to be sent cannot be read back ({error})"
            ) from None
        self.check(operation, sent)
        kind = self.classification[operation]
        if kind.read_only:
            return
        if asked != operation or given is None:
            raise UnsafeCall(f"refusing {operation}: the guard did not see the call this request was made for")
        changed = [m for m in kind.target_members if sent.get(m) != given.get(m)]
        if changed:
            now = ", ".join(f"{m}={sent.get(m)!r}" for m in changed)
            before = ", ".join(f"{m}={given.get(m)!r}" for m in changed)
            raise UnsafeCall(
                f"refusing {operation}: the request about to be sent names {now}, not what the call named ({before})"
            )

    def _on_after_call(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **kwargs: Any
    ) -> None:
        if self.acting:
            self._note(model.name, context.get("fibct_params", {}), http_response.status_code, parsed)
            return
        operation = model.name
        params: dict[str, Any] = context.get("fibct_params", {})
        status = http_response.status_code
        self._note(operation, params, status, parsed)
        if status >= 300 and _maybe_acted(status, parsed):
            self._maybe_made(operation, params)
        if not context.pop("fibct_held", False):
            return
        with self._lock:
            self._inflight.pop(id(context), None)
        if status < 300:
            self._started(operation, parsed)
            return
        retried = parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        if status == 429 or status >= 500 or retried:
            # An earlier attempt may have built, its answer lost: the token is replayed until the outcome is known.
            with self._lock:
                self.unanswered.append((operation, dict(params)))
        else:
            self.budget.settle(False)

    def _on_call_error(self, exception: BaseException, context: dict[str, Any], event_name: str, **kwargs: Any) -> None:
        if self.acting:
            return
        sent = _maybe_sent(exception)  # not when the guard refused the request as it was about to leave
        if sent:
            self._maybe_made(event_name.rsplit(".", 1)[1], context.get("fibct_params", {}))
        if not context.pop("fibct_held", False):
            return
        with self._lock:
            entry = self._inflight.pop(id(context), None)
            if entry is not None and sent:
                self.unanswered.append((entry[1], entry[2]))  # sent, perhaps acted, answer lost
        if entry is not None and not sent:
            self.budget.settle(False)

    # -- ownership ------------------------------------------------------------------------------

    def check(self, operation: str, params: dict[str, Any]) -> None:
        """Refuse an operation the guard cannot check, or a call that would change what this run did not name."""
        kind = self.classification.operations.get(operation)
        if kind is None or not kind.checked:
            raise UnsafeCall(
                f"refusing {operation}: it is not read-only and the live-run guard cannot tell which resources it "
                "changes (add it to the classification before running it against AWS)"
            )
        if kind.read_only:
            return
        for member in kind.schedule_members:
            self._check_schedule(operation, params.get(member), params.get("status"))
        for member in kind.arn_members:
            value = params.get(member)
            if value is not None and not isinstance(value, str):
                # Sent without parameter validation, a list or bytes would be serialised unchecked.
                raise UnsafeCall(f"refusing {operation}: {member} is a {type(value).__name__}, not an ARN string")
        if kind.name_member is not None:
            name = params.get(kind.name_member)
            # Absent, the service refuses the call (the member is required); present, it must be the run's.
            if name is not None and (not isinstance(name, str) or not name.lower().startswith(self.run_prefix)):
                raise UnsafeCall(
                    f"refusing {operation} named {name!r}: the names this run creates start with {self.run_prefix!r} "
                    "(a new version in another series would change what its users get)"
                )
        for member in kind.selection_members:
            self._check_selection(operation, params.get(member))
        for member in kind.target_members:
            # AWS-managed resources and the user's --aws-component / --aws-parent-image may be named inside a call
            # (a recipe's component or parent), never be what a mutating call acts on.
            value = params.get(member)
            managed = isinstance(value, str) and any(
                found.group("account") == "aws" for found in self.classification.named.finditer(value)
            )
            if managed or (isinstance(value, str) and value in self.references):
                raise UnsafeCall(
                    f"refusing {operation} on {value!r}: it is AWS-managed or one of the run's references "
                    "(--aws-component, --aws-parent-image), used but never changed"
                )
        for place in _outward(kind.outward, params):
            raise UnsafeCall(
                f"refusing {operation}: {place} names a place outside Image Builder (another service's resource, "
                "another account) that Image Builder would write to, and this run did not create it"
            )
        for member in kind.source_members:
            self._check_source(operation, member, params.get(member))
        for member in kind.policy_members:
            self._check_policy(operation, params.get(member))
        for member in kind.workflow_document_members:
            _check_workflow_document(operation, member, params.get(member))
        for member in kind.workflow_members:
            _check_workflow_parameters(operation, member, params.get(member))
        for value in _strings(params):  # every ARN it names, nested ones too (a recipe's components ...)
            self._check_arn(operation, value)

    def _check_schedule(self, operation: str, schedule: Any, status: Any) -> None:
        # The service starts a schedule's builds itself: no call to budget, nothing the guard could cancel.
        if schedule is None or status == "DISABLED":
            return
        expression = schedule.get("scheduleExpression") if isinstance(schedule, dict) else schedule
        # Whatever the schedule's timezone, its local date is at most 14 hours ahead of UTC.
        if not _never_fires(expression, self.now() + SCHEDULE_HORIZON + _AHEAD_OF_UTC):
            raise UnsafeCall(
                f"refusing {operation} with schedule {expression!r}: it could start builds the guard neither "
                f"budgets nor cancels (use status DISABLED, or a cron whose years are past {SCHEDULE_HORIZON.days} "
                "days from now, such as cron(0 0 1 1 ? 2199))"
            )

    def _check_selection(self, operation: str, selection: Any) -> None:
        # A lifecycle policy acts by itself, later, on what it selects: only the run's recipes, or exactly the run's
        # tag (a tagMap selects resources carrying ANY of its tags, so one more tag selects another team's images).
        if selection is None:
            return
        if not isinstance(selection, Mapping):
            raise UnsafeCall(f"refusing {operation}: a resource selection the guard cannot read ({selection!r})")
        run_id = self.run_prefix.removeprefix(f"{NAME_PREFIX}-").rstrip("-")
        theirs: list[str] = []
        for key, value in selection.items():
            if value is None:
                continue
            if key == "recipes":
                recipes = list(value) if isinstance(value, Sequence) and not isinstance(value, str | bytes) else [value]
                for recipe in recipes:
                    name = recipe.get("name") if isinstance(recipe, Mapping) else None
                    if not isinstance(name, str) or not name.lower().startswith(self.run_prefix):
                        theirs.append(f"recipe {recipe!r}")
            elif key == "tagMap":
                if not isinstance(value, Mapping) or dict(value) != {RUN_TAG: run_id}:
                    theirs.append(f"tags {value!r}")
            else:  # a way of selecting the guard does not know (a newer model's)
                theirs.append(f"{key} {value!r}")
        if theirs:
            raise UnsafeCall(
                f"refusing {operation}: its resource selection may pick what this run did not create "
                f"({'; '.join(theirs)}); select recipes named {self.run_prefix!r}... or exactly the tags "
                f"{{{RUN_TAG!r}: {run_id!r}}}"
            )

    def _check_source(self, operation: str, member: str, value: Any) -> None:
        # What a build is made from (an AMI, an SSM parameter, a VM import task, an S3 object) must be the run's
        # own Image Builder image: anything else is another team's, read and copied by a budgeted build.
        if value is None:
            return
        # The whole value must be the ARN (with its version and build): a prefix match passed any text after it.
        whole = rf"(?:{self.classification.named.pattern})(?:/[^/\s]+)*"
        found = re.fullmatch(whole, value) if isinstance(value, str) else None
        ours = (
            found is not None
            and found.group("account") == (self.account or found.group("account"))
            and found.group("account") != "aws"
            and found.group("name").lower().startswith(self.run_prefix)
        )
        if not ours:
            raise UnsafeCall(
                f"refusing {operation}: its {member} {value!r} is not an Image Builder resource of this run, and "
                "a live run builds only from what it created"
            )

    def _check_policy(self, operation: str, policy: Any) -> None:
        # A resource policy shares the resource with whoever it names (as a launch permission would): only the run's
        # own account may be named; a principal the guard cannot read (a wildcard, a service, a condition on who)
        # is refused.
        try:
            document = json.loads(policy) if isinstance(policy, str) else policy
        except ValueError:
            return  # not JSON: it names no one, and the service refuses it (the suite checks that it does)
        if document is None or isinstance(document, list):
            return  # likewise not a policy document (the suite sends "[]")
        statements = document.get("Statement") if isinstance(document, dict) else None
        statements = [statements] if isinstance(statements, dict) else statements
        own = {self.account, f"arn:aws:iam::{self.account}:root"} if self.account else set()
        others: list[Any] = []
        for statement in statements if isinstance(statements, list) else [None]:
            principal = statement.get("Principal") if isinstance(statement, dict) else None
            named = principal.get("AWS") if isinstance(principal, dict) and set(principal) == {"AWS"} else None
            named = [named] if isinstance(named, str) else named
            if not isinstance(named, list) or not named or "NotPrincipal" in (statement or {}):
                others.append(principal)
            else:
                others += [p for p in named if p not in own]
        if others:
            raise UnsafeCall(
                f"refusing {operation}: its policy names principals other than the run's account {self.account} "
                f"(or the guard cannot read it): {others!r}"
            )

    def _check_arn(self, operation: str, value: str) -> None:
        # The name decides: run ids are random, so only this run makes names with its prefix (an ARN of another
        # account or region with such a name cannot exist; the suite sends some to see AWS refuse them). AWS's own
        # resources (account ``aws``) are referenced, never changed; ``references`` are those the user named.
        if value in self.references:
            return
        for found in self.classification.named.finditer(value):
            if found.group("account") == "aws":
                continue
            if not found.group("name"):
                continue  # an empty name names no resource: AWS refuses the ARN before anything runs
            if not found.group("name").lower().startswith(self.run_prefix):
                raise UnsafeCall(
                    f"refusing {operation} on {value!r}: its name does not start with {self.run_prefix!r}, "
                    "so this run did not create it"
                )

    def _maybe_made(self, operation: str, params: dict[str, Any]) -> None:
        """A creation (not a start: those are replayed by :meth:`flush`) answered 5xx or lost on the way may have
        made its resource: the run-wide record keeps it, to be replayed or looked up by name at the end."""
        kind = self.classification.operations.get(operation)
        if kind is not None and kind.creates and not kind.starts_build:
            with self.created._lock:
                if (operation, params) not in self.created.unanswered:
                    self.created.unanswered.append((operation, dict(params)))

    def _note(self, operation: str, params: dict[str, Any], status: int, parsed: dict[str, Any]) -> None:
        """Keep the run-wide record of what exists, and check where new resources were made."""
        if status >= 300:
            return
        kind = self.classification[operation]
        if kind.creates:  # a replay that answered: what it made is known now
            with self.created._lock:
                self.created.unanswered = [u for u in self.created.unanswered if u != (operation, params)]
        for member, shape in kind.creates:
            arn = parsed.get(member)
            if isinstance(arn, str):
                self.created.add(arn, shape)
                self._check_place(operation, arn)
        if operation.startswith("Delete"):
            for member in kind.arn_members:
                if isinstance(params.get(member), str):
                    self.created.discard(params[member])

    def _check_place(self, operation: str, arn: str) -> None:
        parts = arn.split(":")
        region, account = (parts[3], parts[4]) if len(parts) > 5 else ("", "")
        wrong_region = self.region is not None and region != self.region
        if wrong_region or (self.account is not None and account != self.account):
            raise RunStopped(
                f"{operation} made {arn}, outside account {self.account} / region {self.region}: the run is not "
                "where it was told to be"
            )

    # -- starts and cancels ---------------------------------------------------------------------

    def _started(self, operation: str, parsed: dict[str, Any]) -> None:
        """Settle the budget held for a start that answered ``parsed``; note the builds it returned."""
        arns = [parsed[m] for m in self.classification[operation].build_members if isinstance(parsed.get(m), str)]
        built = False
        with self._lock:
            for arn in arns:
                if arn not in self.started:
                    self.started.append(arn)
                    self.pending[arn] = None
                    built = True
                elif arn not in self.pending and operation == "RetryImage":
                    # RetryImage runs a cancelled or failed build again in place (same ARN): it builds again,
                    # so it holds the budget and is cancelled again like a new start.
                    self.pending[arn] = None
                    built = True
        self.budget.settle(built)

    def _orphaned(self) -> None:
        """This thread's starts that never answered (a Ctrl-C mid-call): their outcome is unknown."""
        me = threading.get_ident()
        with self._lock:
            for key, (thread, operation, params) in list(self._inflight.items()):
                if thread == me:
                    del self._inflight[key]
                    self.unanswered.append((operation, params))

    def flush(self, client: ContractClient | None = None, keep: str | None = None) -> None:
        """Learn what unanswered starts did, then cancel every pending build (but ``keep``).

        :class:`RunStopped` when a start's outcome cannot be learnt or a
        build cannot be cancelled: the run must not go on.
        """
        token = calling.set(client) if client is not None else None
        try:
            self._orphaned()
            with self._lock:
                while self.unanswered:
                    operation, params = self.unanswered.pop(0)
                    self._replay(operation, params)  # if it never answers: kept in ``unknown``, budget held
                for arn in [a for a in self.pending if a != keep]:
                    try:
                        self._cancel(arn)
                    finally:  # cancelled, or reported as impossible once (the cleanup still tries later)
                        self.pending.pop(arn, None)
        finally:
            if token is not None:
                calling.reset(token)

    def _replay(self, operation: str, params: dict[str, Any]) -> None:
        """Replay a start with its token until it answers: the build it made (or makes now), or a refusal."""
        delay = 0.5
        for attempt in range(self.cancel_attempts):
            with self._acting() as client:
                try:
                    response = client.call(operation, params)
                except ClientError as error:
                    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                    if status != 429 and status < 500:
                        self.budget.settle(False)  # refused on its own: a replay would have answered the build
                        return
                except (BotoCoreError, OSError):
                    pass
                else:
                    self._started(operation, response)
                    return
            if attempt < self.cancel_attempts - 1:
                self.sleep(delay)
                delay = min(delay * 2, 8.0)
        self.unknown.append((operation, params))  # its budget stays held
        raise RunStopped(f"{operation} {params} may have started a build, and replaying it never answered")

    def _cancel(self, arn: str) -> None:
        delay = 0.5
        last: Exception | None = None
        for attempt in range(self.cancel_attempts):
            with self._acting() as client:
                try:
                    client.call("CancelImageCreation", {"imageBuildVersionArn": arn})
                    return
                except ClientError as error:
                    last = error
                    code = error.response["Error"]["Code"]
                    if code in _CANCEL_REFUSED and self._finished(client, arn):
                        return  # no longer in progress: nothing to cancel
                    if code not in _RETRY_CANCEL and code not in _CANCEL_REFUSED:
                        break
                except (BotoCoreError, OSError) as error:
                    last = error
            if attempt < self.cancel_attempts - 1:
                self.sleep(delay)
                delay = min(delay * 2, 8.0)
        raise RunStopped(f"could not cancel build {arn} ({last}); cancel it by hand")

    @staticmethod
    def _finished(client: ContractClient, arn: str) -> bool:
        """Whether the build has ended (a cancel refused as InvalidRequest is only taken as "done" if so)."""
        try:
            status = client.call("GetImage", {"imageBuildVersionArn": arn})["image"]["state"]["status"]
        except ClientError:
            return False
        return status in _TERMINAL

    def check_may_cancel(self, client: BaseClient, partition: str) -> None:
        """Stop the run unless the credentials may cancel builds, learnt without changing anything.

        A cancel of a well-formed build ARN of this run that does not exist
        answers ResourceNotFoundException when the caller may cancel, and
        AccessDenied (403) when not (ledger row ``cancel-probe``, assumed).
        """
        arn = f"arn:{partition}:imagebuilder:{self.region}:{self.account}:image/{self.run_prefix}probe/1.0.0/1"
        self._raw = self._raw or client
        with self._acting() as acting:
            try:
                acting.call("CancelImageCreation", {"imageBuildVersionArn": arn})
            except ClientError as error:
                status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                code = error.response["Error"]["Code"]
                if status == 403 or "AccessDenied" in code or "Unauthorized" in code:
                    raise RunStopped(
                        f"the credentials may not cancel builds (imagebuilder:CancelImageCreation: {code}); "
                        "every build the suite starts must be cancelled at once"
                    ) from None
                return
        raise RunStopped(f"a cancel of {arn}, which cannot exist, succeeded: refusing to trust this account")


class ResourceTracker:
    """What was created (from the model: which outputs are deletable, and by which operation); deletes it all.

    A call observer of one workspace, and the guard's run-wide record.
    """

    def __init__(self, classification: Classification | None = None) -> None:
        self.classification = classification or installed()
        self.resources: dict[str, str] = {}  # ARN -> its ARN shape, in the order made
        self.unanswered: list[tuple[str, dict[str, Any]]] = []  # creations whose answer never came
        self._lock = threading.Lock()

    def add(self, arn: str, shape: str) -> None:
        """Note a resource (``shape``: the model's ARN shape of it, e.g. ``ImagePipelineArn``)."""
        with self._lock:
            self.resources.setdefault(arn, shape)

    def discard(self, arn: str) -> None:
        """Forget a resource (deleted), and any creation of its name whose answer was lost (that was it)."""
        found = self.classification.named.match(arn)
        name = found.group("name").lower() if found else None
        version = arn[found.end() :].strip("/").split("/")[0] if found else ""

        def made_it(params: dict[str, Any], operation: str) -> bool:
            asked = params.get("semanticVersion")
            same_version = not version or not isinstance(asked, str) or asked == version
            return (
                name is not None and _name_of(self.classification, operation, params).lower() == name and same_version
            )

        with self._lock:
            self.resources.pop(arn, None)
            self.unanswered = [(op, params) for op, params in self.unanswered if not made_it(params, op)]

    def snapshot(self) -> list[tuple[str, str]]:
        """``(ARN, shape)`` of everything noted, in the order made."""
        with self._lock:
            return list(self.resources.items())

    def before(self, client: ContractClient, operation: str, params: dict[str, Any]) -> None:
        """Nothing to do before a call."""

    def after(
        self,
        client: ContractClient,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        error: BaseException | None,
    ) -> None:
        """Note a resource created or deleted (or perhaps created: the answer was lost)."""
        kind = self.classification.operations.get(operation)
        if kind is None:
            return
        if response is None:
            # A start is the guard's: it replays the token (without a new budget slot) and cancels what it built.
            if kind.creates and not kind.starts_build and _maybe_sent(error):
                with self._lock:
                    self.unanswered.append((operation, params))
            return
        for member, shape in kind.creates:
            if isinstance(response.get(member), str):
                self.add(response[member], shape)
        if operation.startswith("Delete"):
            for member in kind.arn_members:
                if isinstance(params.get(member), str):
                    self.discard(params[member])

    def _look_up(self, client: ContractClient, operation: str, params: dict[str, Any]) -> bool:
        """Note what ``operation`` made, found by the name it was given (its kind listed); whether found."""
        kind = self.classification[operation]
        name = params.get(kind.name_member) if kind.name_member else None
        if not isinstance(name, str):
            return False
        found = False
        shapes = {shape for _, shape in kind.creates}
        for listing in listings():
            if listing.shape not in shapes and (listing.builds is None or listing.shape not in shapes):
                continue
            owner = {"owner": "Self"} if listing.owner else {}
            for item in client.list_all(listing.operation, listing.key, **owner):
                if str(item.get("name", "")).lower() != name.lower():
                    continue
                if listing.builds is None:
                    self.add(item["arn"], listing.shape)
                else:
                    builds, member, key = listing.builds
                    for build in client.list_all(builds, key, **{member: item["arn"]}):
                        self.add(build["arn"], listing.shape)
                found = True
        return found

    def uncertain(self) -> list[str]:
        """The creations whose answer was lost and whose resource was not found (it may exist), by name."""
        with self._lock:
            return [_described(self.classification, operation, params) for operation, params in self.unanswered]

    def empty(self) -> bool:
        """Whether nothing is left to delete."""
        with self._lock:
            return not self.resources and not self.unanswered

    def cleanup(self, client: ContractClient, settle: Callable[[str], None]) -> list[str]:
        """Delete everything noted: builds first, then the rest newest first; the problems met (each deletion
        is still tried).

        Builds still in progress are cancelled first; ``settle(arn)`` waits
        until a cancelled build has stopped, so its image can be deleted.
        """
        problems: list[str] = []
        with self._lock:
            unanswered, self.unanswered = self.unanswered, []
        for operation, params in unanswered:
            # Replayed with its token, a creation answers what it made (or makes it now): then it is noted. If the
            # replay fails too, the name the run gave it finds it.
            try:
                client.call(operation, params)
            except _STOPS:
                raise
            except BaseException as error:  # a skip or an exit raised by a guard must not end the cleanup
                reason: BaseException = error
                try:
                    found = self._look_up(client, operation, params)
                except _STOPS:
                    raise
                except BaseException as failure:
                    found, reason = False, failure
                if not found:
                    with self._lock:
                        if (operation, params) not in self.unanswered:
                            self.unanswered.append((operation, params))  # reported as left behind
                    problems.append(f"{_described(self.classification, operation, params)} may exist: {reason}")
        for arn, shape in self.snapshot():
            if shape == "ImagePipelineArn":  # builds no call of the run started (a schedule's) go too
                try:
                    for image in client.list_all("ListImagePipelineImages", "imageSummaryList", imagePipelineArn=arn):
                        self.add(image["arn"], BUILD_VERSION_SHAPE)
                except _STOPS:
                    raise
                except BaseException as error:
                    problems.append(f"listing the builds of {arn}: {error}")
        noted = self.snapshot()
        builds = [arn for arn, shape in noted if shape == BUILD_VERSION_SHAPE]
        rest = [(arn, shape) for arn, shape in reversed(noted) if shape != BUILD_VERSION_SHAPE]
        for arn in builds:
            try:
                status = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]
                if status not in _TERMINAL:
                    _ignore(client.cancel_image_creation, _CANCEL_REFUSED, imageBuildVersionArn=arn)
                    settle(arn)
                _ignore(client.delete_image, {"ResourceNotFoundException"}, imageBuildVersionArn=arn)
                self.discard(arn)
            except ClientError as error:
                if error.response["Error"]["Code"] == "ResourceNotFoundException":
                    self.discard(arn)
                else:
                    problems.append(f"image {arn}: {error}")
            except _STOPS:
                raise
            except BaseException as error:
                problems.append(f"image {arn}: {error}")
        # Newest first deletes what references a resource before it, but not always: a recipe version made
        # after a pipeline whose wildcard recipe ARN now selects it is held until the pipeline goes. What is
        # held is tried again while a pass deletes something.
        while rest:
            held: list[tuple[str, str]] = []
            failures: list[str] = []
            for arn, shape in rest:
                operation, member = self.classification.deleters[shape]
                try:
                    _ignore(getattr(client, _method(operation)), {"ResourceNotFoundException"}, **{member: arn})
                    self.discard(arn)
                except _STOPS:
                    raise
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ResourceDependencyException":
                        problems.append(f"{shape} {arn}: {error}")
                        continue
                    held.append((arn, shape))
                    failures.append(f"{shape} {arn}: {error}")
                except BaseException as error:
                    problems.append(f"{shape} {arn}: {error}")
            if len(held) == len(rest):
                problems += failures
                break
            rest = held
        return problems


_STOPS = (KeyboardInterrupt, SystemExit)
"""What ends a cleanup: the user stopping it. Anything else (an error, pytest's skip or exit) is a problem noted."""


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a call's parameters: nested mappings, sequences and sets of any type too.

    :class:`UnsafeCall` for an iterator (serialised without parameter validation): reading it would empty it.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes | bytearray):  # sent as it is without parameter validation: checked as text
        yield bytes(value).decode("utf-8", "replace")
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Sequence | Set):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Iterator):
        raise UnsafeCall(
            f"refusing a call with a {type(value).__name__} among its parameters: the guard cannot read it"
        )


def _outward(where: Outward, value: Any, path: str = "") -> Iterator[str]:
    """The places outside Image Builder that ``value`` (a call's parameters, or a structure in them) names, as
    member paths; a value the guard cannot read where a structure belongs counts as one."""
    if not where:
        return
    if not isinstance(value, Mapping):
        yield path or "the call"
        return
    for member, inside in where.items():
        item = value.get(member)
        if item is None or (isinstance(item, Sequence | Mapping | Set) and not item):
            continue
        at = f"{path}.{member}" if path else member
        if inside is None:
            yield at
        elif isinstance(item, Sequence) and not isinstance(item, str | bytes):
            for index, element in enumerate(item):
                yield from _outward(inside, element, f"{at}[{index}]")
        else:
            yield from _outward(inside, item, at)


# Workflow step actions that act only on the build's own instance and image (AWS Image Builder user guide,
# wfdoc-step-actions.html): any other (ApplyImageConfigurations, ModifyImageAttributes, ExecuteStateMachine,
# DistributeImage, RunCommand, an action added later) may write outside Image Builder, so it is refused.
_QUIET_ACTIONS = frozenset(
    {
        "BootstrapInstanceForContainer",
        "CollectImageMetadata",
        "CollectImageScanFindings",
        "CreateImage",
        "ExecuteComponents",
        "LaunchInstance",
        "RunSysPrep",
        "SanitizeInstance",
        "TerminateInstance",
        "WaitForAction",
        "WaitForSSMAgent",
    }
)
# An account id, or an ARN of another service: where a workflow parameter could send a step's output.
_FOREIGN_PLACE = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])|arn:[^:\s]*:(?!imagebuilder:)[^:\s]*:")


def _check_workflow_document(operation: str, member: str, value: Any) -> None:
    """Refuse a workflow document with a step action not known to stay inside Image Builder (or one the guard
    cannot read: an S3 ``uri``, a document that is not a YAML or JSON mapping of steps)."""
    if value is None:
        return
    if member != "data" or not isinstance(value, str):
        raise UnsafeCall(f"refusing {operation}: the guard cannot read a workflow document given as {member}")
    try:
        document = read_yaml(value)  # the fake's reader: a document it cannot read is refused
    except ValueError:
        document = None
    steps = document.get("steps") if isinstance(document, dict) else None
    if not isinstance(steps, list):
        raise UnsafeCall(f"refusing {operation}: the guard cannot read the steps of its workflow document")
    actions = [step.get("action") if isinstance(step, dict) else step for step in steps]
    loud = [action for action in actions if action not in _QUIET_ACTIONS]
    if loud:
        raise UnsafeCall(
            f"refusing {operation}: its workflow runs step actions that may write outside Image Builder or that the "
            f"guard does not know ({loud!r}); a live run uses only {sorted(_QUIET_ACTIONS)}"
        )


def _check_workflow_parameters(operation: str, member: str, workflows: Any) -> None:
    """Refuse workflow parameter values that name an account or another service's ARN."""
    for value in _strings([w.get("parameters") for w in workflows] if isinstance(workflows, list) else workflows):
        if _FOREIGN_PLACE.search(value):
            raise UnsafeCall(
                f"refusing {operation}: a parameter of its {member} names an account or another service's resource "
                f"({value!r}), where a workflow step could write"
            )


def _maybe_sent(error: BaseException | None) -> bool:
    """Whether a call that raised ``error`` may have reached the service and acted: its answer was lost, or it
    was a 5xx (the service may have committed the change before failing), or an earlier attempt's was."""
    if isinstance(error, ClientError):
        return _maybe_acted(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0), error.response)
    return not isinstance(error, ParamValidationError | UnsafeCall | pytest.skip.Exception)


def _maybe_acted(status: int, response: Mapping[str, Any]) -> bool:
    """Whether a call answered ``status`` (after botocore's retries) may have acted all the same."""
    return status >= 500 or bool(response.get("ResponseMetadata", {}).get("RetryAttempts", 0))


def _name_of(classification: Classification, operation: str, params: Mapping[str, Any]) -> str:
    """The name a creation gave what it makes ("" if none)."""
    kind = classification.operations.get(operation)
    name = params.get(kind.name_member) if kind is not None and kind.name_member else None
    return name if isinstance(name, str) else ""


def _described(classification: Classification, operation: str, params: Mapping[str, Any]) -> str:
    """A creation, with the name it gave (the sweep finds it by that name and the run's tag)."""
    name = _name_of(classification, operation, params)
    return f"{operation} {name!r}" if name else f"{operation} {dict(params)}"


def _method(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _ignore(call: Callable[..., Any], codes: Collection[str], **params: Any) -> None:
    """Make the call; an error in ``codes`` (the resource is already gone, or done) is not a problem."""
    try:
        call(**params)
    except ClientError as error:
        if error.response["Error"]["Code"] not in codes:
            raise
