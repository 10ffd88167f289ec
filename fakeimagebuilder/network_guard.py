"""A process-wide guard that lets no connection leave the machine (``imagebuilder_block_network = true``).

The pytest plugin's fixtures already keep Image Builder requests on the machine; this guard is for the
stronger promise a suite may ask for: *no* request of *any* test leaves the machine, whatever library makes
it (another service's client, ``requests``, ``urllib``). It works at the socket: a name lookup or a
connection to anything but this machine (loopback addresses, ``localhost``, Unix sockets) raises the
refusal the caller chose, before a packet is sent. In-process mocks (this fake, moto's ``mock_aws``,
``responses``) never open a socket, so they work under it unchanged.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .hosts import is_loopback

__all__ = ["blocking_network"]

Refusal = Callable[[str], BaseException]

_lock = threading.Lock()
_refusals: list[Refusal] = []
# What the guard replaced (connect, connect_ex, getaddrinfo), called for what stays here and put back after.
_saved: tuple[Any, Any, Any] = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)


def _stays_here(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return host is None or (isinstance(host, str) and is_loopback(host))


def _check(family: int, address: Any) -> None:
    refusals = _refusals
    if not refusals or family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _stays_here(host):
        raise refusals[-1](f"{host}:{address[1]}" if isinstance(address, tuple) and len(address) > 1 else str(host))


def _connect(self: socket.socket, address: Any) -> None:
    _check(self.family, address)
    return _saved[0](self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self.family, address)
    return _saved[1](self, address)  # type: ignore[no-any-return]


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    # A name lookup sends a DNS query: refused for any name but this machine's, as a connection is.
    if _refusals and not _stays_here(host):
        raise _refusals[-1](str(host))
    return _saved[2](host, *args, **kwargs)


@contextmanager
def blocking_network(refusal: Refusal) -> Iterator[None]:
    """While entered, a lookup of or connection to a host off this machine raises ``refusal(host)``."""
    global _saved
    with _lock:
        if not _refusals:
            _saved = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)
            socket.socket.connect = _connect  # type: ignore[method-assign]
            socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
            socket.getaddrinfo = _getaddrinfo
        _refusals.append(refusal)
    try:
        yield
    finally:
        with _lock:
            _refusals.remove(refusal)
            if not _refusals:
                socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = _saved  # type: ignore[method-assign]
