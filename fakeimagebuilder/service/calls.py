"""The one value that crosses from the wire layer into the service: a parsed call."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Call"]


class Call(NamedTuple):
    """An operation call, already parsed and checked against the model.

    ``params`` uses the model's member names. ``token_member`` names the
    member that carries the idempotency token, when the operation has one.
    ``dry_run`` is set when the call asked only to be checked (the model's
    ``dryRun`` member, which the wire takes out of ``params``).

    A named tuple, like ``arns.Arn``: one is made per request, in half the time a frozen dataclass takes.
    """

    operation: str
    params: dict[str, Any]
    account: str
    region: str
    token_member: str | None = None
    dry_run: bool = False

    @property
    def client_token(self) -> str | None:
        """The idempotency token sent with the call, if any."""
        if self.token_member is None:
            return None
        token = self.params.get(self.token_member)
        return token if isinstance(token, str) else None
