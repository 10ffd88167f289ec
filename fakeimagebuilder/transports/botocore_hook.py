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
is in flight cannot send it past moto to the network. moto loaded only while
this transport is installed is noticed as its stubber's module is imported
(:class:`_MotoWatch`), before any client can carry its handler. Without moto
nothing of that is imported, and ``_send`` does no more work than without it.

While installed, botocore sessions made meanwhile also share what every fresh
session works out the same way (:mod:`.fresh_sessions`): the fresh clients of
each test no longer read and decode the service model again.
"""

from __future__ import annotations

import importlib.abc
import io
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any
from urllib.parse import SplitResult, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint

from ..hosts import is_aws_host, is_aws_netloc, is_this_machine
from ..wire import HttpRequest, HttpResponse
from . import fresh_sessions

__all__ = ["activate", "active_handlers", "deactivate", "guard", "is_aws_host"]

Handler = Callable[[HttpRequest], HttpResponse]
Refusal = Callable[[str], BaseException]

_lock = threading.Lock()
_active: list[Handler] = []
_guards: list[Refusal] = []
_original_send: Callable[[Endpoint, AWSPreparedRequest], Any] | None = None
_moto_restore: Callable[[], None] | None = None

_MOTO_STUBBER = "moto.core.botocore_stubber"


class _Body(io.BytesIO):
    """The raw body botocore reads a response from."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


class _Headers(Mapping[str, str]):
    """A botocore request's headers as an :class:`HttpRequest` holds them (lower-case names, text values,
    ``host`` the URL's when botocore leaves it to the HTTP client), read through, not copied.

    botocore's mapping already ignores case; a copy of every header cost more than the two or three
    lookups the wire makes.
    """

    __slots__ = ("_headers", "_host")

    def __init__(self, headers: Mapping[str, str | bytes], host: str) -> None:
        self._headers = headers
        self._host = host

    def __getitem__(self, name: str) -> str:
        try:
            value = self._headers[name]
        except KeyError:
            if name != "host" or not self._host:
                raise
            return self._host
        return value if isinstance(value, str) else value.decode("latin-1")

    def get(self, name: str, default: Any = None) -> Any:  # Mapping's, without the exception on a miss
        value = self._headers.get(name)
        if value is None:
            return self._host or default if name == "host" else default
        return value if isinstance(value, str) else value.decode("latin-1")

    def __iter__(self) -> Iterator[str]:
        names = [name.lower() for name in self._headers]
        if "host" not in names and self._host:
            names.append("host")
        return iter(names)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _request(request: AWSPreparedRequest, parts: SplitResult) -> HttpRequest:
    """The request (whose URL splits into ``parts``) as the wire reads it."""
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = _Headers(request.headers, parts.netloc)
    return HttpRequest(request.method, parts.path or "/", parts.query, headers, body or b"")


def _send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
    if getattr(endpoint, "_endpoint_prefix", None) == "imagebuilder":
        response = _take(request)
        if response is not None:
            return response
    send = _original_send
    if send is None:  # another thread uninstalled us after this call looked us up: botocore's own is back
        send = Endpoint._send
    return send(endpoint, request)


def _take(request: AWSPreparedRequest, anywhere: bool = False) -> AWSResponse | None:
    """The newest fake's answer to an Image Builder request for an AWS host, or None if no fake takes it.

    ``anywhere``: whatever the host (a request moto sent to its own server in its server mode).

    Raises the newest guard's refusal instead of None if the request would leave the machine. The fake and
    guard lists are read once: whoever calls this gets one consistent decision, whatever other threads enter
    or leave meanwhile.
    """
    try:
        handler: Handler | None = _active[-1]
    except IndexError:  # none, or deactivated by another thread meanwhile
        handler = None
    url = request.url
    if handler is not None:
        parts = urlsplit(url)
        if anywhere or is_aws_netloc(parts.netloc):
            answer = handler(_request(request, parts))
            return AWSResponse(url, answer.status, answer.headers, _Body(answer.body))
    refuse = _guards[-1] if _guards else None
    if refuse is not None and not is_this_machine(urlsplit(url).hostname or ""):
        raise refuse(url)
    return None


def _moto_answers_with_us() -> None:
    """If moto's stubber is loaded, have it answer :func:`_take`'s requests as we would.

    The class is read from the module, never imported: under our lock, no import may be waited for (the
    import of moto's module, if another thread is in it, ends by taking our lock in :func:`_moto_loaded`).
    """
    global _moto_restore
    stubber_class = getattr(sys.modules.get(_MOTO_STUBBER), "BotocoreStubber", None)
    if stubber_class is not None:
        from . import moto_stubber

        moto_stubber.answer_with(stubber_class, _take)
        _moto_restore = moto_stubber.restore


def _moto_loaded() -> None:
    """moto's stubber module has just run (in the importing thread): no client can have met it yet."""
    with _lock:
        _unwatch()
        if _original_send is not None:
            _moto_answers_with_us()


class _Loaded(importlib.abc.Loader):
    """moto's own loader, then :func:`_moto_loaded`; the module keeps moto's loader, nothing of ours."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        module.__loader__ = self._loader
        self._loader.exec_module(module)
        _moto_loaded()


class _MotoWatch(importlib.abc.MetaPathFinder):
    """While we are installed and moto is not loaded: notices moto's stubber module being imported.

    moto imported after a fake was entered adds its stubber to sessions made after that, and ``patch_client``
    adds it to any older client; the class must answer with us before any of them sends. Finds nothing
    itself: the finders after it find moto's module, whose loader is wrapped to tell us once it has run.
    Costs a string comparison per module imported while it is up, nothing per request.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname != _MOTO_STUBBER:
            return None
        finders = sys.meta_path
        for finder in finders[finders.index(self) + 1 :] if self in finders else ():
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loaded(spec.loader)
                return spec
        return None


_WATCH = _MotoWatch()


def _watch() -> None:
    if _MOTO_STUBBER not in sys.modules and _WATCH not in sys.meta_path:
        # In place at the front: a thread iterating the list meanwhile at worst asks one finder twice.
        sys.meta_path.insert(0, _WATCH)


def _unwatch() -> None:
    if _WATCH in sys.meta_path:
        # A new list rather than in place: removing from the list another thread is iterating (importing
        # something) would make it skip the next finder.
        sys.meta_path = [finder for finder in sys.meta_path if finder is not _WATCH]


def _install() -> None:
    global _original_send
    # Checked against the class itself, not our lists: something else (a test's
    # monkeypatch, another library) may have put its own _send back meanwhile.
    if Endpoint._send is not _send:
        _original_send = Endpoint._send
        Endpoint._send = _send  # type: ignore[method-assign]
        _watch()
    fresh_sessions.install()
    _moto_answers_with_us()


def _uninstall_if_idle() -> None:
    global _original_send
    if not _active and not _guards and _original_send is not None:
        if Endpoint._send is _send:
            Endpoint._send = _original_send  # type: ignore[method-assign]
        _original_send = None
        _unwatch()
        fresh_sessions.uninstall()
        _restore_moto()


def _restore_moto() -> None:
    """Put moto's stubber back as it was, if we had it answer with us."""
    global _moto_restore
    # Kept from when we patched it, not looked up in sys.modules: a module dropped from there (pytester's
    # snapshots do that) would leave moto's class patched for good.
    if _moto_restore is not None:
        _moto_restore()
        _moto_restore = None


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


def active_handlers() -> list[Handler]:
    """The handlers routing requests now, oldest first, once per :func:`activate` not yet undone (a copy)."""
    with _lock:
        return list(_active)


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
