"""Live-run safety: what keeps ``--target aws`` from touching what it should not, or costing more than allowed.

- :func:`caller_account`: the account the credentials belong to (STS
  GetCallerIdentity); the suite refuses to start unless it equals
  ``--aws-account``.
- :class:`Budget`: builds this run may start (``--max-builds``), reserved
  before a start is sent, so the budget holds even if AWS started a build
  where the suite expected an error.
- :class:`LiveGuard`: a call observer on every client of a live run. It
  refuses any call that would change a resource this run did not name
  (``fibct-<run id>-...``), spends the budget, and cancels every started
  build at once: before the suite's next call (unless that call is the
  suite's own cancel of that build) and when the test step ends.
- :class:`ResourceTracker`: what a workspace created; :meth:`ResourceTracker.cleanup`
  deletes it all, builds first, in dependency order.

Resources are also tagged with the run id (:data:`RUN_TAG`) and start time
(:data:`STARTED_TAG`), so ``python -m contract_tests.sweep`` can find what a
crashed run left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from .client import ContractClient

__all__ = [
    "NAME_PREFIX",
    "RUN_TAG",
    "STARTED_TAG",
    "Budget",
    "BudgetExhausted",
    "LiveGuard",
    "ResourceTracker",
    "UnsafeCall",
    "acting_as_guard",
    "caller_account",
    "loopback_url",
]

NAME_PREFIX = "fibct"
"""Every resource the suite creates is named ``fibct-<run id>-...`` (fakeimagebuilder contract test)."""

RUN_TAG = "fakeimagebuilder:contract-run"
STARTED_TAG = "fakeimagebuilder:contract-started"

# Operations that change or delete an existing resource, and the members that name it.
_MUTATING = frozenset(
    {
        "StartImagePipelineExecution",
        "CancelImageCreation",
        "UpdateImagePipeline",
        "DeleteImagePipeline",
        "DeleteImage",
        "DeleteImageRecipe",
        "DeleteInfrastructureConfiguration",
        "DeleteDistributionConfiguration",
        "TagResource",
        "UntagResource",
    }
)
_ARN_MEMBERS = (
    "imagePipelineArn",
    "imageBuildVersionArn",
    "imageRecipeArn",
    "infrastructureConfigurationArn",
    "distributionConfigurationArn",
    "resourceArn",
)
_NAMED = re.compile(
    r":(image-pipeline|image|image-recipe|infrastructure-configuration|distribution-configuration)/([^/]*)"
)

# Answers to a cancel that mean "try again shortly": the build may not be visible yet (eventual consistency).
_RETRY_CANCEL = frozenset(
    {
        "ResourceNotFoundException",
        "ResourceInUseException",
        "CallRateLimitExceededException",
        "ServiceException",
        "ServiceUnavailableException",
    }
)


def loopback_url(value: str) -> str:
    """``value``, if it is a URL on a loopback address: the kit's stand-ins never leave the machine."""
    host = urlsplit(value).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise argparse.ArgumentTypeError(f"{value!r}: stand-in endpoints must be on a loopback address")
    return value


def caller_account(sts_client: Any) -> str:
    """The account id of the credentials ``sts_client`` signs with."""
    account: str = sts_client.get_caller_identity()["Account"]
    return account


class BudgetExhausted(pytest.skip.Exception):
    """The build budget is spent: the test that needed another build is skipped."""


class UnsafeCall(RuntimeError):
    """A live run was about to change a resource it did not create."""


class Budget:
    """At most ``total`` builds, counted when started; thread-safe."""

    def __init__(self, total: int) -> None:
        if total < 0:
            raise ValueError("a build budget cannot be negative")
        self.total = total
        self.started = 0
        self._reserved = 0
        self._lock = threading.Lock()

    @staticmethod
    def share(total: int, workers: int, index: int) -> int:
        """Worker ``index``'s share of a budget of ``total`` split over ``workers``: the shares add up to ``total``."""
        return total // workers + (1 if index < total % workers else 0)

    @property
    def remaining(self) -> int:
        """Builds that may still be started."""
        with self._lock:
            return self.total - self.started - self._reserved

    def reserve(self) -> None:
        """Hold one build for a start about to be sent; :class:`BudgetExhausted` if none is left."""
        with self._lock:
            if self.started + self._reserved >= self.total:
                raise BudgetExhausted(
                    f"the build budget is spent ({self.started} of --max-builds {self.total} started); "
                    "raise --max-builds to run this test"
                )
            self._reserved += 1

    def settle(self, built: bool) -> None:
        """The start held by :meth:`reserve` answered: it built something, or not."""
        with self._lock:
            self._reserved -= 1
            if built:
                self.started += 1


@contextmanager
def acting_as_guard(client: ContractClient) -> Iterator[None]:
    """Mark the calls made in the block as the guard's own (recorded as such, not guarded again)."""
    previous, client.actor = client.actor, "guard"
    try:
        yield
    finally:
        client.actor = previous


class LiveGuard:
    """Guards every call of a live run: ownership, build budget, immediate cancellation."""

    def __init__(
        self,
        budget: Budget,
        run_prefix: str,
        *,
        cancel_attempts: int = 8,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.budget = budget
        self.run_prefix = run_prefix.lower()
        self.cancel_attempts = cancel_attempts
        self.sleep = sleep
        self.started: list[str] = []  # every build this run started, in order
        self.pending: dict[str, None] = {}  # started, not yet cancelled (ordered)
        self.unanswered: list[dict[str, Any]] = []  # starts sent whose answer never came (a Ctrl-C, a lost line)
        self._lock = threading.RLock()

    # -- ownership ------------------------------------------------------------------------------

    def check_ours(self, operation: str, params: dict[str, Any]) -> None:
        """Refuse a call that would change a resource whose name is not this run's."""
        if operation not in _MUTATING:
            return
        for member in _ARN_MEMBERS:
            value = params.get(member)
            if not isinstance(value, str):
                continue
            for _, name in _NAMED.findall(value):
                if name and not name.lower().startswith(self.run_prefix):
                    raise UnsafeCall(
                        f"refusing {operation} on {value!r}: its name does not start with {self.run_prefix!r}, "
                        "so this run did not create it"
                    )

    # -- the observer ---------------------------------------------------------------------------

    def before(self, client: ContractClient, operation: str, params: dict[str, Any]) -> None:
        """Check ownership, cancel what is pending, and hold a build for a start."""
        if client.actor == "guard":
            return
        self.check_ours(operation, params)
        keep = params.get("imageBuildVersionArn") if operation == "CancelImageCreation" else None
        self.flush(client, keep=keep)
        if operation == "StartImagePipelineExecution":
            self.budget.reserve()

    def after(
        self,
        client: ContractClient,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        error: BaseException | None,
    ) -> None:
        """Settle the budget of a start; note new builds and the suite's own cancels."""
        if client.actor == "guard":
            return
        if operation == "StartImagePipelineExecution":
            if response is None and _maybe_sent(error):
                # The service may have started a build: keep its budget held until a replay tells.
                with self._lock:
                    self.unanswered.append(params)
                return
            self._started((response or {}).get("imageBuildVersionArn"))
        elif operation == "CancelImageCreation" and response is not None:
            with self._lock:
                self.pending.pop(params["imageBuildVersionArn"], None)

    # -- cancelling ------------------------------------------------------------------------------

    def _started(self, arn: str | None) -> None:
        """Settle the budget held for a start that answered ``arn`` (None: it started nothing)."""
        built = False
        with self._lock:
            if arn and arn not in self.started:
                self.started.append(arn)
                self.pending[arn] = None
                built = True
        self.budget.settle(built)

    def flush(self, client: ContractClient, keep: str | None = None) -> None:
        """Learn what unanswered starts did, then cancel every pending build (but ``keep``) through ``client``."""
        with self._lock:
            while self.unanswered:
                params = self.unanswered[0]
                # The same token and parameters: the build the lost answer named, or none (idempotency).
                with acting_as_guard(client):
                    try:
                        arn = client.start_image_pipeline_execution(**params)["imageBuildVersionArn"]
                    except ClientError:
                        arn = None
                self.unanswered.pop(0)
                self._started(arn)
            for arn in [a for a in self.pending if a != keep]:
                self._cancel(client, arn)
                self.pending.pop(arn, None)

    def _cancel(self, client: ContractClient, arn: str) -> None:
        delay = 0.5
        with acting_as_guard(client):
            for attempt in range(self.cancel_attempts):
                try:
                    client.cancel_image_creation(imageBuildVersionArn=arn)
                    return
                except ClientError as error:
                    code = error.response["Error"]["Code"]
                    if code == "InvalidRequestException":
                        return  # no longer in progress: nothing to cancel
                    if code not in _RETRY_CANCEL or attempt == self.cancel_attempts - 1:
                        raise
                self.sleep(delay)
                delay = min(delay * 2, 8.0)


class ResourceTracker:
    """A call observer that notes what a workspace created, and deletes it all on :meth:`cleanup`."""

    _CREATED: ClassVar[dict[str, tuple[str, str]]] = {
        "CreateImageRecipe": ("imageRecipeArn", "recipes"),
        "CreateInfrastructureConfiguration": ("infrastructureConfigurationArn", "infrastructure"),
        "CreateDistributionConfiguration": ("distributionConfigurationArn", "distributions"),
        "CreateImagePipeline": ("imagePipelineArn", "pipelines"),
        "StartImagePipelineExecution": ("imageBuildVersionArn", "builds"),
    }
    _DELETED: ClassVar[dict[str, tuple[str, str]]] = {
        "DeleteImageRecipe": ("imageRecipeArn", "recipes"),
        "DeleteInfrastructureConfiguration": ("infrastructureConfigurationArn", "infrastructure"),
        "DeleteDistributionConfiguration": ("distributionConfigurationArn", "distributions"),
        "DeleteImagePipeline": ("imagePipelineArn", "pipelines"),
        "DeleteImage": ("imageBuildVersionArn", "builds"),
    }
    # Deleted in this order: a build before its pipeline, a pipeline before its recipe and configurations.
    _ORDER = (
        ("pipelines", "DeleteImagePipeline", "imagePipelineArn"),
        ("recipes", "DeleteImageRecipe", "imageRecipeArn"),
        ("infrastructure", "DeleteInfrastructureConfiguration", "infrastructureConfigurationArn"),
        ("distributions", "DeleteDistributionConfiguration", "distributionConfigurationArn"),
    )

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, None]] = {
            kind: {} for kind in ("builds", "pipelines", "recipes", "infrastructure", "distributions")
        }
        self.unanswered: list[tuple[str, dict[str, Any]]] = []  # creations whose answer never came
        self._lock = threading.Lock()

    def before(self, client: ContractClient, operation: str, params: dict[str, Any]) -> None:
        """Nothing to do before a call."""

    def after(
        self,
        client: ContractClient,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        error: BaseException | None,
    ) -> None:
        """Note a resource created or deleted (or perhaps created: the answer was lost)."""
        if response is None:
            if operation in self._CREATED and _maybe_sent(error):
                with self._lock:
                    self.unanswered.append((operation, params))
            return
        with self._lock:
            if operation in self._CREATED:
                member, kind = self._CREATED[operation]
                self.resources[kind][response[member]] = None
            elif operation in self._DELETED:
                member, kind = self._DELETED[operation]
                self.resources[kind].pop(params[member], None)

    def empty(self) -> bool:
        """Whether nothing is left to delete."""
        with self._lock:
            return not any(self.resources.values()) and not self.unanswered

    def cleanup(self, client: ContractClient, settle: Callable[[str], None]) -> list[str]:
        """Delete everything noted, in dependency order; the problems met (each deletion is still tried).

        Builds still in progress are cancelled first; ``settle(arn)`` waits
        until a cancelled build has stopped, so its image can be deleted.
        """
        problems: list[str] = []
        with self._lock:
            unanswered, self.unanswered = self.unanswered, []
        for operation, params in unanswered:
            # Replayed with its token, a creation answers what it made (or makes it now): then it is noted.
            with acting_as_guard(client), contextlib.suppress(ClientError):
                client.call(operation, params)
        with self._lock:
            builds = list(self.resources["builds"])
        for arn in builds:
            try:
                status = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]
                if status not in ("AVAILABLE", "FAILED", "CANCELLED"):
                    _ignore(client.cancel_image_creation, "InvalidRequestException", imageBuildVersionArn=arn)
                    settle(arn)
                _ignore(client.delete_image, "ResourceNotFoundException", imageBuildVersionArn=arn)
            except ClientError as error:
                problems.append(f"image {arn}: {error}")
            with self._lock:
                self.resources["builds"].pop(arn, None)
        for kind, operation, member in self._ORDER:
            with self._lock:
                arns = list(self.resources[kind])
            for arn in arns:
                try:
                    _ignore(getattr(client, _method(operation)), "ResourceNotFoundException", **{member: arn})
                except ClientError as error:
                    problems.append(f"{kind} {arn}: {error}")
                with self._lock:
                    self.resources[kind].pop(arn, None)
        return problems


def _maybe_sent(error: BaseException | None) -> bool:
    """Whether a call that raised ``error`` may have reached the service and acted (its answer lost)."""
    return not isinstance(error, ClientError | ParamValidationError)


def _method(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _ignore(call: Callable[..., Any], code: str, **params: Any) -> None:
    """Make the call; an error ``code`` (the resource is already gone, or done) is not a problem."""
    try:
        call(**params)
    except ClientError as error:
        if error.response["Error"]["Code"] != code:
            raise
