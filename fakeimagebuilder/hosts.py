"""Where a request goes: an AWS endpoint, or this machine only.

AWS's endpoint hosts are ``{service}[-fips].{region}.{dnsSuffix}``; the DNS
suffixes (plain and dual-stack) are read from botocore's own endpoint data,
``partitions.json``, which every endpoint ruleset resolves against, so every
partition the installed botocore can reach is recognised, including new ones.
(It is small: reading it costs well under a millisecond, once.)
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
from typing import Any
from urllib.parse import urlsplit

from .model import data_loader

__all__ = ["HOSTS_FILE", "aws_dns_suffixes", "is_aws_host", "is_aws_netloc", "is_loopback", "is_this_machine"]


@functools.cache
def aws_dns_suffixes() -> tuple[str, ...]:
    """Every DNS suffix of an AWS endpoint in botocore's partition data, each with its leading dot."""
    found: set[str] = set()
    partitions: Any = data_loader().load_data("partitions")
    for partition in partitions["partitions"]:
        outputs = partition["outputs"]
        found.update(outputs[key] for key in ("dnsSuffix", "dualStackDnsSuffix") if outputs.get(key))
    return tuple(sorted("." + suffix.lower() for suffix in found))


def is_aws_host(url: str) -> bool:
    """Whether ``url`` points at an AWS endpoint (rather than a custom ``endpoint_url``)."""
    return is_aws_netloc(urlsplit(url if "://" in url else f"//{url}").netloc)


@functools.lru_cache(maxsize=256)
def is_aws_netloc(netloc: str) -> bool:
    """Whether a URL's ``netloc`` (``host[:port]``, maybe with user info) is an AWS endpoint's.

    Remembered: a process sends to a handful of hosts, and every in-process call asks.
    """
    host = (urlsplit(f"//{netloc}").hostname or "").lower()
    return host.endswith(aws_dns_suffixes())


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, not a URL) is this machine only, known without asking DNS.

    A loopback address, or ``localhost`` (which the hosts file answers). Not the other ``*.localhost``
    names: RFC 6761 makes them loopback, but glibc's resolver sends them to the DNS server, off the machine.
    """
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


HOSTS_FILE = (
    os.path.join(os.environ.get("SYSTEMROOT", r"C:\Windows"), "System32", "drivers", "etc", "hosts")
    if os.name == "nt"
    else "/etc/hosts"
)
"""The hosts file the resolver answers from before it asks DNS."""

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_this_machine(host: str) -> bool:
    """Whether a connection to ``host`` (a name or address, not a URL) stays on this machine, known without DNS.

    The one notion of "this machine" of the pytest plugin and the network guard: a loopback address;
    ``0.0.0.0`` or ``::`` (as a destination, this machine); an address of one of this machine's interfaces;
    ``localhost``; this machine's host name; a name the hosts file gives only such addresses (such as
    ``localhost.localdomain``). Deciding never sends a packet nor asks DNS, so it cannot hang: a name is read
    from the hosts file alone, and an address is checked by asking the kernel which source address a UDP socket
    connected to it would use (a connect of a UDP socket sends nothing): its own when the address is this
    machine's. Not the other ``*.localhost`` names: RFC 6761 makes them loopback, but glibc's resolver sends them
    to the DNS server, off the machine.
    """
    host = host.strip("[]").lower()
    if not host:
        return False
    if host == "localhost" or host == socket.gethostname().lower():
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        addresses = _hosts_file(HOSTS_FILE).get(host)
        return bool(addresses) and all(_is_this_machines_address(one) for one in addresses)
    return _is_this_machines_address(address)


def _is_this_machines_address(address: _Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return True
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        # The C socket type itself: neither a guard that wraps socket.socket's methods nor one that replaces the
        # class (pytest-socket) is asked about a probe that sends nothing.
        probe = socket.SocketType(family, socket.SOCK_DGRAM)
    except OSError:  # no such family here (IPv6 off): no address of it is this machine's
        return False
    try:
        probe.connect((str(address), 9))
        source = str(probe.getsockname()[0]).partition("%")[0]
    except OSError:  # no route to it
        return False
    finally:
        probe.close()
    # Any other address's packets leave from this machine's own address on the way out; only a connection to an
    # address of this machine's is sent from that address itself.
    return ipaddress.ip_address(source) == ipaddress.ip_address(str(address).partition("%")[0])


@functools.lru_cache(maxsize=4)
def _hosts_file(path: str) -> dict[str, list[_Address]]:
    """The hosts file's names (lower case) and the addresses it gives each; read once per process."""
    names: dict[str, list[_Address]] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = file.read().splitlines()
    except OSError:
        return names
    for line in lines:
        fields = line.partition("#")[0].split()
        if len(fields) < 2:
            continue
        try:
            address = ipaddress.ip_address(fields[0])
        except ValueError:
            continue
        for name in fields[1:]:
            names.setdefault(name.lower(), []).append(address)
    return names
