"""Pagination tokens: opaque to callers, checked on return, stable while the list changes.

A token carries the position of the last item it showed (an increasing
number along the list, such as the item's serial in its store, or a tuple of
numbers where one alone does not order the list) and a digest
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

__all__ = ["DEFAULT_PAGE_SIZE", "NewestFirst", "Position", "page"]

T = TypeVar("T")

Position = int | tuple[int, ...]
"""Where an item stands in its list: increasing along it, and the item's own (not its index), so it holds
while other items come and go."""

DEFAULT_PAGE_SIZE = 25
"""A list call without ``maxResults`` gets the model's maximum page size."""


def _digest(scope: Scope, query: Any) -> str:
    text = json.dumps([scope.account, scope.region, query], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _position(token: str, digest: str) -> Position:
    try:
        padded = token + "=" * (-len(token) % 4)
        position_text, token_digest = base64.urlsafe_b64decode(padded).decode().split(":")
        parts = tuple(int(part) for part in position_text.split("."))
    except ValueError:
        raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.") from None
    if token_digest != digest:
        raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.")
    return parts[0] if len(parts) == 1 else parts


def _text(position: Position) -> str:
    return ".".join(map(str, position)) if isinstance(position, tuple) else str(position)


def page(
    scope: Scope, items: Sequence[T], params: dict[str, Any], query: Any, position: Callable[[T], Position]
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
        try:
            start = bisect.bisect_right(items, after, key=position)
        except TypeError:  # a number where the query's positions are tuples, or the reverse: made up
            raise InvalidPaginationTokenException(f"The pagination token '{token}' is not valid.") from None
    end = start + size
    if end >= len(items):
        return list(items[start:]), None
    shown = list(items[start:end])
    next_token = base64.urlsafe_b64encode(f"{_text(position(shown[-1]))}:{digest}".encode()).decode().rstrip("=")
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
