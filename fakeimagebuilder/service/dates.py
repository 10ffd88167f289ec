"""How Image Builder writes dates: ISO 8601 strings with milliseconds, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

__all__ = ["date_string"]


# Calls at one virtual instant (a clock that only moves when told) write the same date again and again.
@lru_cache(maxsize=1024)
def date_string(seconds: float) -> str:
    """``2026-09-03T05:44:21.121Z`` for an epoch time (the form the AWS CLI examples show)."""
    m = datetime.fromtimestamp(seconds, UTC)
    # Formatted field by field: strftime took twice as long, and a running clock (the server's) misses the cache.
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}."
        f"{m.microsecond // 1000:03d}Z"
    )
