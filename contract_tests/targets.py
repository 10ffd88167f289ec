"""Target adapters: the only code that knows what the suite runs against.

A :class:`Target` makes clients, creates prerequisites and waits; nothing
else differs between targets:

- :class:`FakeTarget` (``--target fake``): an in-process
  :class:`~fakeimagebuilder.FakeImageBuilder`; waiting advances its virtual clock.
- :class:`EndpointTarget` (``--target endpoint --endpoint-url URL``): any
  server speaking the protocol. If it serves ``GET /_fake/health``, waiting
  is ``POST /_fake/advance`` (authenticated as :func:`control_call` says);
  otherwise it polls with a timeout.
- :class:`AwsTarget` (``--target aws``): a real account, behind the
  :class:`~contract_tests.safety.LiveGuard`. Builds are cancelled at once,
  so tests that need a finished build are skipped there.

Tests work in a :class:`Workspace`: a client, run-scoped names, and the
resources it created, deleted when it closes (except on the in-process fake,
whose state dies with the process).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, UnknownRegionError

from fakeimagebuilder import FakeImageBuilder

from .client import CallObserver, ContractClient
from .expect import TERMINAL
from .safety import NAME_PREFIX, RUN_TAG, STARTED_TAG, Budget, LiveGuard, ResourceTracker, shielded

__all__ = [
    "DUMMY_CREDENTIALS",
    "ENDPOINT_REGION",
    "AwsTarget",
    "ControlRefused",
    "EndpointTarget",
    "FakeTarget",
    "Names",
    "Observation",
    "Pipeline",
    "Recipe",
    "Target",
    "TargetOptions",
    "Workspace",
    "control_access",
    "control_call",
    "make_target",
]

T = TypeVar("T")

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
"""What the fake and endpoint targets' clients sign with (and, without a control token, control requests)."""
ENDPOINT_REGION = "us-east-1"
"""The region the endpoint target's requests are signed for."""


@dataclass(frozen=True)
class TargetOptions:
    """The command-line choices a target is built from."""

    target: str = "fake"
    endpoint_url: str | None = None
    wait_timeout: float = 600.0
    aws_account: str | None = None
    aws_region: str = "us-east-1"
    aws_instance_profile: str = "EC2InstanceProfileForImageBuilder"
    aws_parent_image: str | None = None
    aws_component: str | None = None
    max_builds: int = 3
    control_token: str | None = None  # --target endpoint: the server's --control-token
    aws_endpoint_url: str | None = None  # testing only: a stand-in for Image Builder
    sts_endpoint_url: str | None = None  # testing only: a stand-in for STS
    fixtures_dir: Path = Path("fixtures")


@dataclass(frozen=True)
class Recipe:
    """An image recipe the workspace created."""

    arn: str
    name: str
    version: str


@dataclass(frozen=True)
class Pipeline:
    """An image pipeline the workspace created, with what it was created from."""

    arn: str
    name: str
    recipe: Recipe
    infrastructure_arn: str
    image_tests: bool


@dataclass
class Observation:
    """What waiting for a build saw: its last status and image, and every distinct status on the way."""

    status: str
    image: dict[str, Any]
    seen: list[str] = field(default_factory=list)


class Names:
    """Run-scoped resource names: ``fibct-<run id>-<worker>-<kind>-<n>``, unique across xdist workers.

    ``started`` is when the run started (``%Y-%m-%dT%H:%M:%SZ``), the same in every worker: the sweep measures a
    run's age from it.
    """

    def __init__(self, run_id: str, worker: str, started: str | None = None) -> None:
        self.run_id = run_id
        self.worker = worker
        self.started = started or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.prefix = f"{NAME_PREFIX}-{run_id}-"
        self.made: list[str] = []
        self._count = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, kind: str) -> str:
        """A fresh name (lower case, so the ARN shows it unchanged)."""
        with self._lock:
            name = f"{self.prefix}{self.worker}-{kind}-{next(self._count)}"
            self.made.append(name)
            return name

    def snapshot(self) -> list[str]:
        """Every name made so far."""
        with self._lock:
            return list(self.made)


class Target:
    """What the suite runs against. Subclasses make clients and wait; see the module docstring."""

    name: ClassVar[str]
    controls_time: bool = False
    """Waiting moves the target's clock (else it polls in real time)."""
    finishes_builds: ClassVar[bool] = True
    """Builds may run to the end (not on AWS: the guard cancels them)."""
    cleans_up: ClassVar[bool] = True
    """Workspaces delete what they created when they close."""
    poll_interval: float = 2.0
    consistency_timeout: float = 30.0
    """How long an answer may lag behind a change (eventual consistency) before a difference counts."""
    advance_step: float = 15.0
    serves_installed_model: ClassVar[bool] = False
    """The target answers by the installed botocore's model (the in-process fake does); an endpoint may run
    another botocore, and AWS serves its newest model."""

    def __init__(self, options: TargetOptions, names: Names) -> None:
        self.options = options
        self.names = names
        self.account = "123456789012"
        self.region = "us-east-1"
        self._session = botocore.session.Session()
        self._workspaces: list[Workspace] = []
        self._lock = threading.Lock()
        self._base: Workspace | None = None
        self._client: BaseClient | None = None
        self.infrastructure_arn = ""
        self.interrupted = False
        self.notify: Callable[[str], None] = print
        """Tells the user something at once (the suite writes past pytest's output capture)."""
        """An interrupt arrived while closing (re-raised by the caller once the problems are shown)."""

    @property
    def partition(self) -> str:
        """The partition of the target's region, from botocore's endpoint data (not the fake's own idea of it).

        A region botocore does not know is taken to be in ``aws``, as botocore's endpoint resolver does.
        """
        try:
            partition: str = self._session.get_partition_for_region(self.region)
        except UnknownRegionError:
            return "aws"
        return partition

    def model_refusal(self, what: str) -> str | None:
        """For a value only a constraint of the installed model refuses (``what`` names it): None where the
        target serves that model, else what the target's taking it means (``expect_error(taken_means=...)``)."""
        if self.serves_installed_model:
            return None
        return (
            f"the {self.name} target took {what}, which the installed model (botocore {botocore.__version__}) "
            "refuses: it serves a newer model (AWS serves its newest) or does not check this; the fake target "
            "checks it under the installed model"
        )

    # -- per target ------------------------------------------------------------------------------

    def make_client(self) -> BaseClient:
        """A new botocore Image Builder client on the target."""
        raise NotImplementedError

    def shared_client(self) -> BaseClient:
        """The target's botocore client, made once: botocore clients are thread-safe and costly to make."""
        with self._lock:
            if self._client is None:
                self._client = self.make_client()
            return self._client

    def observers(self) -> list[CallObserver]:
        """Observers every client of the target carries."""
        return []

    def flush(self, client: ContractClient) -> None:
        """Settle what the run's guard still holds (on the aws target: cancel started builds)."""

    def closing(self) -> contextlib.AbstractContextManager[None]:
        """Around a cleanup: on the aws target, SIGINT and SIGTERM wait until it is done."""
        return contextlib.nullcontext()

    def advance(self, seconds: float) -> None:
        """Move the target's clock (only where :attr:`controls_time`)."""
        raise NotImplementedError(f"the {self.name} target does not control time")

    def can_start(self, builds: int = 1) -> bool:
        """Whether ``builds`` more builds may be started."""
        return True

    def recipe_parameters(self) -> dict[str, Any]:
        """What a recipe is built from: an AWS-managed parent image and component."""
        return {
            "parentImage": f"arn:{self.partition}:imagebuilder:{self.region}:aws:image/amazon-linux-2023-x86/x.x.x",
            "components": [
                {"componentArn": f"arn:{self.partition}:imagebuilder:{self.region}:aws:component/update-linux/x.x.x"}
            ],
        }

    def infrastructure_parameters(self) -> dict[str, Any]:
        """What the infrastructure configuration is built from: ``--aws-instance-profile`` (the same on every
        target, so recordings replay), the smallest instance type, instances terminated on failure."""
        return {
            "instanceProfileName": self.options.aws_instance_profile,
            "instanceTypes": ["t3.micro"],
            "terminateInstanceOnFailure": True,
        }

    # -- life cycle ------------------------------------------------------------------------------

    def open(self) -> None:
        """Get ready: the shared infrastructure configuration every pipeline of the run uses."""
        self._base = Workspace(self)
        self.infrastructure_arn = self._base.infrastructure()

    def close(self) -> list[str]:
        """Close every workspace still open, then delete the shared resources; the problems met.

        Every workspace is closed, whatever an earlier one raised: an error
        becomes a problem, an interrupt sets :attr:`interrupted` (the caller
        re-raises it once the problems are shown).
        """
        problems: list[str] = []
        with self._lock:
            open_ones = [w for w in self._workspaces if w is not self._base]
        if self._base is not None:
            open_ones.append(self._base)
            self._base = None
        for workspace in open_ones:
            try:
                problems += workspace.close()
            except KeyboardInterrupt:  # a second interrupt abandoned that one; the others are still closed
                self.interrupted = True
            except SystemExit:
                raise
            except BaseException as error:  # pytest's skip and exit too: every workspace is still closed
                problems.append(f"closing a workspace: {error}")
        return problems

    def workspace(self, observers: Collection[CallObserver] = ()) -> Workspace:
        """A new workspace on this target."""
        return Workspace(self, observers)

    def serving(self) -> contextlib.AbstractContextManager[Any]:
        """While entered, the target answers the run's clients (a remote one always does)."""
        return contextlib.nullcontext()

    def _opened(self, workspace: Workspace) -> None:
        with self._lock:
            self._workspaces.append(workspace)

    def _closed(self, workspace: Workspace) -> None:
        with self._lock:
            if workspace in self._workspaces:
                self._workspaces.remove(workspace)


class Workspace:
    """One test's (or one state-machine example's) view of the target."""

    def __init__(self, target: Target, observers: Collection[CallObserver] = ()) -> None:
        self.target = target
        self.names = target.names
        self.tracker = ResourceTracker()
        self.client = ContractClient(target.shared_client(), [self.tracker, *target.observers(), *observers])
        self.closed = False
        target._opened(self)

    # -- values ----------------------------------------------------------------------------------

    def token(self) -> str:
        """A fresh client token."""
        return str(uuid.uuid4())

    def tags(self) -> dict[str, str]:
        """The tags every resource of the run carries (the sweep finds leftovers by them)."""
        return {RUN_TAG: self.names.run_id, STARTED_TAG: self.names.started}

    def arn(self, resource_type: str, *path: str) -> str:
        """An ARN in the target's partition, region and account."""
        target = self.target
        return f"arn:{target.partition}:imagebuilder:{target.region}:{target.account}:{resource_type}/" + "/".join(path)

    def build_arn(self, recipe: Recipe, number: int) -> str:
        """The ARN build ``number`` of ``recipe`` must have."""
        return self.arn("image", recipe.name, recipe.version, str(number))

    # -- prerequisites -----------------------------------------------------------------------------

    def recipe(self, version: str = "1.0.0", name: str | None = None) -> Recipe:
        """A new image recipe on the target's AWS-managed parent image and component.

        Its version is the one made: ``version``, or with its ``x`` assigned (auto-versioning).
        """
        name = name or self.names.new("recipe")
        arn = self.client.create_image_recipe(
            name=name, semanticVersion=version, tags=self.tags(), **self.target.recipe_parameters()
        )["imageRecipeArn"]
        return Recipe(arn, name, arn.rsplit("/", 1)[1])

    def infrastructure(self, name: str | None = None) -> str:
        """A new infrastructure configuration on the target's parameters; its ARN."""
        arn: str = self.client.create_infrastructure_configuration(
            name=name or self.names.new("infra"), tags=self.tags(), **self.target.infrastructure_parameters()
        )["infrastructureConfigurationArn"]
        return arn

    def pipeline(
        self,
        recipe: Recipe | None = None,
        *,
        name: str | None = None,
        infrastructure_arn: str | None = None,
        image_tests: bool = False,
        status: str = "ENABLED",
    ) -> Pipeline:
        """A new pipeline (and a new recipe, unless given) on the shared infrastructure configuration, unless
        another is given."""
        recipe = recipe or self.recipe()
        name = name or self.names.new("pipeline")
        infrastructure_arn = infrastructure_arn or self.target.infrastructure_arn
        arn = self.client.create_image_pipeline(
            name=name,
            imageRecipeArn=recipe.arn,
            infrastructureConfigurationArn=infrastructure_arn,
            imageTestsConfiguration={"imageTestsEnabled": image_tests},
            status=status,
            tags=self.tags(),
        )["imagePipelineArn"]
        return Pipeline(arn, name, recipe, infrastructure_arn, image_tests)

    def set_status(self, pipeline: Pipeline, status: str) -> dict[str, Any]:
        """UpdateImagePipeline to ``status`` (ENABLED or DISABLED), restating the whole configuration."""
        return self.client.update_image_pipeline(
            imagePipelineArn=pipeline.arn,
            imageRecipeArn=pipeline.recipe.arn,
            infrastructureConfigurationArn=pipeline.infrastructure_arn,
            imageTestsConfiguration={"imageTestsEnabled": pipeline.image_tests},
            status=status,
        )

    # -- time ------------------------------------------------------------------------------------

    def can_start(self) -> bool:
        """Whether the target allows another build now."""
        return self.target.can_start()

    def let_time_pass(self, seconds: float) -> None:
        """Let builds progress: move a controlled clock by ``seconds``, else wait a little."""
        if self.target.controls_time:
            self.target.advance(seconds)
        else:
            time.sleep(min(seconds, self.target.poll_interval))

    def eventually(self, fetch: Callable[[], T], accept: Callable[[T], bool]) -> T:
        """``fetch()`` once, or on a target that is only eventually consistent, until ``accept`` or timeout.

        On targets whose clock the suite controls nothing changes between
        calls by itself, so one answer is the answer.
        """
        value = fetch()
        if self.target.controls_time:
            return value
        deadline = time.monotonic() + self.target.consistency_timeout
        while not accept(value) and time.monotonic() < deadline:
            time.sleep(self.target.poll_interval)
            value = fetch()
        return value

    def get_image(self, arn: str) -> dict[str, Any]:
        """GetImage's image. Where the target is only eventually consistent, a build just started
        may answer ResourceNotFoundException for a moment (terraform's waiter allows for it): retried."""
        deadline = time.monotonic() + self.target.consistency_timeout
        while True:
            try:
                image: dict[str, Any] = self.client.get_image(imageBuildVersionArn=arn)["image"]
                return image
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if self.target.controls_time or code != "ResourceNotFoundException" or time.monotonic() > deadline:
                    raise
            time.sleep(self.target.poll_interval)

    def wait_for_image(self, arn: str, until: Collection[str], *, timeout: float | None = None) -> Observation:
        """Wait until the build is in a status of ``until`` or has ended; what was seen on the way."""
        seen: list[str] = []
        target = self.target
        limit = timeout if timeout is not None else (6 * 3600 if target.controls_time else target.options.wait_timeout)
        spent = 0.0
        started = time.monotonic()
        while True:
            image = self.get_image(arn)
            status = image["state"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in until or status in TERMINAL:
                return Observation(status, image, seen)
            if target.controls_time:
                if spent >= limit:
                    return Observation(status, image, seen)
                target.advance(target.advance_step)
                spent += target.advance_step
            else:
                if time.monotonic() - started >= limit:
                    return Observation(status, image, seen)
                time.sleep(target.poll_interval)

    # -- the end ---------------------------------------------------------------------------------

    def close(self) -> list[str]:
        """Delete what this workspace created (where the target keeps state); the problems met."""
        if self.closed:
            return []
        self.closed = True
        problems: list[str] = []
        with self.target.closing():
            try:
                try:
                    self.target.flush(self.client)
                finally:  # a cancel that failed stops the run (raised on); what the workspace made still goes
                    if self.target.cleans_up:
                        problems += self.tracker.cleanup(self.client, self._settle)
            finally:
                self.target._closed(self)
        return problems

    def _settle(self, arn: str) -> None:
        # If the build does not stop, the deletion that follows reports what is wrong.
        with contextlib.suppress(ClientError):
            self.wait_for_image(arn, TERMINAL, timeout=None if self.target.controls_time else 120)


# -- the targets ---------------------------------------------------------------------------------


class FakeTarget(Target):
    """The in-process fake; every client reaches it through botocore's own transport."""

    name = "fake"
    controls_time = True
    cleans_up = False
    serves_installed_model = True

    def open(self) -> None:
        """Make the fake, then the shared prerequisites."""
        self.fake = FakeImageBuilder(account_id=self.account, region=self.region)
        with self.fake:
            super().open()

    def close(self) -> list[str]:
        """Close the workspaces (the fake's state goes with it)."""
        with self.fake:
            return super().close()

    def serving(self) -> contextlib.AbstractContextManager[Any]:
        """The fake, active only while a test runs: a session-long activation would also answer the other
        tests of a pytest session that runs this suite beside them (``pytest tests contract_tests -n 2``)."""
        return self.fake

    def make_client(self) -> BaseClient:
        """A client aimed at the real AWS host name, which the active fake answers in-process.

        The explicit ``endpoint_url`` keeps any ``AWS_ENDPOINT_URL`` of the
        developer's environment from sending the suite elsewhere.
        """
        return self._session.create_client(
            "imagebuilder",
            region_name=self.region,
            endpoint_url=f"https://imagebuilder.{self.region}.amazonaws.com",
            **DUMMY_CREDENTIALS,
        )

    def advance(self, seconds: float) -> None:
        """Move the fake's virtual clock."""
        self.fake.advance(seconds)


class ControlRefused(Exception):
    """A ``/_fake/`` control request the server answered with an error (the message says which and why)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def control_call(
    url: str, method: str, route: str, payload: dict[str, Any] | None = None, *, region: str, token: str | None
) -> Any:
    """One ``/_fake/`` control request to the server at ``url``; its JSON answer.

    Authenticated the ways this project's server accepts (README, "Run it as
    a server"): with ``token``, ``Authorization: Bearer TOKEN`` (its
    ``--control-token``); without, a SigV4 signature with the suite's own
    credentials, which a server checking signatures takes from a known key
    and an open server ignores. An error answer, or none, raises
    :class:`ControlRefused` naming the route, the status and the server's code
    and message.
    """
    data = None if payload is None else json.dumps(payload).encode()
    address = f"{url}/_fake/{route}"
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    else:
        signed = AWSRequest(method=method, url=address, data=data or b"", headers=headers)
        SigV4Auth(Credentials(*DUMMY_CREDENTIALS.values()), "imagebuilder", region).add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(address, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            body = error.read()
        try:
            said = json.loads(body)
        except ValueError:
            said = None
        code = (error.headers.get("x-amzn-ErrorType") or "").split(":", 1)[0]
        detail = f"HTTP {error.code} {code}".rstrip()
        if isinstance(said, dict) and said.get("message"):
            detail += f": {said['message']}"
        raise ControlRefused(f"{method} /_fake/{route} got {detail}", error.code) from None
    except (urllib.error.URLError, OSError) as error:  # no answer at all (status 0)
        reason = getattr(error, "reason", None) or error
        raise ControlRefused(f"{method} /_fake/{route} got no answer ({reason})", 0) from None


def control_access(url: str, *, region: str, token: str | None) -> bool:
    """Whether the suite moves the clock of the server at ``url``: False when it has no control routes
    (``GET /_fake/health``, which needs no credential, does not answer), True when ``POST /_fake/advance`` of 0
    seconds (a change of nothing) is taken; :class:`ControlRefused` when it has the routes but refuses the
    suite's request, with what to do about it."""
    try:
        control_call(url, "GET", "health", region=region, token=None)
    except (ControlRefused, ValueError):
        return False
    try:
        control_call(url, "POST", "advance", {"seconds": 0}, region=region, token=token)
    except ControlRefused as refused:
        if refused.status not in (401, 403):
            raise
        key = DUMMY_CREDENTIALS["aws_access_key_id"]
        advice = (
            "give the suite the token the server was started with (--control-token TOKEN)"
            if token is not None
            else f"give the suite the server's --control-token TOKEN, or start the server with --verify-signatures "
            f"--credential {key}:{DUMMY_CREDENTIALS['aws_secret_access_key']} (the suite signs as {key})"
        )
        raise ControlRefused(f"{str(refused).rstrip('.')}; {advice}", refused.status) from None
    return True


class EndpointTarget(Target):
    """Any HTTP endpoint speaking the Image Builder protocol."""

    name = "endpoint"

    def __init__(self, options: TargetOptions, names: Names) -> None:
        super().__init__(options, names)
        if not options.endpoint_url:
            raise pytest.UsageError("--target endpoint needs --endpoint-url URL")
        self.url = options.endpoint_url.rstrip("/")
        self.region = ENDPOINT_REGION
        self.poll_interval = 0.25
        self.consistency_timeout = 10.0

    def open(self) -> None:
        """Find out whether the suite may move the server's clock, and which account it serves us as."""
        self.controls_time = control_access(self.url, region=self.region, token=self.options.control_token)
        super().open()
        self.account = self.infrastructure_arn.split(":")[4]

    def make_client(self) -> BaseClient:
        """A client on the endpoint, signing with dummy credentials."""
        return self._session.create_client(
            "imagebuilder", region_name=self.region, endpoint_url=self.url, **DUMMY_CREDENTIALS
        )

    def advance(self, seconds: float) -> None:
        """``POST /_fake/advance``."""
        control_call(
            self.url, "POST", "advance", {"seconds": seconds}, region=self.region, token=self.options.control_token
        )


class AwsTarget(Target):
    """A real AWS account, behind the live-run guard."""

    name = "aws"
    finishes_builds = False
    poll_interval = 5.0

    def __init__(self, options: TargetOptions, names: Names, budget: Budget) -> None:
        super().__init__(options, names)
        if options.aws_account is None:
            raise pytest.UsageError("--target aws needs --aws-account ACCOUNT_ID (the account you expect to run in)")
        self.account = options.aws_account
        self.region = options.aws_region
        references = [r for r in (options.aws_parent_image, options.aws_component) if r]
        self.guard = LiveGuard(budget, names.prefix, account=self.account, region=self.region, references=references)
        # On the session: every client made from it carries the guard on its event path.
        self.guard.attach(self._session)
        if options.aws_endpoint_url:  # a stand-in: answers at once, and is consistent at once
            self.poll_interval = 0.1
            self.consistency_timeout = 0.5

    def make_client(self) -> BaseClient:
        """A client with the caller's own credentials (or on the testing stand-in).

        Legacy retries: they retry Image Builder's throttling answer (429
        CallRateLimitExceededException), which standard retries, botocore's
        default since 1.44, do not; a retried start keeps its token.
        """
        client = self._session.create_client(
            "imagebuilder",
            region_name=self.region,
            endpoint_url=self.options.aws_endpoint_url,
            config=Config(retries={"mode": "legacy", "total_max_attempts": 5}),
        )
        self.guard.attach(client)
        return client

    def flush(self, client: ContractClient) -> None:
        """Learn what unanswered starts did and cancel every build still pending."""
        self.guard.flush(client)

    def closing(self) -> contextlib.AbstractContextManager[None]:
        """SIGINT and SIGTERM wait until the cleanup is done (a second one abandons it)."""
        return shielded("deleting this run's AWS resources", self.notify)

    def can_start(self, builds: int = 1) -> bool:
        """Whether the build budget has room for ``builds`` more."""
        return self.guard.budget.remaining >= builds

    def recipe_parameters(self) -> dict[str, Any]:
        """The defaults, or ``--aws-parent-image`` / ``--aws-component``."""
        parameters = super().recipe_parameters()
        if self.options.aws_parent_image:
            parameters["parentImage"] = self.options.aws_parent_image
        if self.options.aws_component:
            parameters["components"] = [{"componentArn": self.options.aws_component}]
        return parameters

    def open(self) -> None:
        """Check that the credentials may cancel builds, create the shared prerequisites, and try a recipe: a
        wrong input stops the run with a clear reason."""
        self.guard.check_may_cancel(self.shared_client(), self.partition)
        try:
            super().open()
            probe = Workspace(self)
            try:
                probe.recipe()
            finally:
                probe.close()
        except ClientError as error:
            problems = self.close()
            pytest.exit(
                "could not create the prerequisites in "
                f"{self.account}/{self.region}: {error}. Check --aws-instance-profile "
                f"({self.options.aws_instance_profile!r} must exist in the account), --aws-parent-image and "
                "--aws-component, and that the credentials may use Image Builder."
                + (f" Cleanup problems: {problems}" if problems else ""),
                returncode=4,
            )

    def close(self) -> list[str]:
        """Delete everything (SIGINT and SIGTERM wait), then anything the guard saw made by another path; the
        problems met, ending with what is left behind and the sweep command that deletes it."""
        problems: list[str] = []
        try:
            with self.closing():
                problems = super().close()
                problems += self._sweep_what_the_guard_saw()
        except KeyboardInterrupt:  # deferred until the cleanup was done, or a second one abandoned it
            self.interrupted = True
            problems += self._left_behind()
        return problems

    def _wait_stopped(self, client: ContractClient, arn: str) -> None:
        deadline = time.monotonic() + 120
        with contextlib.suppress(ClientError):
            while client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] not in TERMINAL:
                if time.monotonic() > deadline:
                    return
                time.sleep(self.poll_interval)

    def _sweep_what_the_guard_saw(self) -> list[str]:
        problems: list[str] = []
        guard = self.guard
        if not guard.created.empty():
            client = ContractClient(self.shared_client())
            try:
                problems += guard.created.cleanup(client, lambda arn: self._wait_stopped(client, arn))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:
                problems.append(f"final cleanup: {error}")
        return problems + self._left_behind()

    def _left_behind(self) -> list[str]:
        guard = self.guard
        left = [arn for arn, _ in guard.created.snapshot()] + [f"{op} {params}" for op, params in guard.unknown]
        left += [f"perhaps {made} (its answer was lost)" for made in guard.created.uncertain()]
        if not left:
            return []
        return [
            "left behind: " + ", ".join(left) + f". Delete them with: python -m {__package__}.sweep "
            f"--aws-account {self.account} --region {self.region} --run {self.names.run_id}"
        ]


def make_target(options: TargetOptions, names: Names, budget: Budget) -> Target:
    """The adapter ``options.target`` names."""
    if options.target == "fake":
        return FakeTarget(options, names)
    if options.target == "endpoint":
        return EndpointTarget(options, names)
    if options.target == "aws":
        return AwsTarget(options, names, budget)
    raise pytest.UsageError(f"unknown --target {options.target!r}: use fake, endpoint or aws")
