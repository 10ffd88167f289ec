"""pytest plugin: Image Builder fakes as fixtures, loaded through the ``pytest11`` entry point.

Installing the package is all it takes; ``-p no:imagebuilder`` turns it off.

Fixtures:

- ``imagebuilder_fake``: an active :class:`FakeImageBuilder`, fresh per test.
  Every botocore/boto3 ``imagebuilder`` client in the process that talks to an
  AWS endpoint reaches it, including clients the code under test creates with
  the default session. At teardown it raises
  :class:`~fakeimagebuilder.events.SubscriberError` if an event subscriber's
  callback raised during the test.
- ``imagebuilder_client``: a botocore Image Builder client on that fake.
- ``imagebuilder_events``: a list that collects the EventBridge events of
  ``imagebuilder_fake`` during the test, each as it happens (those sent
  before the fixture was set up included).
- ``imagebuilder_server``: a running HTTP server, one per session (and per
  xdist worker), on 127.0.0.1 and a free port; ``str()`` is its URL. Each
  test that uses it gets a new fake behind it (``.fake``): fresh state,
  knobs, subscribers and virtual clock.

Every test that uses one of them runs with dummy credentials and region: each
``AWS_*`` variable of the developer's environment is removed for the test and
the config and credentials files point at an empty file, so no real profile,
endpoint override or credential can leak in. Kept are the endpoint overrides
(``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``) that send services other
than Image Builder to this machine (:func:`~fakeimagebuilder.hosts.is_this_machine`,
the network guard's notion too), such as moto's server; with a kept
``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_IMAGEBUILDER`` is set to Image
Builder's AWS endpoint, so Image Builder still reaches the fake. Another
service's override that is dropped (it names a host off the machine) is
reported with an :class:`EndpointOverrideDroppedWarning`.

The network guarantee: in a test that uses these fixtures, no Image Builder
request of a botocore client leaves the machine (one made with ``requests``
is answered only inside ``fake.mock_requests()``). Requests for an AWS host
are answered by ``imagebuilder_fake`` while it is active; requests to an ``endpoint_url`` on
this machine (such as ``str(imagebuilder_server)``) go there; anything
else, including AWS hosts in a test with no fake, is refused with
:class:`NetworkBlocked` before a connection is made. Other services' clients,
other libraries and tests that use none of the fixtures are left alone,
unless the ini option ``imagebuilder_block_network = true`` asks for the
session-wide guard (:mod:`fakeimagebuilder.network_guard`): then no name
lookup or connection of any test reaches past this machine.

A fake a test function starts (``fake.start()``) and
nothing stops would go on answering every later test in the process. After
each test's teardown the plugin stops any it left active, with a
:class:`FakeLeftActiveWarning` naming the test (fakes that fixtures start, of
any scope, even through ``request.getfixturevalue``, are theirs to stop).

Knobs come from ini options (the suite's defaults) and the ``imagebuilder``
marker (per test; the closest marker wins per knob)::

    @pytest.mark.imagebuilder(build_seconds=60, outcome="FAILED")
    def test_failed_build_is_reported(imagebuilder_fake): ...
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .extras import missing_extra

try:
    import pytest
except ModuleNotFoundError as missing:
    raise missing_extra(missing, "pytest", "fakeimagebuilder.pytest_plugin") from None

from .fake import DEFAULT_ACCOUNT_ID, FakeImageBuilder, check_knobs, check_known_region
from .hosts import is_this_machine
from .service import BuildPlan, checked_seconds
from .transports import botocore_hook

if TYPE_CHECKING:
    from .server import RunningServer

__all__ = [
    "CollectedEvents",
    "EndpointOverrideDroppedWarning",
    "FakeLeftActiveWarning",
    "NetworkBlocked",
    "imagebuilder_client",
    "imagebuilder_events",
    "imagebuilder_fake",
    "imagebuilder_server",
]

MARKER = "imagebuilder"
_INI_PREFIX = "imagebuilder_"
_BLOCK_NETWORK = "imagebuilder_block_network"
_NETWORK_GUARD = pytest.StashKey[contextlib.ExitStack]()


class NetworkBlocked(RuntimeError):
    """An Image Builder request would have left the machine during a test that uses the plugin's fixtures."""


class EndpointOverrideDroppedWarning(pytest.PytestWarning):
    """An ``AWS_ENDPOINT_URL`` (or another service's ``AWS_ENDPOINT_URL_<SERVICE>``) was removed for a test: it
    names a host off this machine, so the services it sent elsewhere go to their AWS endpoints in the test."""


# -- knobs: ini options, overridden per test by the marker ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Knobs:
    """What a test may configure; the fields are the marker's keywords and (prefixed) the ini options."""

    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = "us-east-1"
    build_seconds: float | None = None
    outcome: str = "AVAILABLE"
    disabled_pipeline_error: str | None = "InvalidRequestException"
    max_concurrent_builds: int | None = None
    missing_reference_error: str = "ResourceNotFoundException"
    auto_version_first: int = 0
    missing_component_policy: str = "{}"
    allow_unknown_regions: bool = False

    def __post_init__(self) -> None:
        check_knobs(
            account_id=self.account_id,
            region=self.region,
            disabled_pipeline_error=self.disabled_pipeline_error,
            max_concurrent_builds=self.max_concurrent_builds,
            missing_reference_error=self.missing_reference_error,
            auto_version_first=self.auto_version_first,
            missing_component_policy=self.missing_component_policy,
            allow_unknown_regions=self.allow_unknown_regions,
        )
        if not self.allow_unknown_regions:
            check_known_region(self.region)
        if self.build_seconds is not None:
            checked_seconds(self.build_seconds, "build_seconds")
        self.build_plan()  # checks outcome

    def build_plan(self) -> BuildPlan:
        """The plan every build follows."""
        outcome: Any = self.outcome
        if self.build_seconds is None:
            return BuildPlan(outcome=outcome)
        return BuildPlan.lasting(self.build_seconds, outcome=outcome)

    def new_fake(self) -> FakeImageBuilder:
        """A fresh fake with these knobs."""
        return FakeImageBuilder(
            account_id=self.account_id,
            region=self.region,
            build_plan=self.build_plan(),
            disabled_pipeline_error=self.disabled_pipeline_error,
            max_concurrent_builds=self.max_concurrent_builds,
            missing_reference_error=self.missing_reference_error,
            auto_version_first=self.auto_version_first,
            missing_component_policy=self.missing_component_policy,
            allow_unknown_regions=self.allow_unknown_regions,
        )


_KNOB_NAMES = tuple(f.name for f in fields(_Knobs))

_INI_HELP = {
    "account_id": "account id of the fake's callers (default 123456789012)",
    "region": "region of the fake and of the dummy AWS environment (default us-east-1)",
    "build_seconds": "virtual seconds a build takes (default: about 20 minutes, split over the statuses)",
    "outcome": "how builds end: AVAILABLE (default) or FAILED",
    "disabled_pipeline_error": "error a start on a DISABLED pipeline answers, or 'none' to let it build",
    "max_concurrent_builds": "builds in progress per pipeline before ResourceInUseException (default: unlimited)",
    "missing_reference_error": "code a create answers for a component, workflow or parent image that does not exist "
    "(ResourceNotFoundException, InvalidRequestException or InvalidParameterValueException)",
    "auto_version_first": "value a recipe version's x node takes when no version of the name has the other nodes "
    "given: 0 (default) or 1",
    "missing_component_policy": "what GetComponentPolicy of a component without a policy answers: {} (default, the "
    "policy '{}') or ResourceNotFoundException",
    "allow_unknown_regions": "true accepts a region the installed botocore does not know (default false: refused as "
    "a typo)",
}


def _ini_knobs(config: pytest.Config) -> _Knobs:
    """The suite's defaults, from the ini options (unset: the fake's own default; ``none``: off)."""
    values: dict[str, Any] = {}
    # allow_unknown_regions first: the region's check depends on it.
    for name in sorted(_KNOB_NAMES, key=lambda name: name != "allow_unknown_regions"):
        text = str(config.getini(_INI_PREFIX + name)).strip()
        if not text:
            continue
        try:
            if name in ("disabled_pipeline_error", "max_concurrent_builds") and text.lower() == "none":
                values[name] = None
            elif name == "build_seconds":
                values[name] = float(text)
            elif name in ("max_concurrent_builds", "auto_version_first"):
                values[name] = int(text)
            elif name == "allow_unknown_regions":
                values[name] = _boolean(name, text)
            else:
                values[name] = text
            # Each option checked alone, so the error names it.
            _Knobs(**{"allow_unknown_regions": values.get("allow_unknown_regions", False), name: values[name]})
        except ValueError as error:
            raise pytest.UsageError(f"ini option {_INI_PREFIX}{name} = {text!r}: {error}") from None
    return _Knobs(**values)


def _knobs_for(request: pytest.FixtureRequest) -> _Knobs:
    """The ini defaults overridden by the ``imagebuilder`` markers of the test (closest first)."""
    chosen: dict[str, Any] = {}
    for marker in request.node.iter_markers(MARKER):
        if marker.args:
            pytest.fail(f"@pytest.mark.{MARKER} takes keywords only: {', '.join(_KNOB_NAMES)}", pytrace=False)
        unknown = set(marker.kwargs) - set(_KNOB_NAMES)
        if unknown:
            pytest.fail(
                f"@pytest.mark.{MARKER} has no knob {', '.join(sorted(unknown))}; it takes: {', '.join(_KNOB_NAMES)}",
                pytrace=False,
            )
        for name, value in marker.kwargs.items():
            chosen.setdefault(name, value)
    try:
        return replace(_ini_knobs(request.config), **chosen)
    except ValueError as error:
        problem = str(error)
    # Failed outside the except block: inside, pytest would show the ValueError too, as its context.
    pytest.fail(f"@pytest.mark.{MARKER}: {problem}", pytrace=False)


# -- hooks -----------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """Ini options: the suite's defaults for every knob of the ``imagebuilder`` marker, and the network guard."""
    for name in _KNOB_NAMES:
        parser.addini(_INI_PREFIX + name, f"fakeimagebuilder: {_INI_HELP[name]}", type="string", default="")
    parser.addini(
        _BLOCK_NETWORK,
        "fakeimagebuilder: true lets no connection of any test leave the machine (any library, any service)",
        type="string",  # parsed here: pytest words bad bool values differently from one release to the next
        default="false",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it) and check the ini options early."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}({', '.join(f'{n}=...' for n in _KNOB_NAMES)}): configure fakeimagebuilder's fixtures for this test",
    )
    _ini_knobs(config)
    text = str(config.getini(_BLOCK_NETWORK))
    try:
        block_network = _boolean(_BLOCK_NETWORK, text)
    except ValueError as error:  # worded as the knobs' options are
        raise pytest.UsageError(f"ini option {_BLOCK_NETWORK} = {text!r}: {error}") from None
    if block_network:
        from .network_guard import blocking_network

        guard = contextlib.ExitStack()
        guard.enter_context(blocking_network(_offline_refusal))
        config.stash[_NETWORK_GUARD] = guard


def _boolean(name: str, value: str) -> bool:
    """An ini option's true/false, in the words pytest's ``bool`` ini type accepts; ValueError naming it if neither."""
    word = value.strip().lower()
    if word in ("1", "true", "yes", "y", "on", "t"):
        return True
    if word in ("", "0", "false", "no", "n", "off", "f"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Lift the session's network guard."""
    guard = config.stash.get(_NETWORK_GUARD, None)
    if guard is not None:
        guard.close()


class FakeLeftActiveWarning(pytest.PytestWarning):
    """A test function started a fake and did not stop it; the plugin stopped it after the test."""


class _FixtureStarts:
    """What fixtures started while a test function ran (``request.getfixturevalue``): theirs to stop, not the
    test's. One per pytest session: a session run inside a test (pytester) keeps its own."""

    def __init__(self) -> None:
        self.handlers: list[Any] = []
        self.depth = 0


_FIXTURE_STARTS = pytest.StashKey[_FixtureStarts]()
_TEST_STARTS = pytest.StashKey[list[Any]]()


def _fixture_starts(config: pytest.Config) -> _FixtureStarts:
    found = config.stash.get(_FIXTURE_STARTS, None)
    if found is None:
        found = config.stash[_FIXTURE_STARTS] = _FixtureStarts()
    return found


def _less(handlers: list[Any], taken: list[Any]) -> list[Any]:
    """``handlers`` without one entry for each of ``taken`` (a handler started twice is there twice)."""
    left = list(handlers)
    for handler in taken:
        if handler in left:
            left.remove(handler)
    return left


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """Note the fakes a fixture starts (the outermost fixture's setup counts those of the fixtures it needs)."""
    starts = _fixture_starts(request.config)
    before = botocore_hook.active_handlers() if starts.depth == 0 else []
    starts.depth += 1
    try:
        return (yield)
    finally:
        starts.depth -= 1
        if starts.depth == 0:
            starts.handlers.extend(_less(botocore_hook.active_handlers(), before))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Note the fakes the test function itself starts (not its fixtures, even those it asks for as it runs)."""
    starts = _fixture_starts(item.config)
    starts.handlers.clear()
    before = botocore_hook.active_handlers()
    try:
        return (yield)
    finally:
        started = _less(_less(botocore_hook.active_handlers(), before), starts.handlers)
        starts.handlers.clear()
        if started:
            item.stash[_TEST_STARTS] = started


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the test's fixtures are torn down (a factory fixture may stop what the test started through it),
    stop what the test function started and nothing stopped."""
    try:
        return (yield)
    finally:
        started = item.stash.get(_TEST_STARTS, [])
        left = _less(started, _less(started, botocore_hook.active_handlers()))  # those still active
        if left:
            for handler in reversed(left):
                fake = getattr(handler, "__self__", None)
                if isinstance(fake, FakeImageBuilder):
                    fake.stop()
                else:
                    botocore_hook.deactivate(handler)
            item.warn(
                FakeLeftActiveWarning(
                    f"{item.nodeid} left {len(left)} fakeimagebuilder fake(s) active (started and not stopped): "
                    "stopped now, so later tests do not reach them. Use `with FakeImageBuilder() as fake:`, "
                    "fake.stop(), or the imagebuilder_fake fixture."
                )
            )


def pytest_report_header(config: pytest.Config) -> str:
    """Say which fake the fixtures give, as Hypothesis names its profile."""
    from . import __version__

    knobs = _ini_knobs(config)
    return f"fakeimagebuilder {__version__}: account {knobs.account_id}, region {knobs.region}"


# -- the test's AWS environment and the network guard -------------------------------------------


_ISOLATED = pytest.StashKey[bool]()
_ENDPOINT = "AWS_ENDPOINT_URL"
_IMAGE_BUILDER_ENDPOINT = f"{_ENDPOINT}_IMAGEBUILDER"


def _is_other_services_endpoint(name: str) -> bool:
    """Whether ``name`` is an endpoint override for every service or for one other than Image Builder."""
    return (name == _ENDPOINT or name.startswith(f"{_ENDPOINT}_")) and name != _IMAGE_BUILDER_ENDPOINT


def _endpoint_host(value: str) -> str:
    """The host an endpoint override names ("" if it is not a URL botocore could use either)."""
    try:
        return urlsplit(value).hostname or ""
    except ValueError:
        return ""


def _local_endpoint_of_another_service(name: str, value: str) -> bool:
    """Whether ``name`` sends a service other than Image Builder (or every service) to this machine.

    Such overrides (moto's server, LocalStack) are the suite's own setup, kept for the test: they cannot
    reach AWS. Image Builder's own override goes, so the fake gets Image Builder.
    """
    return _is_other_services_endpoint(name) and is_this_machine(_endpoint_host(value))


def _isolate_aws_environment(request: pytest.FixtureRequest, region: str) -> None:
    """Dummy credentials and region, and nothing of the developer's AWS configuration; once per test.

    Through the test's own ``monkeypatch``, so a change the test makes there
    is undone before ours. Done by the autouse fixture, before any of the
    test's own function-scoped fixtures: one that changes the environment
    itself (moto's ``mock_aws`` sets and later restores its dummy keys) then
    starts from ours and has undone its change before ours is.
    """
    if request.node.stash.get(_ISOLATED, False):
        return
    request.node.stash[_ISOLATED] = True
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    for name, value in list(os.environ.items()):
        if name.startswith("AWS_") and not _local_endpoint_of_another_service(name, value):
            monkeypatch.delenv(name)
            if _is_other_services_endpoint(name):
                # Else the services it named would reach their AWS endpoints in silence.
                host = _endpoint_host(value)
                where = f"host {host}" if host else f"value {value!r} (not a URL)"
                request.node.warn(
                    EndpointOverrideDroppedWarning(
                        f"fakeimagebuilder removed {name} for this test: its {where} is not this machine, so the "
                        "services it sent there go to their AWS endpoints. Name this machine in it (localhost, a "
                        "loopback address, 0.0.0.0, its host name or one of its addresses) to keep it."
                    )
                )
    if _ENDPOINT in os.environ:
        # Every service to that local server, but Image Builder to its AWS endpoint: the fake's (or refused).
        monkeypatch.setenv(_IMAGE_BUILDER_ENDPOINT, f"https://imagebuilder.{region}.amazonaws.com")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        # An empty file: no profile, endpoint override or credential_process can be read.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # The credential chain stops at the environment, but never let it reach for instance metadata.
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    try:
        import boto3
    except ImportError:
        return
    # boto3's default session caches credentials and config; the test gets a fresh one.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def _localhost_hint(host: str) -> str:
    """Why a ``*.localhost`` name, loopback by RFC 6761, was refused: the one refusal that would puzzle."""
    if (host.rpartition(":")[0] or host).lower().endswith(".localhost"):
        return "; a name under .localhost is sent to the DNS server by this machine's resolver: use localhost"
    return ""


def _offline_refusal(host: str) -> NetworkBlocked:
    return NetworkBlocked(
        f"fakeimagebuilder refused a connection to {host}: with {_BLOCK_NETWORK} = true nothing leaves the "
        f"machine (use imagebuilder_fake, moto's mock_aws, or a server on this machine){_localhost_hint(host)}"
    )


def _refusal(url: str) -> NetworkBlocked:
    return NetworkBlocked(
        f"fakeimagebuilder refused an Image Builder request to {url}: in a test that uses its fixtures, "
        "requests go to imagebuilder_fake (AWS endpoints, while it is active) or to an endpoint_url on this "
        f"machine such as str(imagebuilder_server){_localhost_hint(urlsplit(url).hostname or '')}"
    )


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture
def imagebuilder_fake(request: pytest.FixtureRequest) -> Iterator[FakeImageBuilder]:
    """An active :class:`FakeImageBuilder` with fresh state, dummy AWS credentials, and no way out to AWS."""
    knobs = _knobs_for(request)
    _isolate_aws_environment(request, knobs.region)  # done already, unless requested with getfixturevalue
    with botocore_hook.guard(_refusal), knobs.new_fake() as fake:
        yield fake
    # A subscriber's exception did not fail the call that delivered the event: the test fails here instead
    # (clear ``fake.subscriber_errors`` in a test that expects one).
    fake.raise_subscriber_errors()


@pytest.fixture
def imagebuilder_client(imagebuilder_fake: FakeImageBuilder) -> Any:
    """A botocore Image Builder client (boto3's API) in the fake's region, answered by ``imagebuilder_fake``."""
    return imagebuilder_fake.client()


class CollectedEvents(list[dict[str, Any]]):
    """The events a test saw, oldest first; :meth:`matching` picks those that match an EventBridge pattern."""

    def matching(self, pattern: dict[str, Any]) -> list[dict[str, Any]]:
        """The collected events that match ``pattern`` (ValueError if it is malformed)."""
        from .event_patterns import compile_pattern

        wanted = compile_pattern(pattern)
        return [event for event in self if wanted(event)]


@pytest.fixture
def imagebuilder_events(imagebuilder_fake: FakeImageBuilder) -> Iterator[CollectedEvents]:
    """The EventBridge events ``imagebuilder_fake`` sends during the test, collected as they happen.

    Every event of the test's fake, also those sent before this fixture was set up (fixture order, or
    ``request.getfixturevalue`` late in the test): the fake is fresh for each test, so they are all the test's.
    """
    collected = CollectedEvents()
    with imagebuilder_fake.subscribe(collected.append, replay=True):
        yield collected


@pytest.fixture(scope="session")
def _imagebuilder_running_server(pytestconfig: pytest.Config) -> Iterator[RunningServer]:
    """The server behind ``imagebuilder_server``: one per session, so one per xdist worker."""
    from .server import serve_in_thread

    running = serve_in_thread(_ini_knobs(pytestconfig).new_fake(), host="127.0.0.1", port=0)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def imagebuilder_server(
    request: pytest.FixtureRequest, _imagebuilder_running_server: RunningServer
) -> Iterator[RunningServer]:
    """A running Image Builder HTTP server on 127.0.0.1 (a free port); ``str()`` is its URL.

    One per session, so one per xdist worker. Each test that uses it gets a
    new fake behind it, made with the knobs of the ``imagebuilder`` marker:
    nothing an earlier test set on the old one remains, and its virtual
    clock starts at the real time again. The fake is
    ``imagebuilder_server.fake`` (advance its clock there). The
    test gets the dummy AWS environment and the network guard with it, also
    when it asks for the server with ``request.getfixturevalue``.
    """
    knobs = _knobs_for(request)
    _isolate_aws_environment(request, knobs.region)  # done already, unless requested with getfixturevalue
    running = _imagebuilder_running_server
    # A new fake, not a reset one: nothing a test set (state, knobs, planted findings, entitlements,
    # subscribers, its virtual clock) can reach the next, however the fake's knobs grow.
    running.replace_fake(knobs.new_fake())
    with botocore_hook.guard(_refusal):
        yield running


@pytest.fixture(autouse=True)
def _imagebuilder_per_test(request: pytest.FixtureRequest) -> None:
    """For each test that names the fixtures: the dummy AWS environment, before any other fixture of the test.

    Autouse fixtures are set up before the test's other function-scoped
    fixtures, so the environment is ours before any of theirs changes it.
    """
    names = request.fixturenames
    if "imagebuilder_fake" in names or "imagebuilder_server" in names:
        _isolate_aws_environment(request, _knobs_for(request).region)
