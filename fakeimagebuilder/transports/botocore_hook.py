"""In-process transport: botocore's own HTTP send, swapped for the fake while one is active.

``Endpoint._send`` is the last step before the network: the request is
already serialized and signed, and what it returns still goes through
botocore's real parser, modeled-error mapping and retry handler. Patching the
class (not one client's event hooks) reaches every Image Builder client in
the process, including clients created before the fake was entered.

Only requests for an AWS host are taken; a client given a custom
``endpoint_url`` (a server of ours, LocalStack) keeps going where it was sent.
A *guard* (the pytest plugin's) goes further: while one is up, an Image
Builder request that no fake takes and that would leave the machine is
refused. One patch serves fakes and guards alike, so they nest in any order.

botocore asks its ``before-send`` handlers before ``Endpoint._send``; moto's
``mock_aws`` answers there. While this transport is installed and moto is
loaded, :mod:`.moto_stubber` has moto's handler answer the requests this
transport takes (:func:`_take`) from the fake, or refuse them for the guard,
in the same step that decides it: Image Builder reaches the fake, every other
service reaches moto, in any nesting order, and a fake left while a request
is in flight cannot send it past moto to the network. Without moto nothing of that
is imported, and ``_send`` does no more work than without it.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint

from ..hosts import is_aws_host, is_loopback
from ..wire import HttpRequest, HttpResponse

__all__ = ["activate", "deactivate", "guard", "is_aws_host"]

Handler = Callable[[HttpRequest], HttpResponse]
Refusal = Callable[[str], BaseException]

_lock = threading.Lock()
_active: list[Handler] = []
_guards: list[Refusal] = []
_original_send: Callable[[Endpoint, AWSPreparedRequest], Any] | None = None

_MOTO_STUBBER = "moto.core.botocore_stubber"
_MOTO_STEP_ASIDE = f"{__package__}.moto_stubber"


class _Body(io.BytesIO):
    """The raw body botocore reads a response from."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def _send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
    if getattr(endpoint, "_endpoint_prefix", None) == "imagebuilder":
        response = _take(request)
        if response is not None:
            return response
    send = _original_send
    if send is None:  # another thread uninstalled us after this call looked us up: botocore's own is back
        send = Endpoint._send
    return send(endpoint, request)


def _take(request: AWSPreparedRequest) -> AWSResponse | None:
    """The newest fake's answer to an Image Builder request for an AWS host, or None if no fake takes it.

    Raises the newest guard's refusal instead of None if the request would leave the machine. The fake and
    guard lists are read once: whoever calls this gets one consistent decision, whatever other threads enter
    or leave meanwhile.
    """
    try:
        handler: Handler | None = _active[-1]
    except IndexError:  # none, or deactivated by another thread meanwhile
        handler = None
    url = request.url
    if handler is not None and is_aws_host(url):
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        answer = handler(HttpRequest.from_url(request.method, url, request.headers, body))
        return AWSResponse(url, answer.status, answer.headers, _Body(answer.body))
    refuse = _guards[-1] if _guards else None
    if refuse is not None and not is_loopback(urlsplit(url).hostname or ""):
        raise refuse(url)
    return None


def _moto_steps_aside() -> None:
    """If moto is loaded, have its ``before-send`` stubber answer :func:`_take`'s requests as we would."""
    if _MOTO_STUBBER in sys.modules:
        from . import moto_stubber

        moto_stubber.step_aside(_take)


def _moto_imported_meanwhile(**kwargs: Any) -> None:
    """On each new Image Builder client: moto may have been imported since we were installed."""
    with _lock:
        if _original_send is not None:
            _moto_steps_aside()


# moto imported after we were installed adds its stubber only to sessions made after that, whose clients this
# handler (on the sessions made while we are installed) sees being created: the first chance to step it aside.
_LATE_MOTO = ("creating-client-class.imagebuilder", _moto_imported_meanwhile)


def _install() -> None:
    global _original_send
    # Checked against the class itself, not our lists: something else (a test's
    # monkeypatch, another library) may have put its own _send back meanwhile.
    if Endpoint._send is not _send:
        _original_send = Endpoint._send
        Endpoint._send = _send  # type: ignore[method-assign]
        if _MOTO_STUBBER not in sys.modules:
            botocore_handlers.BUILTIN_HANDLERS.append(_LATE_MOTO)
    _moto_steps_aside()


def _uninstall_if_idle() -> None:
    global _original_send
    if not _active and not _guards and _original_send is not None:
        if Endpoint._send is _send:
            Endpoint._send = _original_send  # type: ignore[method-assign]
        _original_send = None
        # Only ours, in place: whatever was added after it (moto's stubber) stays where it is.
        while _LATE_MOTO in botocore_handlers.BUILTIN_HANDLERS:
            botocore_handlers.BUILTIN_HANDLERS.remove(_LATE_MOTO)
        step_aside = sys.modules.get(_MOTO_STEP_ASIDE)
        if step_aside is not None:
            step_aside.restore()


def activate(handler: Handler) -> None:
    """Route Image Builder requests to ``handler`` until :func:`deactivate`; the newest handler wins."""
    with _lock:
        _install()
        _active.append(handler)


def deactivate(handler: Handler) -> None:
    """Stop routing to ``handler``; botocore is restored when no handler or guard is left."""
    with _lock:
        if handler in _active:
            # Remove the newest registration of this handler.
            del _active[len(_active) - 1 - _active[::-1].index(handler)]
        _uninstall_if_idle()


@contextmanager
def guard(refusal: Refusal) -> Iterator[None]:
    """Refuse, with ``refusal(url)``, every Image Builder request no fake takes that would leave the machine."""
    with _lock:
        _install()
        _guards.append(refusal)
    try:
        yield
    finally:
        with _lock:
            _guards.remove(refusal)
            _uninstall_if_idle()
