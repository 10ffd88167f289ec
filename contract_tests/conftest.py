"""pytest wiring of the contract suite: options, the target fixture, live-run safety, recording, the ledger report.

Options (``pytest contract_tests --help``, group "contract suite"):

- ``--target fake|endpoint|aws`` (default ``fake``), ``--endpoint-url URL``,
  ``--control-token TOKEN`` (the endpoint's ``--control-token``);
- ``--aws-account``, ``--aws-region``, ``--aws-instance-profile``,
  ``--aws-parent-image``, ``--aws-component``, ``--max-builds`` (default 3);
- ``--record`` (aws only) and ``--fixtures-dir``;
- ``--ledger-report PATH``; ``--reproduce-blob BLOB`` (replay a live failure);
- ``--wait-timeout`` (seconds, for targets polled in real time).

Every test that takes the ``target`` fixture runs once, against the chosen
target (the test id shows it: ``test_x[fake]``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import fakeimagebuilder
from fakeimagebuilder.extras import missing_extra

try:  # the suite's one extra dependency beyond pytest, first imported here
    import hypothesis
    from hypothesis import reproduce_failure, settings
    from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
except ModuleNotFoundError as missing:
    raise missing_extra(missing, "contract", "the contract suite") from None

from . import profiles
from .ledger_report import current_test, tally, write_report
from .recording import Recorder, Scrubber, no_fixtures, write_fixture
from .safety import Budget, caller_account, default_region, endpoint_overrides, loopback_url, redact_logs
from .targets import (
    DUMMY_CREDENTIALS,
    ENDPOINT_REGION,
    ControlRefused,
    Names,
    Target,
    TargetOptions,
    Workspace,
    control_access,
    make_target,
)

# fixtures/ sits beside this package both in a clone (contract_tests/ and fixtures/ at the top) and when installed
# (fakeimagebuilder/contract_tests and fakeimagebuilder/fixtures: setup.cfg maps both there).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
_OPTIONS = pytest.StashKey[TargetOptions]()
_NAMES = pytest.StashKey[Names]()
_BUDGET = pytest.StashKey[Budget]()
_RUN = pytest.StashKey[tuple[str, str, Path]]()
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()
_TALLY_KEY = "contract_tally"


# -- options -------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """The contract suite's options."""
    group = parser.getgroup("contract suite")
    group.addoption(
        "--target",
        choices=("fake", "endpoint", "aws"),
        default="fake",
        help="what the contract suite runs against (default: fake, in-process)",
    )
    group.addoption("--endpoint-url", help="--target endpoint: the URL of a server speaking Image Builder")
    group.addoption(
        "--control-token",
        help="--target endpoint: the server's --control-token, sent as 'Authorization: Bearer TOKEN' with every "
        "/_fake/ control request (without it they are SigV4-signed with the suite's credentials, testing:testing)",
    )
    group.addoption(
        "--wait-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for a build on targets polled in real time (default 600)",
    )
    group.addoption("--aws-account", help="--target aws: the 12-digit account the credentials must belong to")
    group.addoption(
        "--aws-region",
        help="--target aws: the region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1)",
    )
    group.addoption(
        "--aws-instance-profile",
        default="EC2InstanceProfileForImageBuilder",
        help="--target aws: instance profile for build instances (default EC2InstanceProfileForImageBuilder)",
    )
    group.addoption(
        "--aws-parent-image",
        help="--target aws: parent image ARN (default: AWS-managed amazon-linux-2023-x86/x.x.x of the region)",
    )
    group.addoption(
        "--aws-component",
        help="--target aws: component ARN (default: AWS-managed update-linux/x.x.x of the region)",
    )
    group.addoption(
        "--max-builds",
        type=int,
        default=3,
        help="--target aws: the most builds the run may start (default 3; each is cancelled at once)",
    )
    group.addoption("--record", action="store_true", help="--target aws: write scrubbed exchanges to fixtures/")
    group.addoption("--fixtures-dir", type=Path, default=FIXTURES, help="where fixtures are read and written")
    group.addoption("--ledger-report", type=Path, help="write which ledger rows held on the target (.md or .json)")
    group.addoption("--reproduce-blob", help="replay a failure printed by the aws profile (select its test with -k)")
    # Testing only: the live path against a stand-in (the fake's server as Image Builder, a stub as STS).
    group.addoption("--testing-aws-endpoint-url", type=loopback_url, help=argparse.SUPPRESS)
    group.addoption("--testing-sts-endpoint-url", type=loopback_url, help=argparse.SUPPRESS)


_RUN_KEYS = ("fibct_run_id", "fibct_run_started", "fibct_run_dir")


def _run(config: pytest.Config) -> tuple[str, str, Path]:
    """The run's id, start and directory: made by the controller (or a lone process), handed to every xdist
    worker - a worker that replaces a crashed one too - through ``workerinput``. Never derived from
    ``--testrunuid``, which a user may set to the same value in two concurrent runs."""
    given = getattr(config, "workerinput", {})
    if all(key in given for key in _RUN_KEYS):
        return given["fibct_run_id"], given["fibct_run_started"], Path(given["fibct_run_dir"])
    run_id = uuid.uuid4().hex[:8]
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    run_dir = Path(tempfile.gettempdir()) / f"fakeimagebuilder-contract-{run_id}-{uuid.uuid4().hex[:8]}"
    return run_id, started, run_dir


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: every worker (and each replacement) gets the run's id, start and directory."""
    config = node.config
    node.workerinput.update(zip(_RUN_KEYS, map(str, config.stash[_RUN]), strict=True))


def pytest_configure(config: pytest.Config) -> None:
    """Check the options and keep what every fixture needs."""
    config.addinivalue_line("markers", "scenario: a deterministic scenario; --record writes its exchanges")
    config.addinivalue_line("markers", "completes_builds: needs a build to run to its end (not on the aws target)")
    config.addinivalue_line(
        "markers",
        "outside_image_builder(reason): names a place outside Image Builder the run did not create (a container "
        "repository, a VM import task), which the live-run guard refuses: skipped on the aws target",
    )
    config.addinivalue_line(
        "markers",
        "builds(n): the build budget a test needs (None: it uses what is left); on the aws target the cheapest "
        "tests run first, and a test is skipped when the budget left is smaller than its need",
    )
    target = config.getoption("target")
    if target == "endpoint" and not config.getoption("endpoint_url"):
        raise pytest.UsageError("--target endpoint needs --endpoint-url URL")
    if config.getoption("endpoint_url") and target != "endpoint":
        # Else the run passes against the in-process fake, and reads as a pass of the server at that URL.
        raise pytest.UsageError(
            f"--endpoint-url is for --target endpoint (the target is {target}); add --target endpoint"
        )
    if config.getoption("control_token") is not None and target != "endpoint":
        raise pytest.UsageError(
            f"--control-token is for --target endpoint (the target is {target}); add --target endpoint"
        )
    report = config.getoption("ledger_report")
    if report is not None and report.is_dir():  # found out only when the report is written, after the run
        raise pytest.UsageError(f"--ledger-report {report} is a directory; name a file (.md for Markdown, else JSON)")
    if target == "endpoint" and not getattr(config, "workerinput", None):
        _check_endpoint_answers(config.getoption("endpoint_url"), config.getoption("control_token"))
    if target == "aws":
        overrides = endpoint_overrides()
        if overrides:
            raise pytest.UsageError(
                f"--target aws: {', '.join(overrides)} would send the run's calls to another endpoint; remove it"
            )
        explicit = config.getoption("hypothesis_profile", None)
        if explicit and explicit not in ("default", profiles.AWS):
            raise pytest.UsageError(
                f"--target aws runs the {profiles.AWS!r} Hypothesis profile only (--hypothesis-profile={explicit} "
                "would make many times the calls and builds)"
            )
        account = config.getoption("aws_account")
        if not account or not re.fullmatch(r"[0-9]{12}", account):
            raise pytest.UsageError(
                "--target aws needs --aws-account ACCOUNT_ID: the 12-digit account the run may use "
                "(it must equal the account of your credentials)"
            )
        if config.getoption("max_builds") < 0:
            raise pytest.UsageError("--max-builds must be 0 or more")
        standins = [config.getoption("testing_aws_endpoint_url"), config.getoption("testing_sts_endpoint_url")]
        if any(standins) and not all(standins):
            # A stand-in for STS alone would pass the account check while Image Builder calls go to AWS.
            raise pytest.UsageError(
                "--testing-aws-endpoint-url and --testing-sts-endpoint-url go together (both stand-ins, or neither)"
            )
        _redact_credentials()
    if config.getoption("record") and target != "aws":
        raise pytest.UsageError("--record records real AWS (--target aws); other targets replay the fixtures")
    config.stash[_OPTIONS] = TargetOptions(
        target=target,
        endpoint_url=config.getoption("endpoint_url"),
        control_token=config.getoption("control_token"),
        wait_timeout=config.getoption("wait_timeout"),
        aws_account=config.getoption("aws_account"),
        aws_region=config.getoption("aws_region") or (default_region() if target == "aws" else "us-east-1"),
        aws_instance_profile=config.getoption("aws_instance_profile"),
        aws_parent_image=config.getoption("aws_parent_image"),
        aws_component=config.getoption("aws_component"),
        max_builds=config.getoption("max_builds"),
        aws_endpoint_url=config.getoption("testing_aws_endpoint_url"),
        sts_endpoint_url=config.getoption("testing_sts_endpoint_url"),
        fixtures_dir=config.getoption("fixtures_dir"),
    )
    run_id, started, run_dir = config.stash[_RUN] = _run(config)
    config.stash[_NAMES] = Names(run_id, os.environ.get("PYTEST_XDIST_WORKER", "main"), started)
    # One count for the whole run, in a file every process shares.
    config.stash[_BUDGET] = (
        Budget(config.getoption("max_builds"), run_dir / "budget.json") if target == "aws" else Budget(0)
    )


def _check_endpoint_answers(url: str, control_token: str | None) -> None:
    """One line, before any test, when nothing answers at ``url``, something other than Image Builder does, or
    the server has control routes but refuses the suite's requests to them (not one traceback per test)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise pytest.UsageError(f"--endpoint-url {url!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise pytest.UsageError(f"--endpoint-url {url!r} is not an http:// or https:// URL")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as error:
        raise pytest.UsageError(
            f"--endpoint-url {url} does not answer ({error.strerror or error}): start the server first "
            "(python -m fakeimagebuilder serve --port PORT) or correct the URL"
        ) from None
    answer = _probe(url)
    if answer is not None:
        raise pytest.UsageError(f"--endpoint-url {url} {answer}")
    try:
        control_access(url.rstrip("/"), region=ENDPOINT_REGION, token=control_token)
    except ControlRefused as refused:
        raise pytest.UsageError(f"--endpoint-url {url} refuses the suite's control requests: {refused}") from None


# Answers of a server that checks signatures (this project's with --verify-signatures) to a key it does not know
# or a signature it cannot verify: the server is Image Builder, the suite's credentials are not its.
_SIGNATURE_REFUSALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "MissingAuthenticationTokenException",
    }
)


def _probe(url: str) -> str | None:
    """What is wrong with what a cheap read-only call (ListImagePipelines, maxResults=1) got at ``url``, or None
    for Image Builder's answer."""
    client = botocore.session.Session().create_client(
        "imagebuilder",
        region_name=ENDPOINT_REGION,
        endpoint_url=url,
        **DUMMY_CREDENTIALS,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10),
    )
    try:
        answer = client.list_image_pipelines(maxResults=1)
    except ClientError as error:
        said = _described(error.response)
        if error.response.get("Error", {}).get("Code") in _SIGNATURE_REFUSALS:
            key, secret = DUMMY_CREDENTIALS.values()
            return (
                f"refuses the suite's credentials: ListImagePipelines got {said}; the suite signs as {key} "
                f"(start the server with --credential {key}:{secret})"
            )
        return _not_image_builder(said)
    except BotoCoreError as error:  # an unparsable body, a timeout
        return _not_image_builder(_one_line(str(error)))
    if "imagePipelineList" in answer:
        return None
    return _not_image_builder(_described(answer) + " with no imagePipelineList")


def _not_image_builder(said: str) -> str:
    return (
        f"answers, but not as Image Builder: ListImagePipelines got {said}; "
        "is it the URL the server printed ('listening on http://HOST:PORT')?"
    )


def _described(response: dict[str, Any]) -> str:
    """``HTTP 404 (text/html)``, or for a JSON error, its code and message too."""
    meta = response.get("ResponseMetadata", {})
    kind = meta.get("HTTPHeaders", {}).get("content-type", "no content type")
    said = f"HTTP {meta.get('HTTPStatusCode')} ({kind})"
    error = response.get("Error", {})
    if "json" in kind and error:
        said += f" {error.get('Code')}: {error.get('Message')}"
    return _one_line(said)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _redact_credentials() -> None:
    """Keep the live run's credentials out of every log line (``--log-level=DEBUG`` shows botocore's requests)."""
    try:
        credentials = botocore.session.Session().get_credentials()
    except BotoCoreError:
        credentials = None
    frozen = credentials.get_frozen_credentials() if credentials is not None else None
    redact_logs([frozen.access_key, frozen.secret_key, frozen.token or ""] if frozen else [])


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller (or a lone process) removes the run's directory (the shared build count) at the end."""
    run = config.stash.get(_RUN, None)
    if run is not None and not hasattr(config, "workerinput"):
        shutil.rmtree(run[2], ignore_errors=True)


def _profile(config: pytest.Config) -> str:
    return profiles.profile_name(config.getoption("target"), config.getoption("hypothesis_profile", None))


def pytest_report_header(config: pytest.Config) -> list[str]:
    """The target and the Hypothesis profile, first thing in the report."""
    options = config.stash[_OPTIONS]
    where = {
        "fake": "the in-process fake",
        "endpoint": f"endpoint {options.endpoint_url}",
        "aws": (
            f"AWS account {options.aws_account}, region {options.aws_region}, "
            f"at most {options.max_builds} builds (each cancelled at once)"
        ),
    }[options.target]
    return [f"contract target: {options.target} ({where}); hypothesis profile: {_profile(config)}"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """On the aws target: refuse to start unless the credentials are the named account's."""
    options = session.config.stash[_OPTIONS]
    if options.target != "aws":
        return
    try:
        sts = botocore.session.Session().create_client(
            "sts", region_name=options.aws_region, endpoint_url=options.sts_endpoint_url
        )
        account = caller_account(sts)
    except (BotoCoreError, ClientError) as error:
        raise pytest.UsageError(
            f"--target aws: could not learn the caller's account from STS ({error}). "
            "Configure credentials (AWS_PROFILE, environment variables, or an instance role)."
        ) from None
    if account != options.aws_account:
        raise pytest.UsageError(
            f"--target aws: the credentials belong to account {account}, not --aws-account {options.aws_account}; "
            "refusing to run"
        )
    if threading.current_thread() is threading.main_thread():
        # A terminated run (CI cancelled) cleans up like a Ctrl-C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run target tests once, against the chosen target; replay tests once per fixture file."""
    options = metafunc.config.stash[_OPTIONS]
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", [options.target], indirect=True, scope="session")
    if "fixture_path" in metafunc.fixturenames:
        files = sorted(options.fixtures_dir.glob("*/*.json"))
        if not files and not metafunc.config.getoption("record"):
            # An empty parameter set would skip the replays in silence (an install without its data did); a
            # stand-in is refused once the selection is known, so a run that leaves the replays out needs none.
            metafunc.parametrize("fixture_path", [pytest.param(None, id="no-fixtures")])
            return
        ids = [f"{path.parent.name}/{path.stem}" for path in files]
        metafunc.parametrize("fixture_path", files, ids=ids)


def pytest_collection_finish(session: pytest.Session) -> None:
    """One line, before any test, when a selected replay has no fixture to read (``--fixtures-dir``). An xdist
    worker cannot stop the run cleanly: there the replay fails with the same line."""
    if hasattr(session.config, "workerinput"):
        return
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "fixture_path" in callspec.params and callspec.params["fixture_path"] is None:
            raise pytest.UsageError(no_fixtures(session.config.stash[_OPTIONS].fixtures_dir))


def _builds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("builds")
    if marker is None or not marker.args:
        return 0
    return float("inf") if marker.args[0] is None else float(marker.args[0])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the aws target: the tests that start fewest builds first, so a small budget checks the most;
    tests that need a finished build are skipped, as every build is cancelled at once, and so are those naming a
    place outside Image Builder (the guard would refuse them)."""
    if config.stash[_OPTIONS].target != "aws":
        return
    items.sort(key=_builds)
    skip = pytest.mark.skip(reason="needs a finished build; the aws target cancels every build at once (cost)")
    for item in items:
        if item.get_closest_marker("completes_builds"):
            item.add_marker(skip)
        outside = item.get_closest_marker("outside_image_builder")
        if outside is not None:
            reason = outside.args[0] if outside.args else "a place outside Image Builder"
            item.add_marker(pytest.mark.skip(reason=f"names {reason}, which the live-run guard refuses"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Attribute the ledger checks made in a test to it."""
    current_test.nodeid = item.nodeid
    try:
        return (yield)
    finally:
        current_test.nodeid = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Keep each test's call report: a recording is written only for a test that ran."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The target adapter (one per session and xdist worker); everything it created is deleted at the end."""
    config = request.config
    adapter = make_target(config.stash[_OPTIONS], config.stash[_NAMES], config.stash[_BUDGET])
    adapter.notify = functools.partial(_tell, config)
    try:
        adapter.open()  # an interrupt in here still deletes what was made
        yield adapter
    finally:
        problems = adapter.close()
        if problems:
            for problem in problems:  # now: a stopped run (RunStopped) gets no terminal summary
                _tell(config, f"contract suite: {problem}")
            warnings.warn(f"contract suite: cleanup problems: {'; '.join(problems)}", stacklevel=1)
        if adapter.interrupted:
            raise KeyboardInterrupt


def _tell(config: pytest.Config, message: str) -> None:
    """Write ``message`` to the terminal at once, even while pytest captures a test's output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        print(message)
        return
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        reporter.write_line(message, red=True)


@pytest.fixture(autouse=True)
def _served(request: pytest.FixtureRequest) -> Iterator[None]:
    """The target answers while each of its tests runs, and only then."""
    if "target" not in request.fixturenames:
        yield
        return
    target: Target = request.getfixturevalue("target")
    with target.serving():
        yield


@pytest.fixture
def workspace(target: Target, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    """A workspace for one test; a scenario's exchanges are recorded under ``--record``."""
    config = request.config
    needed = _builds(request.node)
    if needed != float("inf") and not target.can_start(int(needed)):
        pytest.skip(f"needs a budget of {int(needed)} build(s); fewer are left of the build budget (--max-builds)")
    recorder = None
    if config.getoption("record") and request.node.get_closest_marker("scenario"):
        names = config.stash[_NAMES]
        recorder = Recorder(
            Scrubber(target.account, target.region, names.run_id, names.snapshot, target.infrastructure_arn)
        )
    ws = target.workspace([recorder] if recorder else [])
    try:
        yield ws
    finally:
        try:
            report = request.node.stash.get(_CALL_REPORT, None)
            if recorder is not None and report is not None and not report.skipped:
                _write_recording(config, request, recorder)
        finally:
            problems = ws.close()
            if problems:
                warnings.warn(f"contract suite: cleanup problems: {'; '.join(problems)}", stacklevel=1)


def _write_recording(config: pytest.Config, request: pytest.FixtureRequest, recorder: Recorder) -> None:
    name = getattr(request.node, "originalname", request.node.name)
    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": "aws",
        "test": re.sub(r"\[.*\]$", "", request.node.nodeid),
        "botocore": botocore.__version__,
        "fakeimagebuilder": fakeimagebuilder.__version__,
    }
    write_fixture(config.stash[_OPTIONS].fixtures_dir / "recorded" / f"{name}.json", recorder.fixture(name, meta))


@pytest.fixture(scope="session")
def hypothesis_settings(request: pytest.FixtureRequest) -> settings:
    """The Hypothesis settings of this run (the target's profile, or ``--hypothesis-profile``)."""
    return settings.get_profile(_profile(request.config))


def _reproducing(config: pytest.Config, test: Any) -> Any:
    blob = config.getoption("reproduce_blob")
    return reproduce_failure(hypothesis.__version__, blob)(test) if blob else test


@pytest.fixture
def run_property(request: pytest.FixtureRequest, hypothesis_settings: settings) -> Callable[[Any], None]:
    """``run_property(test)``: run a ``@given`` function with the run's settings (and ``--reproduce-blob``)."""

    def run(test: Any) -> None:
        _reproducing(request.config, hypothesis_settings(test))()

    return run


@pytest.fixture
def run_machine(
    request: pytest.FixtureRequest, hypothesis_settings: settings
) -> Callable[[Callable[[], RuleBasedStateMachine]], None]:
    """``run_machine(factory)``: ``run_state_machine_as_test`` with the run's settings (and ``--reproduce-blob``)."""

    def run(factory: Callable[[], RuleBasedStateMachine]) -> None:
        run_state_machine_as_test(_reproducing(request.config, factory), settings=hypothesis_settings)

    return run


# -- the ledger report, with pytest-xdist ----------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands its tally to the controller; the controller (or a lone process) writes the report."""
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput[_TALLY_KEY] = tally.dump()
        return
    path = config.getoption("ledger_report")
    if path is not None:
        options = config.stash[_OPTIONS]
        meta = {
            "target": options.target,
            "hypothesis profile": _profile(config),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fakeimagebuilder": fakeimagebuilder.__version__,
            "botocore": botocore.__version__,
        }
        if options.target == "aws":
            meta["region"] = options.aws_region
        elif options.target == "endpoint":
            meta["endpoint"] = options.endpoint_url
        write_report(path, meta)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: add a finished worker's tally."""
    dumped = getattr(node, "workeroutput", {}).get(_TALLY_KEY)
    if dumped:
        tally.merge(dumped)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """How much the state machine ran, and how the ledger fared."""
    rows = tally.rows()
    if not any(row["result"] != "not checked" or row["checks_set_aside"] for row in rows):
        return
    counts = {result: sum(1 for r in rows if r["result"] == result) for result in ("held", "refuted", "not checked")}
    terminalreporter.write_sep("-", "contract suite")
    terminalreporter.write_line(
        f"target {config.getoption('target')}, hypothesis profile {_profile(config)}: "
        f"{tally.stateful_steps} state-machine steps; ledger rows {counts['held']} held, "
        f"{counts['refuted']} refuted, {counts['not checked']} not checked"
    )
    refuted = [row["id"] for row in rows if row["result"] == "refuted"]
    if refuted:
        terminalreporter.write_line(f"refuted: {', '.join(refuted)}")
    aside = [f"{row['id']} ({row['checks_set_aside']})" for row in rows if row["checks_set_aside"]]
    if aside:
        terminalreporter.write_line(
            f"set aside (the target took values only botocore {botocore.__version__}'s model refuses): "
            + ", ".join(aside)
        )
    path = config.getoption("ledger_report")
    if path is not None:
        terminalreporter.write_line(f"ledger report: {path}")
