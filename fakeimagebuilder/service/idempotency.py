"""Where idempotency is decided: the client-token ledger.

Image Builder follows EC2's rules (its model points to "Ensuring idempotency"
in the EC2 API Reference): the same token with the same parameters returns
the first answer and changes nothing; the same token with other parameters is
IdempotentParameterMismatchException. Tokens are kept per account and region
and per operation. Only successful answers are remembered, so a call that
failed may be retried with its token. Entries never expire (EC2 promises "at
least 24 hours").
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

from ..jsontext import compact_encoder
from .errors import IdempotentParameterMismatchException

__all__ = ["IdempotencyLedger"]


_canonical = compact_encoder(sort_keys=True)


def _fingerprint(params: dict[str, Any], token_member: str) -> str:
    return _canonical({k: v for k, v in params.items() if k != token_member})


class IdempotencyLedger:
    """First answers by (operation, token), with the parameters they were given for."""

    def __init__(self) -> None:
        # By "operation token"; the parameters' fingerprint, then the answer's keys and values in turn. Flat
        # text, not a tuple holding a dict: tuples of text alone the garbage collector stops walking, and a
        # ledger of many tokens would be walked on every full collection for as long as the fake lives.
        self._entries: dict[str, tuple[Any, ...]] = {}

    def run(
        self,
        operation: str,
        token: str,
        token_member: str,
        params: dict[str, Any],
        action: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """Replay the first answer for ``token``, or run ``action`` and remember its answer."""
        fingerprint = _fingerprint(params, token_member)
        key = f"{operation} {token}"  # an operation name has no space
        seen = self._entries.get(key)
        if seen is not None:
            if seen[0] != fingerprint:
                raise IdempotentParameterMismatchException(
                    f"The client token '{token}' was already used with different parameters for {operation}."
                )
            return dict(zip(seen[1::2], seen[2::2], strict=True))
        answer = action()
        self._entries[key] = (fingerprint, *chain.from_iterable(answer.items()))
        return answer

    def copy(self) -> IdempotencyLedger:
        """A ledger holding the same entries, which records apart from this one (entries never change)."""
        copied = IdempotencyLedger()
        copied._entries = dict(self._entries)
        return copied

    def __len__(self) -> int:
        return len(self._entries)
