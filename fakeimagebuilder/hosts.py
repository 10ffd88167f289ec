"""Where a request goes: an AWS endpoint, or this machine only."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_aws_host", "is_loopback"]

_AWS_SUFFIXES = (
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".api.aws",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
)


def is_aws_host(url: str) -> bool:
    """Whether ``url`` points at an AWS endpoint (rather than a custom ``endpoint_url``)."""
    host = (urlsplit(url if "://" in url else f"//{url}").hostname or "").lower()
    return host.endswith(_AWS_SUFFIXES)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, not a URL) is this machine only."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
