"""Pagination tokens: opaque to callers, checked on return.

A token carries the offset and a digest of the query it belongs to, so a
made-up token, or one from another query, is InvalidPaginationTokenException
instead of a silently wrong page.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from .errors import InvalidPaginationTokenException

__all__ = ["DEFAULT_PAGE_SIZE", "page"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 25
"""A list call without ``maxResults`` gets the model's maximum page size."""


def _digest(query: Any) -> str:
    text = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def page(items: Sequence[T], params: dict[str, Any], query: Any) -> tuple[list[T], str | None]:
    """The page of ``items`` that ``params`` (``maxResults``, ``nextToken``) asks for, and the next token."""
    size = params.get("maxResults") or DEFAULT_PAGE_SIZE
    start = 0
    digest = _digest(query)
    token = params.get("nextToken")
    if token is not None:
        try:
            padded = token + "=" * (-len(token) % 4)
            offset_text, token_digest = base64.urlsafe_b64decode(padded).decode().split(":")
            start = int(offset_text)
        except ValueError:
            raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.") from None
        if token_digest != digest or not 0 < start <= len(items):
            raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.")
    end = start + size
    if end >= len(items):
        return list(items[start:]), None
    next_token = base64.urlsafe_b64encode(f"{end}:{digest}".encode()).decode().rstrip("=")
    return list(items[start:end]), next_token
