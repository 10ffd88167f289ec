"""The public face of the fake: one object that owns the state and wires the layers together."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .clock import Clock, VirtualClock
from .model import error_statuses, service_model
from .policy import Policy
from .service import BuildPlan, Call, ImageBuilderService, Settings
from .transports import botocore_hook
from .wire import HttpRequest, HttpResponse, RestJsonWire

if TYPE_CHECKING:
    import responses

    from .persistence import Journal

__all__ = ["DEFAULT_ACCOUNT_ID", "KEEP", "FakeImageBuilder", "check_knobs"]

DEFAULT_ACCOUNT_ID = "123456789012"


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP
"""For :meth:`FakeImageBuilder.configure`: leave this knob as it is (None is a value of some knobs)."""


def _require_modeled_error(code: str) -> None:
    if code not in error_statuses():
        raise ValueError(f"{code!r} is not a modeled Image Builder error; use one of {sorted(error_statuses())}")


def check_knobs(
    *,
    account_id: str | _Keep = KEEP,
    region: str | _Keep = KEEP,
    disabled_pipeline_error: str | _Keep | None = KEEP,
    max_concurrent_builds: int | _Keep | None = KEEP,
) -> None:
    """Raise ValueError for a knob value the fake cannot use (the one place these rules live)."""
    if not isinstance(account_id, _Keep) and not (
        isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()
    ):
        raise ValueError(f"account_id must be 12 digits, not {account_id!r}")
    if not isinstance(region, _Keep) and not (isinstance(region, str) and region.replace("-", "").isalnum()):
        raise ValueError(f"region must look like 'us-east-1', not {region!r}")
    if not isinstance(disabled_pipeline_error, _Keep) and disabled_pipeline_error is not None:
        # It is what a start answers, so it must be one of the start's modeled errors.
        start = service_model().operation_model("StartImagePipelineExecution")
        codes = sorted(shape.name for shape in start.error_shapes)
        if disabled_pipeline_error not in codes:
            raise ValueError(f"disabled_pipeline_error must be None or one of {codes}, not {disabled_pipeline_error!r}")
    if (
        not isinstance(max_concurrent_builds, _Keep)
        and max_concurrent_builds is not None
        and (
            isinstance(max_concurrent_builds, bool)
            or not isinstance(max_concurrent_builds, int)
            or max_concurrent_builds < 1
        )
    ):
        raise ValueError(f"max_concurrent_builds must be None or an int >= 1, not {max_concurrent_builds!r}")


class FakeImageBuilder:
    """A fake EC2 Image Builder, reached through the wire protocol.

    As a context manager it takes every botocore/boto3 ``imagebuilder``
    client in the process that talks to an AWS endpoint, with no network::

        with FakeImageBuilder() as fake:
            client = boto3.client("imagebuilder", region_name="us-east-1")
            ...
            fake.advance(3600)   # builds move on the virtual clock

    Requests name their region (SigV4 scope or host); the account comes from
    ``accounts`` (access key id -> account id), else ``account_id``.
    """

    def __init__(
        self,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = "us-east-1",
        *,
        accounts: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        build_plan: BuildPlan | None = None,
        disabled_pipeline_error: str | None = "InvalidRequestException",
        max_concurrent_builds: int | None = None,
    ) -> None:
        check_knobs(
            account_id=account_id,
            region=region,
            disabled_pipeline_error=disabled_pipeline_error,
            max_concurrent_builds=max_concurrent_builds,
        )
        self.account_id = account_id
        self.region = region
        self.accounts = dict(accounts or {})
        self.clock: Clock = clock or VirtualClock()
        self.settings = Settings(
            build_plan=build_plan or BuildPlan(),
            disabled_pipeline_error=disabled_pipeline_error,
            max_concurrent_builds=max_concurrent_builds,
            # AWS disables after 5 failed scheduled builds when the schedule names no policy; a model
            # without autoDisablePolicy (older botocore) predates auto-disable: none then.
            auto_disable_failures=5 if "autoDisablePolicy" in service_model().shape_for("Schedule").members else None,
        )
        self.service = ImageBuilderService(self.clock, self.settings)
        self.policy = Policy(self.clock)
        self.wire = RestJsonWire(self._dispatch, account_for=self._account_for, default_region=region)
        self._active = 0
        # Set by persistence.load_fake (server --state-file): records each acknowledged change.
        self.journal: Journal | None = None

    # -- the one entry point every transport uses -------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request in the Image Builder wire protocol."""
        return self.wire.handle(request)

    def _dispatch(self, call: Call) -> dict[str, Any]:
        self.policy.check(call)
        if self.journal is None:
            return self.service.call(call)
        return self.journal.record(call, self.service.call)

    def _account_for(self, access_key: str | None) -> str:
        if access_key is None:
            return self.account_id
        return self.accounts.get(access_key, self.account_id)

    # -- in-process transport -----------------------------------------------------

    def start(self) -> FakeImageBuilder:
        """Route this process's Image Builder clients to the fake (nests; see :meth:`stop`)."""
        botocore_hook.activate(self.handle)
        self._active += 1
        return self

    def stop(self) -> None:
        """Undo one :meth:`start`; botocore is restored when no fake is active."""
        if self._active:
            self._active -= 1
            botocore_hook.deactivate(self.handle)

    def __enter__(self) -> FakeImageBuilder:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @contextmanager
    def mock_requests(self, mock: responses.RequestsMock | None = None) -> Iterator[responses.RequestsMock]:
        """Answer ``requests`` calls to Image Builder URLs from this fake, through ``responses``.

        Every other URL is left alone: with ``mock`` (your own
        ``responses.RequestsMock``, or ``responses.mock``), the fake's
        callbacks are added to it for the block; without, a mock of ours is
        started that passes everything else on to whatever ``requests`` would
        have done (including your own active ``responses`` mock).
        """
        from .transports import responses_mock

        with responses_mock.mocked(self.handle, mock) as active:
            yield active

    def client(self, region: str | None = None, **kwargs: Any) -> Any:
        """A botocore Image Builder client with dummy credentials, for use while the fake is active."""
        import botocore.session

        kwargs.setdefault("aws_access_key_id", "testing")
        kwargs.setdefault("aws_secret_access_key", "testing")
        return botocore.session.get_session().create_client("imagebuilder", region_name=region or self.region, **kwargs)

    # -- knobs ----------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward; builds progress accordingly.

        Raises ValueError for a step that is negative, not finite, or past the year 9999.
        """
        if self.journal is None:
            self.clock.advance(seconds)
        else:
            self.journal.control("advance", lambda: self.clock.advance(seconds), seconds=seconds)

    def fail_next(self, operation: str, code: str, times: int = 1, message: str | None = None) -> None:
        """Answer the next ``times`` calls of ``operation`` with the modeled error ``code``.

        Any error shape of the Image Builder model may be injected into any
        operation; it is answered with its modeled HTTP status.
        """
        if operation not in service_model().operation_names:
            raise ValueError(f"{operation!r} is not an Image Builder operation")
        _require_modeled_error(code)
        self.policy.fail_next(operation, code, times, message)

    def pending_faults(self, operation: str) -> int:
        """How many injected faults still wait for ``operation``."""
        return self.policy.pending_faults(operation)

    def set_rate_limit(self, operation: str, rate: float, burst: float | None = None) -> None:
        """Throttle ``operation`` to ``rate`` calls per virtual second (CallRateLimitExceededException past it)."""
        self.policy.set_rate_limit(operation, rate, burst)

    def deny(self, operation: str | None = None, account_id: str | None = None) -> None:
        """Answer ForbiddenException to ``operation`` (None: all) from ``account_id`` (None: all)."""
        self.policy.deny(operation, account_id)

    def configure(
        self,
        *,
        account_id: str | _Keep = KEEP,
        disabled_pipeline_error: str | _Keep | None = KEEP,
        max_concurrent_builds: int | _Keep | None = KEEP,
        build_plan: BuildPlan | _Keep = KEEP,
    ) -> None:
        """Change the knobs of a running fake (as the constructor sets them); knobs not named stay."""
        check_knobs(
            account_id=account_id,
            disabled_pipeline_error=disabled_pipeline_error,
            max_concurrent_builds=max_concurrent_builds,
        )
        with self.service.lock:
            if not isinstance(account_id, _Keep):
                self.account_id = account_id
            if not isinstance(disabled_pipeline_error, _Keep):
                self.settings.disabled_pipeline_error = disabled_pipeline_error
            if not isinstance(max_concurrent_builds, _Keep):
                self.settings.max_concurrent_builds = max_concurrent_builds
            if not isinstance(build_plan, _Keep):
                self.settings.build_plan = build_plan

    def set_build_plan(self, plan: BuildPlan, pipeline_arn: str | None = None) -> None:
        """How builds behave from now on: for one pipeline, or (no ARN) for every pipeline without its own plan."""
        with self.service.lock:
            if pipeline_arn is None:
                self.settings.build_plan = plan
            else:
                self.settings.pipeline_plans[pipeline_arn] = plan

    def reset(self) -> None:
        """Empty all state: resources, builds, client tokens, faults, rate limits and deny rules."""
        if self.journal is None:
            self._reset()
        else:
            self.journal.control("reset", self._reset)

    def _reset(self) -> None:
        self.service.reset()
        self.policy.reset()
        with self.service.lock:
            self.settings.pipeline_plans.clear()

    def state(self) -> dict[str, Any]:
        """A JSON-ready copy of every resource, as the Get operations would show it now.

        Changing the copy changes nothing in the fake.
        """
        return self.service.state()
