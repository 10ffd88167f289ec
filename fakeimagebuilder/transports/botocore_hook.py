"""In-process transport: botocore's own HTTP send, swapped for the fake while one is active.

``Endpoint._send`` is the last step before the network: the request is
already serialized and signed, and what it returns still goes through
botocore's real parser, modeled-error mapping and retry handler. Patching the
class (not one client's event hooks) reaches every Image Builder client in
the process, including clients created before the fake was entered.

Only requests for an AWS host are taken; a client given a custom
``endpoint_url`` (a server of ours, LocalStack) keeps going where it was sent.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint

from ..wire import HttpRequest, HttpResponse

__all__ = ["activate", "deactivate", "is_aws_host"]

Handler = Callable[[HttpRequest], HttpResponse]

_AWS_SUFFIXES = (
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".api.aws",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
)

_lock = threading.Lock()
_active: list[Handler] = []
_original_send: Callable[[Endpoint, AWSPreparedRequest], Any] | None = None


class _Body(io.BytesIO):
    """The raw body botocore reads a response from."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def is_aws_host(url: str) -> bool:
    """Whether ``url`` points at an AWS endpoint (rather than a custom ``endpoint_url``)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    return host.endswith(_AWS_SUFFIXES)


def _send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
    try:
        handler: Handler | None = _active[-1]
    except IndexError:  # deactivated by another thread meanwhile
        handler = None
    if handler is None or getattr(endpoint, "_endpoint_prefix", None) != "imagebuilder" or not is_aws_host(request.url):
        assert _original_send is not None
        return _original_send(endpoint, request)
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    answer = handler(HttpRequest.from_url(request.method, request.url, request.headers, body))
    return AWSResponse(request.url, answer.status, answer.headers, _Body(answer.body))


def activate(handler: Handler) -> None:
    """Route Image Builder requests to ``handler`` until :func:`deactivate`; the newest handler wins."""
    global _original_send
    with _lock:
        # Checked against the class itself, not our list: something else (a test's
        # monkeypatch, another library) may have put its own _send back meanwhile.
        if Endpoint._send is not _send:
            _original_send = Endpoint._send
            Endpoint._send = _send  # type: ignore[method-assign]
        _active.append(handler)


def deactivate(handler: Handler) -> None:
    """Stop routing to ``handler``; botocore is restored when no handler is left."""
    global _original_send
    with _lock:
        if handler in _active:
            # Remove the newest registration of this handler.
            del _active[len(_active) - 1 - _active[::-1].index(handler)]
        if not _active and _original_send is not None:
            if Endpoint._send is _send:
                Endpoint._send = _original_send  # type: ignore[method-assign]
            _original_send = None
