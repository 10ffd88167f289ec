"""``responses`` transport: ``requests`` calls to Image Builder's AWS URLs answered by the fake.

For callers that speak to Image Builder with ``requests`` (e.g. signing with
requests-aws4auth) rather than botocore. Only URLs of Image Builder's AWS
endpoints (``https://imagebuilder.<region>.amazonaws.com/...`` and the other
AWS partitions' hosts) are taken. Unlike moto, every other URL is left to
whatever ``requests`` would otherwise do: the real network, or a
``responses`` mock of the caller's own, whose registered responses and
passthroughs keep working.

The request is answered as the HTTP server answers it: a body is read
whatever form ``requests`` was given it in (bytes, text, a file, an iterable
of chunks: streamed with chunked encoding over HTTP), and HEAD gets the
status and headers with no body.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..extras import missing_extra
from ..hosts import is_aws_host
from ..wire import HttpRequest, HttpResponse

try:
    import responses
    from requests import PreparedRequest
    from requests.adapters import HTTPAdapter
except ModuleNotFoundError as missing:
    raise missing_extra(missing, "responses", "fake.mock_requests()") from None

__all__ = ["METHODS", "URL", "mocked", "register"]

URL = re.compile(r"https?://imagebuilder[.-]")
"""Where the fake's callbacks are registered; :func:`is_aws_host` then narrows it to AWS hosts."""

METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS")

_EVERYTHING = re.compile(".*")

_registrations = itertools.count()


def _aws_host(request: PreparedRequest) -> tuple[bool, str]:
    matched = is_aws_host(str(request.url))
    return matched, "" if matched else f"{request.url} is not an AWS Image Builder endpoint"


class _Unreadable(Exception):
    """A request body no HTTP client could send: answered 400, as the server answers a body it cannot read."""


def _chunk(part: Any) -> bytes:
    # Text goes as UTF-8, as urllib3 sends it.
    if isinstance(part, str):
        return part.encode("utf-8")
    if isinstance(part, (bytes, bytearray, memoryview)):
        return bytes(part)
    raise _Unreadable(f"a part of type {type(part).__name__} is neither bytes nor text")


def _body_bytes(body: Any) -> bytes:
    """The bytes ``requests`` sends for a prepared body: none, bytes or text, a file (binary or text), or an
    iterable of bytes or text chunks (a generator: sent with chunked encoding)."""
    if body is None:
        return b""
    if hasattr(body, "read"):
        return _chunk(body.read())
    if isinstance(body, (str, bytes, bytearray, memoryview)):
        return _chunk(body)
    if isinstance(body, Iterable):
        return b"".join(_chunk(part) for part in body)
    raise _Unreadable(f"a body of type {type(body).__name__} is neither bytes, text, a file nor an iterable")


def _unreadable(problem: _Unreadable) -> HttpResponse:
    """The wire layer's error shape, for a body that never reached it."""
    return HttpResponse(
        400,
        {
            "Content-Type": "application/json",
            "x-amzn-RequestId": str(uuid.uuid4()),
            "x-amzn-ErrorType": "SerializationException",
        },
        json.dumps({"message": f"The request body cannot be read: {problem}."}).encode("utf-8"),
    )


def _callback(handle: Callable[[HttpRequest], HttpResponse]) -> Callable[[PreparedRequest], Any]:
    def answer(request: PreparedRequest) -> tuple[int, Mapping[str, str], bytes]:
        method = str(request.method).upper()
        try:
            body = _body_bytes(request.body)
        except _Unreadable as problem:
            response = _unreadable(problem)
        else:
            response = handle(HttpRequest.from_url(method, str(request.url), request.headers, body))
        if method == "HEAD":
            # The headers a GET would get, its length included, and no body (RFC 9110 section 9.3.2): urllib3
            # refuses a HEAD response that has one.
            return response.status, {**response.headers, "Content-Length": str(len(response.body))}, b""
        return response.status, response.headers, response.body

    return answer


def register(handle: Callable[[HttpRequest], HttpResponse], mock: responses.RequestsMock) -> list[Any]:
    """Add callbacks for Image Builder URLs to ``mock``; returns the registrations."""
    callback = _callback(handle)
    # responses finds what to remove by method and pattern text, so someone else's registration for URL (or a
    # nested fake's) would go with ours: a regex comment makes the text ours alone, matching the same URLs.
    url = re.compile(f"{URL.pattern}(?#fakeimagebuilder {next(_registrations)})")
    return [mock.add_callback(method, url, callback, content_type=None, match=[_aws_host]) for method in METHODS]


@contextmanager
def mocked(
    handle: Callable[[HttpRequest], HttpResponse], mock: responses.RequestsMock | None = None
) -> Iterator[responses.RequestsMock]:
    """Within the block, ``requests`` calls to Image Builder URLs reach ``handle``.

    With ``mock``, the callbacks are added to it (it must be started by its
    owner) and removed afterwards. Without, a mock of ours is started whose
    passthrough goes to the ``requests`` send in place when the block began,
    so an outer ``responses`` mock still sees every other URL. Mocks stack
    like context managers: leave them in the reverse order of entering.
    """
    if mock is not None:
        added = register(handle, mock)
        try:
            yield mock
        finally:
            # Through responses' API, which every registry implements: moto's builds ``registered`` afresh on
            # each read, so rewriting that list removed nothing.
            for registration in added:
                _unregister(mock, registration)
        return
    own = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=HTTPAdapter.send)
    own.add_passthru(_EVERYTHING)  # consulted only when no callback matched
    register(handle, own)
    with own:
        yield own


def _unregister(mock: responses.RequestsMock, registration: Any) -> None:
    """Take ``registration`` out of ``mock``'s registry."""
    by_method = getattr(mock.get_registry(), "_registered", None)
    if isinstance(by_method, dict):
        # moto's registry keeps responses per method; before moto 5.0.x's fix its ``registered`` is a fresh copy
        # on every read, so responses' own remove (``while r in registered: registered.remove(r)``) never ends.
        for items in by_method.values():
            while registration in items:
                items.remove(registration)
        return
    mock.remove(registration)
