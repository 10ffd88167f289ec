"""moto's botocore stubber answers the Image Builder requests the fake's transport takes, as the transport would.

Loaded only once moto's stubber module is (:mod:`.botocore_hook` looks in
``sys.modules``, and watches imports for it while installed); this module
itself imports nothing of moto: the stubber's class is handed in, so it can
be patched the moment moto's module has run, from inside that import.

moto answers botocore requests from a ``before-send`` handler, one
``BotocoreStubber`` it adds to botocore's ``BUILTIN_HANDLERS`` when imported
(so every client of a session made after that carries it; ``patch_client``
adds it to older clients). botocore calls ``Endpoint._send``, where the fake's
transport sits, only when no ``before-send`` handler answered, so with
``mock_aws`` active every Image Builder request would get moto's
``404 Not yet implemented``.

While the transport is installed, the stubber's class answers the requests the
transport takes as the transport would (the fake's answer, or the guard's
refusal) and leaves every other request to moto, as before. It answers rather
than stepping aside for ``Endpoint._send`` to answer: the decision and the
answer are one read of the active fakes, so a fake left by another thread
between moto's handler and the send cannot let the request go past moto to the
network. The class is patched rather than the handler lists: that reaches every
client and every stubber instance whichever of moto and the fake was entered
first, and moto's own registrations are never touched, so leaving restores
exactly what moto had.

In moto's server mode (``TEST_SERVER_MODE=true``), ``mock_aws`` gives every
``boto3.client`` moto's server as its ``endpoint_url``, Image Builder's too,
though moto's server does not serve it; the stubber still sees those requests
first, and answers them from the fake while one is active.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

__all__ = ["answer_with", "restore"]

Take = Callable[[Any, bool], Any]
"""``take(request, anywhere)``: the transport's answer to an Image Builder request, None if it leaves it to moto.

``anywhere``: the fake answers whatever the host, not only AWS hosts.

Raises the guard's refusal for a request it refuses.
"""

_IMAGE_BUILDER = "before-send.imagebuilder."

_patched: Any = None
_ours: Callable[..., Any] | None = None
_original: Callable[..., Any] | None = None


def answer_with(stubber_class: Any, take: Take) -> None:
    """Until :func:`restore`, moto's ``stubber_class`` answers Image Builder requests with ``take`` where it answers."""
    global _patched, _ours, _original
    current = stubber_class.__call__
    if _ours is not None and current is _ours:
        return
    original = current

    # botocore calls handlers with keywords: the parameter names are moto's.
    def __call__(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if event_name.startswith(_IMAGE_BUILDER):
            response = take(request, _sent_to_moto_server(request.url))
            if response is not None:
                return response
        # The original is bound here, not read from the module: a request in flight while another thread
        # restores the class still reaches moto.
        return original(stubber, event_name, request, **kwargs)

    __call__.__wrapped__ = original  # type: ignore[attr-defined]
    _patched, _ours, _original = stubber_class, __call__, original
    stubber_class.__call__ = __call__


def _sent_to_moto_server(url: str) -> bool:
    """Whether moto's server mode sent this request to moto's server (``TEST_SERVER_MODE_ENDPOINT``)."""
    settings = sys.modules.get("moto.settings")
    if settings is None or not getattr(settings, "TEST_SERVER_MODE", False):
        return False
    ours, servers = urlsplit(url), urlsplit(settings.test_server_mode_endpoint())
    return (ours.scheme, ours.netloc.lower()) == (servers.scheme, servers.netloc.lower())


def restore() -> None:
    """Put moto's own ``__call__`` back, unless someone patched the class after us (then theirs stays)."""
    global _patched, _ours, _original
    if _ours is not None and _patched.__call__ is _ours:
        _patched.__call__ = _original
    _patched = _ours = _original = None
