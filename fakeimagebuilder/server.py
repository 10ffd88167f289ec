"""The fake as an HTTP server: a WSGI application, served by a threaded HTTP/1.1 server.

For clients outside this process (the AWS CLI, Terraform, other SDKs, several
pytest-xdist workers sharing one fake). :func:`make_app` is a plain WSGI
application: Image Builder requests go through the same
:meth:`FakeImageBuilder.handle` as every other transport, and JSON control
routes under ``/_fake/`` move the clock, inject faults, set and read the
fake's knobs (through the same methods as in Python, so a state file keeps
them), reset and dump state.

:func:`serve_in_thread` serves it with the standard library's
``ThreadingHTTPServer`` and a small HTTP/1.1 handler of our own (keep-alive,
one write per response, Nagle off, a bounded body, JSON errors for malformed
HTTP, the request head read by :mod:`.request_head`). The standard library
keeps the fake free of a server dependency, and the wire work per call is
small enough that the HTTP layer sets the pace: see
``python -m benchmarks --only server``.
"""

from __future__ import annotations

import contextlib
import difflib
import hmac
import json
import logging
import math
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import IO, Any, NoReturn
from urllib.parse import parse_qsl
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from .fake import FakeImageBuilder, check_knobs
from .hosts import is_loopback
from .request_head import MAX_LINE, HeadError, check_host, read_fields, read_request_line
from .service import BuildPlan
from .service.errors import ImageBuilderError
from .signatures import PRESIGN_PARAMETERS, SignatureVerifier
from .transports.wsgi import BodyTooLarge, read_request, reason_phrase, split_target, write_response
from .wire import HttpRequest, HttpResponse

__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_SPEED",
    "MAX_BODY",
    "RunningServer",
    "is_loopback",
    "make_app",
    "serve",
    "serve_in_thread",
]

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
"""Largest request body accepted (1 MiB); a larger one answers 413."""

DEFAULT_SPEED = 20.0
"""Virtual seconds per real second in ``serve``: a default build (about 21 virtual minutes) takes about a minute."""

CONTROL_PREFIX = "/_fake/"

_MAX_FAULTS = 100_000
# Dates must stay printable: the clock may not be moved past the year 9999.


def _too_large(limit: int) -> HttpResponse:
    return _error(
        413, f"The request body is larger than the {limit} bytes the fake accepts.", "RequestEntityTooLargeException"
    )


def _error_code(status: int) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", reason_phrase(status).title()) + "Exception"


def _json(status: int, document: Any, headers: Mapping[str, str] | None = None) -> HttpResponse:
    return HttpResponse(
        status,
        {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})},
        json.dumps(document, separators=(",", ":"), default=str).encode("utf-8"),
    )


def _error(
    status: int, message: str, code: str | None = None, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """An error in the wire layer's shape: status, ``x-amzn-ErrorType`` and ``{"message": ...}``."""
    return _json(status, {"message": message}, {"x-amzn-ErrorType": code or _error_code(status), **(headers or {})})


class _BadControl(Exception):
    """Control input that cannot be used: answered 400 with this message."""


def _control_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        document = json.loads(request.body.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise _BadControl("The request body is nested too deeply.") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _BadControl(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(document, dict):
        raise _BadControl("The request body must be a JSON object.")
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _members(
    body: dict[str, Any], route: str, usage: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> None:
    """Refuse a body without a ``required`` member, or with one ``route`` (as the message names it) does not
    take: ignored, a misspelt knob would leave the fake as it was while the caller believed it changed."""
    # Unknown first: a misspelt required member is best answered with the name it misspells.
    known = (*required, *optional)
    unknown = sorted(set(body) - set(known))
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        takes = ", ".join(repr(name) for name in known) if known else "no members"
        raise _BadControl(f"{route} takes {takes}, not {', '.join(repr(name) for name in unknown)}{hint}.")
    missing = [name for name in required if name not in body]
    if missing:
        raise _BadControl(f"Expected {usage}: {', '.join(repr(name) for name in missing)} is missing.")


def _said(exc: Exception) -> str:
    """The fake's refusal as the answer's message: one sentence."""
    text = str(exc)
    return text if text.endswith((".", "?", "!")) else f"{text}."


class _App:
    """The WSGI application: control routes, then (optionally) signature checks, then the fake."""

    def __init__(
        self, fake: FakeImageBuilder, max_body: int, verifier: SignatureVerifier | None, control_token: str | None
    ) -> None:
        self.fake = fake
        self.max_body = max_body
        self.verifier = verifier
        self.control_token = control_token
        # Each route by the name of the fake's method it calls (less "set_"), and what it does per method.
        self._routes: dict[str, dict[str, Callable[[dict[str, Any]], HttpResponse]]] = {
            "health": {"GET": lambda _: _json(200, {"status": "ok"})},
            "state": {"GET": self._state},
            "advance": {"POST": self._advance},
            "reset": {"POST": self._reset},
            "fail_next": {"POST": self._fail_next},
            "pending_faults": {"GET": self._pending_faults},
            "events": {"GET": self._events},
            "scan_findings": {"POST": self._scan_findings},
            "marketplace_components": {"POST": self._marketplace_components},
            "configure": {"GET": self._knobs, "POST": self._configure},
            "build_plan": {"GET": self._build_plan_of, "POST": self._build_plan},
            "rate_limit": {"POST": self._rate_limit},
            "deny": {"POST": self._deny},
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return write_response(self.respond(environ), start_response)

    def respond(self, environ: WSGIEnvironment) -> HttpResponse:
        """The answer to one WSGI request."""
        try:
            request = read_request(environ, self.max_body)
        except BodyTooLarge:
            return _too_large(self.max_body)
        return self.answer(request)

    def answer(self, request: HttpRequest) -> HttpResponse:
        """The answer to one request, as read (by :meth:`respond`, or by our own server directly)."""
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        if self.verifier is not None:
            rejection = self.verifier.check(request)
            if rejection is not None:
                return _error(rejection.status, rejection.message, rejection.code)
        return self.fake.handle(request)

    # -- control routes ---------------------------------------------------------------

    def _control(self, request: HttpRequest) -> HttpResponse:
        name = request.path[len(CONTROL_PREFIX) :]
        route = self._routes.get(name)
        if route is None:
            known = ", ".join(CONTROL_PREFIX + n for n in self._routes)
            return _error(404, f"No control route at {request.path}; the fake serves {known}.")
        action = route.get(request.method)
        if action is None:
            allowed = ", ".join(route)
            methods = " or ".join(route)
            return _error(405, f"{request.path} takes {methods}, not {request.method}.", headers={"Allow": allowed})
        if name != "health":  # liveness tells nothing and changes nothing: probes need no credential
            refused = self._control_refusal(request)
            if refused is not None:
                return refused
        try:
            # A GET's query parameters (?after=N) come in with the body's members; a member given both ways
            # must say the same in both, or which one counts would be a guess. A presigned request's signature
            # parameters were checked above and are no members.
            pairs = [
                (name, value)
                for name, value in parse_qsl(request.query, keep_blank_values=True)
                if name not in PRESIGN_PARAMETERS
            ]
            query = dict(pairs)
            for name, value in pairs:
                if query[name] != value:  # repeated: the same value each time is the same request, else a guess
                    raise _BadControl(
                        f"'{name}' is given more than once in the query string with different values "
                        f"({value!r} and {query[name]!r}); give it once."
                    )
            body = _control_body(request)
            for name in sorted(query.keys() & body.keys()):
                if json.dumps(body[name]) not in (query[name], json.dumps(query[name])):
                    raise _BadControl(
                        f"'{name}' is given in the query string ({query[name]!r}) and in the body "
                        f"({json.dumps(body[name])}) with different values; give it once."
                    )
            return action({**query, **body})
        except _BadControl as exc:
            return _error(400, str(exc), "InvalidControlRequestException")
        except ImageBuilderError as exc:  # a broken state file refuses changes: 503, as the API does
            return self.fake.wire.error(exc.code, exc.message)

    def _control_refusal(self, request: HttpRequest) -> HttpResponse | None:
        """Why a control request may not steer the fake: None when the server is open or the caller proved who it is.

        With signature checks on or a control token set, a control route
        needs ``Authorization: Bearer TOKEN`` with that token, or (signatures
        on) a valid SigV4 signature from a known credential, in the
        Authorization header or presigned in the query string.
        """
        if self.verifier is None and self.control_token is None:
            return None
        authorization = request.headers.get("authorization", "")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() == "bearer" and self.control_token is not None:
            if hmac.compare_digest(credential.strip().encode(), self.control_token.encode()):
                return None
            return _error(403, "The control token included in the request is invalid.", "UnrecognizedClientException")
        if self.verifier is not None and (authorization or "X-Amz-Algorithm" in request.query):  # signed or presigned
            rejection = self.verifier.check(request)
            if rejection is None:
                return None
            return _error(rejection.status, rejection.message, rejection.code)
        ways = ["a control token (Authorization: Bearer TOKEN)"] if self.control_token is not None else []
        if self.verifier is not None:
            ways.append("a SigV4 signature from a known credential")
        return _error(
            403,
            f"Missing Authentication Token: control routes need {' or '.join(ways)}.",
            "MissingAuthenticationTokenException",
        )

    def _state(self, body: dict[str, Any]) -> HttpResponse:
        _members(body, f"GET {CONTROL_PREFIX}state", "nothing: GET answers the state")
        return _json(200, self.fake.state())

    def _advance(self, body: dict[str, Any]) -> HttpResponse:
        usage = '{"seconds": N}, N a number of virtual seconds'
        _members(body, f"{CONTROL_PREFIX}advance", usage, required=("seconds",))
        given = body["seconds"]
        if isinstance(given, bool) or not isinstance(given, int | float):
            raise _BadControl(f"Expected {usage}.")
        try:
            seconds = float(given)
        except OverflowError:  # an integer too large for a float
            seconds = math.inf
        try:
            self.fake.advance(seconds)
        except ValueError as exc:  # negative, not finite, or past the year 9999
            raise _BadControl(f"{str(exc).capitalize()}.") from None
        return _json(200, {"now": self.fake.clock.now()})

    def _events(self, body: dict[str, Any]) -> HttpResponse:
        # The cursor comes as ?after=N, or as "after" in a JSON body: N, or "N" as the query string has it.
        unknown = sorted(set(body) - {"after"})
        if unknown:
            raise _BadControl(
                f"{CONTROL_PREFIX}events takes only 'after' (?after=N or {{\"after\": N}}), "
                f"not {', '.join(repr(name) for name in unknown)}."
            )
        after = body.get("after", "0")
        if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
            after = str(after)
        if not (isinstance(after, str) and after.isascii() and after.isdigit()):
            raise _BadControl(
                "'after' must be a cursor (an integer >= 0) from an earlier answer, in the query string "
                f"(?after=N) or the JSON body ({{\"after\": N}}), not {json.dumps(after)}."
            )
        # Longer than any cursor (and int() of a very long one raises past Python's digit limit): past the newest.
        cursor = int(after) if len(after) <= 20 else 10**20
        try:
            return _json(200, self.fake.events_page(cursor))
        except ValueError as exc:
            raise _BadControl(f"{exc}.") from None

    def _reset(self, body: dict[str, Any]) -> HttpResponse:
        _members(body, f"{CONTROL_PREFIX}reset", "no body: reset empties everything")
        self.fake.reset()
        return _json(200, {})

    def _scan_findings(self, body: dict[str, Any]) -> HttpResponse:
        """``{"findings": [...]}``: what later builds' scans find (``fake.set_scan_findings``)."""
        usage = '{"findings": [{"vulnerabilityId": "...", "severity": "..."}, ...]}'
        _members(body, f"{CONTROL_PREFIX}scan_findings", usage, required=("findings",))
        try:
            self.fake.set_scan_findings(body["findings"])
        except ValueError as exc:
            raise _BadControl(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        return _json(200, {"findings": len(body["findings"])})

    def _marketplace_components(self, body: dict[str, Any]) -> HttpResponse:
        """``{"components": {ARN: YAML}}``: the Marketplace components the caller is entitled to."""
        usage = '{"components": {"<component ARN>": "<YAML document>"}}'
        _members(body, f"{CONTROL_PREFIX}marketplace_components", usage, required=("components",))
        try:
            self.fake.set_marketplace_components(body["components"])
        except ValueError as exc:
            raise _BadControl(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        return _json(200, {"components": len(body["components"])})

    def _pending_faults(self, body: dict[str, Any]) -> HttpResponse:
        """``?operation=NAME``: how many injected faults still wait for it (``fake.pending_faults``)."""
        usage = "?operation=NAME, an Image Builder operation"
        _members(body, f"{CONTROL_PREFIX}pending_faults", usage, required=("operation",))
        operation = body["operation"]
        try:
            check_knobs(operation=operation)  # a misspelt name would otherwise read as "none pending"
        except ValueError as exc:
            raise _BadControl(_said(exc)) from None
        return _json(200, {"operation": operation, "pending": self.fake.pending_faults(operation)})

    def _knobs(self, body: dict[str, Any]) -> HttpResponse:
        """The knobs ``configure`` sets, as they are now (``fake.knobs()``)."""
        _members(body, f"GET {CONTROL_PREFIX}configure", "nothing: GET answers the knobs")
        return _json(200, self.fake.knobs())

    def _configure(self, body: dict[str, Any]) -> HttpResponse:
        """``{"knob": value, ...}``: ``fake.configure(...)``, ``build_plan`` an object of BuildPlan's fields."""
        names = tuple(self.fake.knobs())
        usage = '{"knob": value, ...} naming one or more knobs of ' + ", ".join(names)
        if not body:
            raise _BadControl(f"Expected {usage}.")
        _members(body, f"POST {CONTROL_PREFIX}configure", usage, optional=names)
        knobs = dict(body)
        try:
            if "build_plan" in knobs:
                knobs["build_plan"] = BuildPlan.from_fields(knobs["build_plan"], "build_plan")
            self.fake.configure(**knobs)
        except ValueError as exc:
            raise _BadControl(_said(exc)) from None
        return _json(200, self.fake.knobs())

    def _build_plan_of(self, body: dict[str, Any]) -> HttpResponse:
        """``?pipeline_arn=ARN``: the plan that pipeline's builds follow (its own, else the default); none: the
        default."""
        usage = "?pipeline_arn=ARN, or nothing for the default plan"
        _members(body, f"GET {CONTROL_PREFIX}build_plan", usage, optional=("pipeline_arn",))
        arn = body.get("pipeline_arn")
        if arn is not None and not isinstance(arn, str):
            raise _BadControl(f"'pipeline_arn' must be an image pipeline's ARN or null, not {json.dumps(arn)}.")
        settings = self.fake.settings
        plan = settings.build_plan if arn is None else settings.plan_for(arn)
        return _json(200, {"plan": plan.fields(), "pipeline_arn": arn})

    def _build_plan(self, body: dict[str, Any]) -> HttpResponse:
        """``{"plan": {BuildPlan's fields}, "pipeline_arn": ARN or null}``: ``fake.set_build_plan``."""
        usage = '{"plan": {"outcome": "FAILED", ...}, "pipeline_arn": "<image pipeline ARN>" or null}'
        _members(body, f"POST {CONTROL_PREFIX}build_plan", usage, required=("plan",), optional=("pipeline_arn",))
        arn = body.get("pipeline_arn")
        if arn is not None and not isinstance(arn, str):
            raise _BadControl(f"'pipeline_arn' must be an image pipeline's ARN or null, not {json.dumps(arn)}.")
        try:
            plan = BuildPlan.from_fields(body["plan"], "plan")
            self.fake.set_build_plan(plan, arn)
        except ValueError as exc:
            raise _BadControl(_said(exc)) from None
        return _json(200, {"plan": plan.fields(), "pipeline_arn": arn})

    def _rate_limit(self, body: dict[str, Any]) -> HttpResponse:
        """``{"operation", "rate", "burst": null}``: ``fake.set_rate_limit``."""
        usage = '{"operation": "...", "rate": calls per virtual second, "burst": N or null}'
        _members(body, f"{CONTROL_PREFIX}rate_limit", usage, required=("operation", "rate"), optional=("burst",))
        operation, rate, burst = body["operation"], body["rate"], body.get("burst")
        try:
            self.fake.set_rate_limit(operation, rate, burst)
        except ValueError as exc:
            raise _BadControl(_said(exc)) from None
        return _json(200, {"operation": operation, "rate": rate, "burst": burst})

    def _deny(self, body: dict[str, Any]) -> HttpResponse:
        """``{"operation": null, "account_id": null}``: ``fake.deny`` (null: every operation, every account)."""
        usage = '{"operation": "..." or null for all, "account_id": "<12 digits>" or null for all}'
        _members(body, f"{CONTROL_PREFIX}deny", usage, optional=("operation", "account_id"))
        operation, account_id = body.get("operation"), body.get("account_id")
        try:
            self.fake.deny(operation, account_id)
        except ValueError as exc:
            raise _BadControl(_said(exc)) from None
        return _json(200, {"operation": operation, "account_id": account_id})

    def _fail_next(self, body: dict[str, Any]) -> HttpResponse:
        usage = '{"operation": "...", "code": "...", "times": N, "message": "..."}'
        _members(
            body, f"{CONTROL_PREFIX}fail_next", usage, required=("operation", "code"), optional=("times", "message")
        )
        operation, code = body["operation"], body["code"]
        times, message = body.get("times", 1), body.get("message")
        if not isinstance(operation, str) or not isinstance(code, str):
            raise _BadControl(f"Expected {usage}.")
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= _MAX_FAULTS:
            raise _BadControl(f"'times' must be an integer from 1 to {_MAX_FAULTS}.")
        if message is not None and not isinstance(message, str):
            raise _BadControl("'message' must be a string.")
        try:
            self.fake.fail_next(operation, code, times, message)
        except ValueError as exc:
            raise _BadControl(str(exc)) from None
        return _json(200, {"operation": operation, "code": code, "pending": self.fake.pending_faults(operation)})


def make_app(
    fake: FakeImageBuilder,
    *,
    max_body: int = MAX_BODY,
    secrets: Mapping[str, str] | None = None,
    control_token: str | None = None,
) -> WSGIApplication:
    """The WSGI application serving ``fake``: Image Builder's API plus the ``/_fake/`` control routes.

    ``secrets`` (access key -> secret key) turns on SigV4 verification of
    Image Builder requests and of control requests (except
    ``/_fake/health``), which may instead carry ``control_token`` as
    ``Authorization: Bearer TOKEN`` (a token alone guards the control routes
    too). Bodies over ``max_body`` bytes answer 413.
    """
    return _app(fake, max_body, secrets, control_token)


def _app(fake: FakeImageBuilder, max_body: int, secrets: Mapping[str, str] | None, control_token: str | None) -> _App:
    return _App(fake, max_body, SignatureVerifier(secrets) if secrets is not None else None, control_token)


# -- the HTTP/1.1 server ------------------------------------------------------------------

_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
# After an error answer on a connection with unread input: how long, and how much, to read and drop.
_LINGER_SECONDS = 2.0
_LINGER_BYTES = 4 * MAX_BODY


class _Refused(Exception):
    """The request was answered with an error already; stop handling it."""


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, handing each request to the WSGI app; JSON errors, never a 5xx, for bad HTTP."""

    protocol_version = "HTTP/1.1"
    server_version = "fakeimagebuilder"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 300.0  # an idle keep-alive connection is closed after this
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self._linger = False
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
            if self._linger:
                self._drain()
        finally:
            self.server.untrack(self.connection)

    def _drain(self) -> None:
        # Closing with unread input makes the kernel send a reset, which can destroy the error answer
        # before the client reads it: stop sending, then read and drop what the client still sends, briefly.
        deadline = time.monotonic() + _LINGER_SECONDS
        received = 0
        try:
            self.connection.shutdown(socket.SHUT_WR)
            while received < _LINGER_BYTES and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                received += len(chunk)
        except OSError:
            pass

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
            if self.raw_requestline in (b"\r\n", b"\n"):
                # RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request line
                # (some clients send a CRLF after a body).
                self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
            if len(self.raw_requestline) > MAX_LINE:
                self.command, self.request_version = "", "HTTP/1.1"
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._serve()
        except _Refused:
            return
        except TimeoutError:
            self.close_connection = True

    def parse_request(self) -> bool:
        """Read the request line and header fields (``request_head``: the standard library's email parser cost
        a third of a small call); what the standard library's does with them, it does: keep-alive from the
        version and ``Connection``, ``Expect: 100-continue``, a target's leading ``//`` made one ``/``."""
        self.command = None  # type: ignore[assignment]  # as the standard library leaves it on a bad line
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        try:
            line = read_request_line(self.raw_requestline)
            if line is None:
                return False
            self.request_version = line.version_text
            self.command, self.path = line.method, line.target
            if self.path.startswith("//"):  # never an authority for us (gh-87389 in the standard library)
                self.path = "/" + self.path.lstrip("/")
            fields = read_fields(self.rfile)
            check_host(fields, line.version)
            self.headers = fields  # type: ignore[assignment]
        except HeadError as error:
            self.request_version = "HTTP/1.1"
            self.send_error(error.status, error.message)
            return False
        options = {
            option.strip().lower() for field in self.headers.get_all("Connection") or () for option in field.split(",")
        }
        self.close_connection = "close" in options or (line.version < (1, 1) and "keep-alive" not in options)
        if line.version >= (1, 1) and (self.headers.get("Expect") or "").lower() == "100-continue":
            return self.handle_expect_100()
        return True

    def handle_expect_100(self) -> bool:
        # Refuse an oversized body before the client sends it.
        length = _length(self.headers.get("Content-Length", ""))
        if length is not None and length > self.server.max_body:
            self.close_connection = self._linger = True
            self._send(_too_large(self.server.max_body))
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request that cannot be parsed (called by ``parse_request`` too): JSON, 4xx, then close."""
        # The standard library answers 505 to HTTP/2.0 request lines: still the client's fault, so 400.
        status = code if code < 500 else HTTPStatus.BAD_REQUEST
        self.close_connection = True
        self._linger = True
        self._send(_error(status, message or reason_phrase(code)))

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _refuse(self, status: int, message: str) -> NoReturn:
        self.send_error(status, message)
        raise _Refused

    def _refuse_too_large(self, limit: int) -> None:
        self.close_connection = self._linger = True  # the unread body cannot be skipped safely
        self._send(_too_large(limit))
        raise _Refused

    def _read_body(self) -> bytes:
        limit = self.server.max_body
        lengths = self.headers.get_all("Content-Length") or []
        encodings = self.headers.get_all("Transfer-Encoding")
        if encodings is not None:
            # Two fields are one list of codings (RFC 9110 section 5.3): "chunked" then "gzip" is "chunked, gzip".
            encoding = ", ".join(encodings)
            if lengths:
                self._refuse(400, "A request may not have both Content-Length and Transfer-Encoding.")
            if encoding.strip().lower() != "chunked":
                self._refuse(400, f"Transfer-Encoding {encoding!r} is not supported; use chunked or Content-Length.")
            return self._read_chunked(limit)
        if not lengths:
            return b""
        length = _length(lengths[0])
        if len(set(lengths)) != 1 or length is None:
            self._refuse(400, f"Invalid Content-Length {', '.join(lengths)!r}.")
        if length > limit:
            self._refuse_too_large(limit)
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away mid-body
            self.close_connection = True
            raise _Refused
        return body

    def _read_chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1026)
            size_text = line.split(b";", 1)[0].strip()
            if not line.endswith(b"\n") or not _CHUNK_SIZE.fullmatch(size_text):
                self._refuse(400, "Malformed chunked body.")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > limit:
                self._refuse_too_large(limit)
            data = self.rfile.read(size)
            if len(data) < size or self.rfile.read(2) != b"\r\n":
                self._refuse(400, "Malformed chunked body.")
            parts.append(data)
        for _ in range(100):  # trailer fields, up to the blank line
            line = self.rfile.readline(MAX_LINE + 1)
            if line in (b"\r\n", b"\n"):
                return b"".join(parts)
            if not line.endswith(b"\n"):
                break
        self._refuse(400, "Malformed chunked body trailer.")

    def _serve(self) -> None:
        # The request goes to the application as read, not through a WSGI environ and back (as a WSGI server
        # must hand it over): that round trip cost a tenth of a small call, and lost '_' in header names.
        body = self._read_body()
        try:
            path, query = split_target(self.path)
        except ValueError as error:  # an absolute-form target whose authority urlsplit cannot read
            self._refuse(400, f"Bad request target ({self.path[:200]!r}): {error}.")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        headers["content-length"] = str(len(body))
        try:
            response = self.server.app.answer(HttpRequest(self.command.upper(), path, query, headers, body))
        except Exception:
            log.exception("fakeimagebuilder server failed on %s %s", self.command, self.path)
            response = _error(500, "The fake failed unexpectedly; see its log.", "ServiceException")
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        self._write(
            f"{response.status} {reason_phrase(response.status)}", list(response.headers.items()), response.body
        )

    def _write(self, status_line: str, headers: list[tuple[str, str]], body: bytes) -> None:
        lines = [f"HTTP/1.1 {status_line}"]
        lines.extend(f"{name}: {value}" for name, value in headers if name.lower() != "content-length")
        lines.append(f"Content-Length: {len(body)}")
        lines.append(f"Date: {_http_date()}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # One write per response: with Nagle off, a split write would cost the client a round trip.
        self.wfile.write(head if self.command == "HEAD" else head + body)


def _length(text: str) -> int | None:
    """A Content-Length value's number, None unless it is one; beyond 18 digits, more than any body's limit (and
    ``int()`` of thousands of digits raises ValueError)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else 10**18


_date_memo = (-1, "")


def _http_date() -> str:
    """The Date header's text for now, made once a second (``formatdate`` cost a tenth of a small call)."""
    global _date_memo
    second = int(time.time())
    memo = _date_memo
    if memo[0] != second:
        memo = _date_memo = (second, formatdate(second, usegmt=True))  # one tuple: other threads see it whole
    return memo[1]


class _HttpServer(ThreadingHTTPServer):
    """A thread per connection; remembers open connections so :meth:`close_connections` can end keep-alives."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: _App, max_body: int, verbose: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self.max_body = max_body
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, a DNS round trip we do not need.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away
        super().handle_error(request, client_address)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class RunningServer:
    """A server answering in a background thread: ``url`` (also its ``str()``), ``fake`` behind it, :meth:`stop`."""

    def __init__(self, server: _HttpServer, thread: threading.Thread, fake: FakeImageBuilder, url: str) -> None:
        self._server = server
        self._thread = thread
        self.fake = fake
        self.url = url
        self._stopped = False

    def replace_fake(self, fake: FakeImageBuilder) -> None:
        """Answer every later request from ``fake`` instead (the ``imagebuilder_server`` fixture's fresh fake per test).

        A request already being answered finishes on the fake it started on.
        """
        app = self._server.app
        app.fake = fake
        self.fake = fake

    def stop(self) -> None:
        """Stop accepting, close open connections, and wait for the server thread (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()

    def __repr__(self) -> str:
        return f"<RunningServer {self.url}{' (stopped)' if self._stopped else ''}>"

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __str__(self) -> str:
        """The URL, so the server itself can be given as an ``endpoint_url``."""
        return self.url


def serve_in_thread(
    fake: FakeImageBuilder | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    max_body: int = MAX_BODY,
    secrets: Mapping[str, str] | None = None,
    control_token: str | None = None,
    verbose: bool = False,
) -> RunningServer:
    """Serve ``fake`` (a new one if None: virtual clock, moved by ``/_fake/advance``) on ``host:port``.

    ``port=0`` picks a free port; the URL is in the result. See
    :func:`make_app` for ``max_body``, ``secrets`` and ``control_token``.
    """
    fake = fake if fake is not None else FakeImageBuilder()
    app = _app(fake, max_body, secrets, control_token)
    server = _HttpServer((host, port), app, max_body, verbose)
    bound_host, bound_port = server.server_address[:2]
    url = f"http://[{bound_host}]:{bound_port}" if ":" in bound_host else f"http://{bound_host}:{bound_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"fakeimagebuilder {url}", daemon=True
    )
    thread.start()
    return RunningServer(server, thread, fake, url)


class _Signalled(Exception):
    pass


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Signalled(signum)


def serve(
    fake: FakeImageBuilder,
    host: str,
    port: int,
    *,
    max_body: int = MAX_BODY,
    secrets: Mapping[str, str] | None = None,
    control_token: str | None = None,
    verbose: bool = False,
    out: IO[str] | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM (the ``serve`` command); prints ``listening on URL`` once started."""
    try:
        running = serve_in_thread(
            fake, host, port, max_body=max_body, secrets=secrets, control_token=control_token, verbose=verbose
        )
    except OSError as exc:
        print(f"fakeimagebuilder: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    if hasattr(signal, "SIGXFSZ"):
        # A state file past the file-size limit must fail the write (answered 503), not kill the server.
        previous[signal.SIGXFSZ] = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _on_signal)
        print(f"listening on {running.url}", file=out or sys.stdout, flush=True)
        while True:
            time.sleep(3600)
    except _Signalled:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        running.stop()
    return 0
