"""What every target must show: errors by code and status, statuses that only move forward.

Error codes and HTTP statuses are compared exactly; messages only by
pattern, because AWS rewords messages (moto's parity suite broke on exact
matches: getmoto/moto#10198).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from fakeimagebuilder.model import service_model

from .ledger_report import ModelDifference, verifies

__all__ = [
    "LIFECYCLE",
    "TERMINAL",
    "VALIDATION_MESSAGE",
    "CaughtError",
    "expect_error",
    "is_uuid",
    "modeled_status",
    "moved_forward",
    "status_of",
]

LIFECYCLE = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
"""The order a successful build moves through."""

TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED"})

VALIDATION_MESSAGE = r"^The value supplied for parameter '(?P<member>[A-Za-z]+)\b.* is not valid\."
"""AWS's wording for a parameter that breaks a constraint, as seen on other Image Builder operations."""


def is_uuid(value: Any) -> bool:
    """Whether ``value`` is a UUID in its canonical text form."""
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def status_of(answer: dict[str, Any]) -> int:
    """The HTTP status of a successful botocore answer."""
    status: int = answer["ResponseMetadata"]["HTTPStatusCode"]
    return status


def modeled_status(code: str) -> int | None:
    """The HTTP status the Image Builder model gives an error code (None if the code has no shape)."""
    model = service_model()
    if code not in model.shape_names:
        return None
    shape = model.shape_for(code)
    if not shape.metadata.get("exception"):
        return None
    status: int = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    return status


def moved_forward(before: str | None, after: str) -> bool:
    """Whether a build may go from status ``before`` to ``after`` (or stay).

    Along :data:`LIFECYCLE`, skipping is allowed (a poll may miss a status);
    FAILED and CANCELLED may follow any status in progress; terminal statuses
    never change.
    """
    if before is None or before == after:
        return True
    if before in TERMINAL:
        return False
    if after in ("FAILED", "CANCELLED"):
        return True
    if before not in LIFECYCLE or after not in LIFECYCLE:
        return False
    return LIFECYCLE.index(after) > LIFECYCLE.index(before)


@dataclass
class CaughtError:
    """The error :func:`expect_error` caught (filled when the block exits)."""

    code: str = ""
    status: int = 0
    message: str = ""
    response: dict[str, Any] | None = None


@contextmanager
def expect_error(
    code: str, status: int, message: str | None = None, *, taken_means: str | None = None
) -> Iterator[CaughtError]:
    """Assert that the block raises ``ClientError`` ``code`` with HTTP ``status``.

    ``message``, a regular expression, must be found in the error message.
    The error must also carry its code's modeled status, a UUID request id,
    and (ledger row ``error-wire-shape``) the code in ``x-amzn-ErrorType`` and
    the body's lowercase ``message``.

    ``taken_means``: for a value only a constraint of the installed model
    refuses, on a target that may serve another model
    (:meth:`~contract_tests.targets.Target.model_refusal`), what a success
    means; a success then raises :class:`ModelDifference` with it instead of
    failing.
    """
    caught = CaughtError()
    try:
        yield caught
    except ClientError as error:
        response = error.response
        caught.code = response["Error"]["Code"]
        caught.status = response["ResponseMetadata"]["HTTPStatusCode"]
        caught.message = response["Error"].get("Message", "")
        caught.response = response
    else:
        if taken_means is not None:
            raise ModelDifference(taken_means)
        raise AssertionError(f"expected {code} ({status}); the call succeeded")
    assert (caught.code, caught.status) == (code, status), (
        f"expected {code} ({status}), got {caught.code} ({caught.status}): {caught.message}"
    )
    if message is not None:
        assert re.search(message, caught.message), f"message {caught.message!r} does not match {message!r}"
    with verifies("error-wire-shape"):
        modeled = modeled_status(code)
        assert modeled is None or modeled == caught.status, f"{code} is modeled as {modeled}, answered {caught.status}"
        metadata = caught.response["ResponseMetadata"] if caught.response else {}
        assert is_uuid(metadata.get("RequestId")), f"request id {metadata.get('RequestId')!r} is not a UUID"
        header = metadata.get("HTTPHeaders", {}).get("x-amzn-errortype", "")
        assert header.split(":", 1)[0].rsplit("#", 1)[-1] == code, f"x-amzn-ErrorType is {header!r}"
        if modeled is not None:
            assert caught.response is not None and caught.response.get("message") == caught.message, (
                "the error body has no lowercase 'message'"
            )
