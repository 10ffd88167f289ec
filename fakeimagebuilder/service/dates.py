"""How Image Builder writes dates: ISO 8601 strings with milliseconds, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

__all__ = ["date_string"]


# Calls at one virtual instant (a clock that only moves when told) write the same date again and again.
@lru_cache(maxsize=1024)
def date_string(seconds: float) -> str:
    """``2026-09-03T05:44:21.121Z`` for an epoch time (the form the AWS CLI examples show)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
