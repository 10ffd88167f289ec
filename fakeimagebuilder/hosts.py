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
from typing import Any
from urllib.parse import urlsplit

from .model import data_loader

__all__ = ["aws_dns_suffixes", "is_aws_host", "is_aws_netloc", "is_loopback"]


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
