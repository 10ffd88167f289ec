"""WSGI adapter: a WSGI environ -> :class:`HttpRequest`, and :class:`HttpResponse` -> a WSGI answer.

URI labels such as ``/tags/{resourceArn}`` arrive percent-encoded, and the
wire layer matches routes on that raw path. WSGI's ``PATH_INFO`` is already
decoded, so the raw request target is read from ``REQUEST_URI`` or
``RAW_URI`` when the server gives one (ours, gunicorn, uWSGI do), and
``PATH_INFO`` is re-encoded only as a fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from urllib.parse import quote, urlsplit
from wsgiref.types import StartResponse, WSGIEnvironment

from ..wire import HttpRequest, HttpResponse

__all__ = ["BodyTooLarge", "read_request", "reason_phrase", "split_target", "write_response"]


class BodyTooLarge(Exception):
    """The request body is over the limit; the request must be refused unread."""


def reason_phrase(status: int) -> str:
    """The standard reason phrase of an HTTP status (empty if it has none)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def split_target(raw: str) -> tuple[str, str]:
    """The raw (still percent-encoded) path and query of an HTTP request target."""
    if not raw.startswith("/"):  # absolute-form target: http://host/path?query
        parts = urlsplit(raw)
        return parts.path or "/", parts.query
    path, _, query = raw.partition("?")
    return path or "/", query


def _target(environ: WSGIEnvironment) -> tuple[str, str]:
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        return split_target(raw)
    # PEP 3333: PATH_INFO holds the decoded bytes as latin-1 text.
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/")
    return (environ.get("SCRIPT_NAME", "") + path) or "/", environ.get("QUERY_STRING", "")


def read_request(environ: WSGIEnvironment, max_body: int) -> HttpRequest:
    """The request a WSGI environ describes; raises :class:`BodyTooLarge` past ``max_body`` bytes."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    length_text = environ.get("CONTENT_LENGTH") or ""
    stream = environ.get("wsgi.input")
    body = b""
    if length_text:
        headers["content-length"] = length_text
        # A server hands over a well-formed length; anything else reads as empty.
        length = int(length_text) if length_text.isdigit() else 0
        if length > max_body:
            raise BodyTooLarge
        if length and stream is not None:
            body = stream.read(length)
    elif stream is not None and environ.get("wsgi.input_terminated"):
        # A de-chunked body of unknown length: read one byte past the limit to see if it is over.
        body = stream.read(max_body + 1)
        if len(body) > max_body:
            raise BodyTooLarge
    path, query = _target(environ)
    return HttpRequest(environ.get("REQUEST_METHOD", "GET").upper(), path, query, headers, body)


def write_response(response: HttpResponse, start_response: StartResponse) -> Iterable[bytes]:
    """Start the WSGI response and return its body."""
    headers = list(response.headers.items())
    if not any(name.lower() == "content-length" for name, _ in headers):
        headers.append(("Content-Length", str(len(response.body))))
    start_response(f"{response.status} {reason_phrase(response.status)}", headers)
    return [response.body]
