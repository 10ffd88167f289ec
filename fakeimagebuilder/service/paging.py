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
import bisect
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from .errors import InvalidPaginationTokenException
from .state import Scope

__all__ = ["DEFAULT_PAGE_SIZE", "NewestFirst", "page"]

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

    ``items`` are in list order and ``position`` increases along them (so the
    page after a token is found by bisection, in ``log(len(items))`` reads, and a
    page costs what it shows, not what the list holds); ``query`` is the
    operation and everything that selects its items.
    """
    size = params.get("maxResults") or DEFAULT_PAGE_SIZE
    digest = _digest(scope, query)
    start = 0
    token = params.get("nextToken")
    if token is not None:
        after = _position(token, digest)
        start = bisect.bisect_right(items, after, key=position)
    end = start + size
    if end >= len(items):
        return list(items[start:]), None
    shown = list(items[start:end])
    next_token = base64.urlsafe_b64encode(f"{position(shown[-1])}:{digest}".encode()).decode().rstrip("=")
    return shown, next_token


class NewestFirst(Sequence[T]):
    """A list read from its end (``view[0]`` is its last item), without copying it: a history's newest first."""

    __slots__ = ("_items",)

    def __init__(self, items: Sequence[T]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._items[-1 - index if index >= 0 else -len(self) - 1 - index]
