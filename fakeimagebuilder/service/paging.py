"""Pagination tokens: opaque to callers, checked on return, stable while the list changes.

A token carries the position of the last item it showed (an increasing
number along the list, such as the item's serial in its store) and a digest
of the query it belongs to: operation, filters, account and region. The next
page starts after that position, not at an offset, so deleting or adding
items between pages never skips or repeats one that did not change, and a
token stays valid however the list shrinks. A made-up token, or one from
another query, is InvalidPaginationTokenException instead of a wrong page.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .errors import InvalidPaginationTokenException
from .state import Scope

__all__ = ["DEFAULT_PAGE_SIZE", "page"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 25
"""A list call without ``maxResults`` gets the model's maximum page size."""


def _digest(scope: Scope, query: Any) -> str:
    text = json.dumps([scope.account, scope.region, query], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _position(token: str, digest: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        position_text, token_digest = base64.urlsafe_b64decode(padded).decode().split(":")
        position = int(position_text)
    except ValueError:
        raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.") from None
    if token_digest != digest:
        raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.")
    return position


def page(
    scope: Scope, items: Sequence[T], params: dict[str, Any], query: Any, position: Callable[[T], int]
) -> tuple[list[T], str | None]:
    """The page of ``items`` that ``params`` (``maxResults``, ``nextToken``) asks for, and the next token.

    ``items`` are in list order and ``position`` increases along them;
    ``query`` is the operation and everything that selects its items.
    """
    size = params.get("maxResults") or DEFAULT_PAGE_SIZE
    digest = _digest(scope, query)
    start = 0
    token = params.get("nextToken")
    if token is not None:
        after = _position(token, digest)
        start = next((i for i, item in enumerate(items) if position(item) > after), len(items))
    end = start + size
    if end >= len(items):
        return list(items[start:]), None
    shown = list(items[start:end])
    next_token = base64.urlsafe_b64encode(f"{position(shown[-1])}:{digest}".encode()).decode().rstrip("=")
    return shown, next_token
