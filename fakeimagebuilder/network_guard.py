"""A process-wide guard that lets no connection leave the machine (``imagebuilder_block_network = true``).

The pytest plugin's fixtures already keep Image Builder requests on the machine; this guard is for the
stronger promise a suite may ask for: *no* request of *any* test leaves the machine, whatever library makes
it (another service's client, ``requests``, ``urllib``). It works at the socket: a name lookup (forward or
reverse), a connection or a datagram (``sendto``, ``sendmsg``) to anything but this machine (what
:func:`~fakeimagebuilder.hosts.is_this_machine` calls so, the pytest plugin's notion too, and Unix sockets)
raises the refusal the caller chose, before a packet is sent. In-process mocks (this fake, moto's ``mock_aws``,
``responses``) never open a socket, so they work under it unchanged.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .hosts import is_this_machine

__all__ = ["blocking_network"]

Refusal = Callable[[str], BaseException]

# The socket methods and module functions the guard wraps; what they were is kept in _saved, called for what
# stays here and put back after.
_METHODS = ("connect", "connect_ex", "sendto", "sendmsg")
_LOOKUPS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")

_lock = threading.Lock()
_refusals: list[Refusal] = []
_saved: dict[str, Any] = {}


def _stays_here(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None:
        return True
    # This machine's own name too: http.server looks it up (getfqdn) when bound to all addresses.
    return isinstance(host, str) and is_this_machine(host)


def _check(family: int, address: Any) -> None:
    refusals = _refusals
    if not refusals or family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _stays_here(host):
        raise refusals[-1](f"{host}:{address[1]}" if isinstance(address, tuple) and len(address) > 1 else str(host))


def _lookup(host: Any) -> None:
    # A name lookup sends a DNS query: refused for any name but this machine's, as a connection is.
    if _refusals and not _stays_here(host):
        raise _refusals[-1](str(host))


def _connect(self: socket.socket, address: Any) -> None:
    _check(self.family, address)
    return _saved["connect"](self, address)  # type: ignore[no-any-return]


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self.family, address)
    return _saved["connect_ex"](self, address)  # type: ignore[no-any-return]


def _sendto(self: socket.socket, data: Any, *flags_and_address: Any) -> int:
    # sendto(data, address) or sendto(data, flags, address): a datagram needs no connect to leave.
    if flags_and_address:
        _check(self.family, flags_and_address[-1])
    return _saved["sendto"](self, data, *flags_and_address)  # type: ignore[no-any-return]


def _sendmsg(self: socket.socket, buffers: Any, *rest: Any) -> int:
    # sendmsg(buffers[, ancdata[, flags[, address]]]): positional only, as the C method takes them.
    if len(rest) > 2 and rest[2] is not None:
        _check(self.family, rest[2])
    return _saved["sendmsg"](self, buffers, *rest)  # type: ignore[no-any-return]


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _lookup(host)
    return _saved["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host: Any) -> str:
    _lookup(host)
    return _saved["gethostbyname"](host)  # type: ignore[no-any-return]


def _gethostbyname_ex(host: Any) -> tuple[str, list[str], list[str]]:
    _lookup(host)
    return _saved["gethostbyname_ex"](host)  # type: ignore[no-any-return]


def _gethostbyaddr(address: Any) -> tuple[str, list[str], list[str]]:
    _lookup(address)  # a reverse lookup asks DNS too
    return _saved["gethostbyaddr"](address)  # type: ignore[no-any-return]


def _getnameinfo(sockaddr: Any, flags: int) -> tuple[str, str]:
    if not flags & socket.NI_NUMERICHOST:  # a numeric answer needs no reverse lookup
        _lookup(sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr)
    return _saved["getnameinfo"](sockaddr, flags)  # type: ignore[no-any-return]


_WRAPPERS: dict[str, Any] = {
    "connect": _connect,
    "connect_ex": _connect_ex,
    "sendto": _sendto,
    "sendmsg": _sendmsg,
    "getaddrinfo": _getaddrinfo,
    "gethostbyname": _gethostbyname,
    "gethostbyname_ex": _gethostbyname_ex,
    "gethostbyaddr": _gethostbyaddr,
    "getnameinfo": _getnameinfo,
}


@contextmanager
def blocking_network(refusal: Refusal) -> Iterator[None]:
    """While entered, a lookup of, connection to or datagram for a host off this machine raises ``refusal(host)``."""
    with _lock:
        if not _refusals:
            for name in _METHODS:
                _saved[name] = getattr(socket.socket, name)
                setattr(socket.socket, name, _WRAPPERS[name])
            for name in _LOOKUPS:
                _saved[name] = getattr(socket, name)
                setattr(socket, name, _WRAPPERS[name])
        _refusals.append(refusal)
    try:
        yield
    finally:
        with _lock:
            _refusals.remove(refusal)
            if not _refusals:
                for name in _METHODS:
                    setattr(socket.socket, name, _saved.pop(name))
                for name in _LOOKUPS:
                    setattr(socket, name, _saved.pop(name))
