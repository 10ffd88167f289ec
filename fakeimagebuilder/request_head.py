"""The head of an HTTP/1.x request, as the server reads it: the request line and the header fields.

The standard library's ``BaseHTTPRequestHandler.parse_request`` hands the
header block to the ``email`` package's parser, which took a third of the
server's time on a small call. The fields are read here instead, by the
rules of RFC 9112 (section 5): ``name: value``, the value without the
whitespace around it; a header line that is not a field (no colon, a name
that is not a token, whitespace before the colon) is refused with 400, where
the email parser made the rest of the head a body and the fields after it
silently vanished; an obsolete folded line (starting with whitespace) is
joined to the field before it with a space, as section 5.2 allows. The
standard library's limits stay: a line of at most 65,536 bytes and at most
100 lines (fields and folded lines), else 431. A bare CR in a line is 400.
A request with more than one Host field, or an HTTP/1.1 one with none, is
400 (section 3.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

__all__ = [
    "MAX_FIELDS",
    "MAX_LINE",
    "HeadError",
    "HeaderFields",
    "RequestLine",
    "check_host",
    "read_fields",
    "read_request_line",
]

MAX_LINE = 65536
"""Longest request or header line, in bytes (the standard library's)."""

MAX_FIELDS = 100
"""Most header lines in one request, folded ones included (the standard library's limit)."""

# RFC 9110 section 5.6.2: a field name is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class HeadError(Exception):
    """A request head that cannot be read: answer ``status`` with ``message``, then close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HeaderFields:
    """A request's header fields in the order sent; names are matched without regard to case.

    What the server reads of ``email.message.Message``: :meth:`get` (the first field of a name),
    :meth:`get_all` and :meth:`items`.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of the first field named ``name``, else ``default``."""
        wanted = name.lower()
        for field, value in self._fields:
            if field.lower() == wanted:
                return value
        return default

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        """Every value of the fields named ``name``, in order, else ``default``."""
        wanted = name.lower()
        found = [value for field, value in self._fields if field.lower() == wanted]
        return found or default

    def items(self) -> list[tuple[str, str]]:
        """Every field as ``(name, value)``, in order."""
        return list(self._fields)

    def __iter__(self) -> Iterator[str]:
        return (field for field, _ in self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"HeaderFields({self._fields!r})"


class RequestLine:
    """``METHOD TARGET VERSION``, split; ``version`` is ``(major, minor)``, ``version_text`` as sent."""

    __slots__ = ("method", "target", "version", "version_text")

    def __init__(self, method: str, target: str, version: tuple[int, int], version_text: str) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.version_text = version_text


def read_request_line(raw: bytes) -> RequestLine | None:
    """The request line ``raw`` (with its line ending) holds; None for a blank one.

    HeadError (400, as the client's fault) for a line that is not ``METHOD TARGET HTTP/x.y``, HTTP/0.9's
    ``GET TARGET`` included, and for a version the server does not speak (below 1.0, 2 and above).
    """
    text = raw.decode("iso-8859-1").rstrip("\r\n")
    words = text.split()
    if not words:
        return None
    if len(words) == 2:
        # HTTP/0.9 has no headers: the standard library would wait for them until the timeout.
        raise HeadError(400, "HTTP/0.9 requests are not supported.")
    if len(words) != 3:
        raise HeadError(400, f"Bad request syntax ({text!r})")
    version_text = words[2]
    major, dot, minor = version_text[5:].partition(".")
    if not (
        version_text.startswith("HTTP/")
        and dot
        and all(part.isascii() and part.isdigit() and len(part) <= 10 for part in (major, minor))
    ):
        raise HeadError(400, f"Bad request version ({version_text!r})")
    version = (int(major), int(minor))
    if not (1, 0) <= version < (2, 0):
        raise HeadError(400, f"Invalid HTTP version ({version_text[5:]})")
    return RequestLine(words[0], words[1], version, version_text)


def read_fields(rfile: IO[bytes]) -> HeaderFields:
    """Read header fields from ``rfile`` up to the blank line that ends them (or the end of input)."""
    fields: list[tuple[str, str]] = []
    lines = 0
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise HeadError(431, "Line too long")
        if line in (b"\r\n", b"\n", b""):
            return HeaderFields(fields)
        lines += 1
        if lines > MAX_FIELDS:  # folded lines count too: the head stays bounded, and joining them cheap
            raise HeadError(431, "Too many headers")
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if "\r" in text:  # RFC 9112 section 2.2: a bare CR is refused
            raise HeadError(400, f"A bare CR in a header line ({text[:200]!r}).")
        if text[:1] in (" ", "\t"):
            if not fields:
                raise HeadError(400, "The first header line may not start with whitespace.")
            name, value = fields[-1]
            more = text.strip(" \t")
            fields[-1] = (name, f"{value} {more}" if value and more else value or more)
            continue
        name, colon, value = text.partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HeadError(400, f"Malformed header line ({text[:200]!r}).")
        fields.append((name, value.strip(" \t")))


def check_host(fields: HeaderFields, version: tuple[int, int]) -> None:
    """HeadError (400) for a request with more than one Host field, or an HTTP/1.1 request with none.

    RFC 9112 section 3.2: a server MUST answer 400 to "any HTTP/1.1 request message that lacks a Host header
    field" and to "any request message that contains more than one Host header field line". HTTP/1.0 has no
    Host field, so a 1.0 request without one is served.
    """
    hosts = fields.get_all("Host")
    if hosts is None:
        if version >= (1, 1):
            raise HeadError(400, "An HTTP/1.1 request must have a Host header field.")
    elif len(hosts) > 1:
        raise HeadError(400, f"A request may have one Host header field, not {len(hosts)}.")
