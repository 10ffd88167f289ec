"""The live target fails safe (issue 17): each way a live run could overspend, leave resources behind, leak a
secret or act in the wrong place, tried on the stand-in (the fake's server and an STS stub, on loopback).

Unit-level tests drive a :class:`~contract_tests.safety.LiveGuard` attached to a botocore client on the
stand-in; end-to-end ones run the suite with ``--target aws`` in a subprocess.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from kit_standin import ACCOUNT, COMPONENTS, REPO, SeenCall, StandIn, error_answer, run_suite, suite_command, suite_env

from contract_tests.client import ContractClient
from contract_tests.ledger_report import Tally, write_report
from contract_tests.recording import Recorder, Scrubber
from contract_tests.safety import STARTED_TAG, Budget, BudgetExhausted, LiveGuard, ResourceTracker, RunStopped
from fakeimagebuilder import HttpResponse

PREFIX = "fibct-1234abcd-"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"


def _unguarded_client(standin: StandIn) -> Any:
    """A client on the stand-in that no guard watches: another team's, or the account's own console."""
    return botocore.session.Session().create_client(
        "imagebuilder",
        region_name="us-east-1",
        endpoint_url=standin.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _guarded_client(standin: StandIn, guard: LiveGuard, attempts: int = 3) -> Any:
    session = botocore.session.Session()
    guard.attach(session)
    client = session.create_client(
        "imagebuilder",
        region_name="us-east-1",
        endpoint_url=standin.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "legacy", "total_max_attempts": attempts}),
    )
    guard.attach(client)
    return client


def _our_pipeline(client: Any) -> str:
    name = f"{PREFIX}main-pipeline-1"
    recipe = client.create_image_recipe(name=name, semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS)
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")
    return str(
        client.create_image_pipeline(
            name=name,
            imageRecipeArn=recipe["imageRecipeArn"],
            infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        )["imagePipelineArn"]
    )


def _statuses(standin: StandIn) -> dict[str, str]:
    return {
        image["arn"]: image["state"]["status"]
        for regions in standin.fake.state().values()
        for scope in regions.values()
        for image in scope["images"]
    }


# -- 1. a build whose answer was lost --------------------------------------------------------------


def test_a_start_whose_answer_was_lost_stays_counted_and_its_build_is_cancelled(standin: StandIn) -> None:
    """Attempt 1 builds and answers 503; the retries (same token) are throttled: the call ends in a ClientError.
    The guard keeps the build held, replays the token until it answers, and cancels the build."""
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _guarded_client(standin, guard)
    pipeline = _our_pipeline(client)
    lost = iter([error_answer(503, "ServiceUnavailableException"), *[error_answer(429, "TooManyRequests")] * 2])

    def lose_answers(call: SeenCall) -> Any:
        return next(lost, None) if call.operation == "StartImagePipelineExecution" else None

    standin.fake.rewrite = lose_answers
    with pytest.raises(ClientError):
        client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="lost-1")
    built = [c.answer["imageBuildVersionArn"] for c in standin.fake.successful("StartImagePipelineExecution")]
    assert len(set(built)) == 1  # the fake built once; every attempt after the first replayed the token
    assert guard.budget.remaining == 0  # held: the build may exist
    with pytest.raises(BudgetExhausted):
        client.start_image_pipeline_execution(imagePipelineArn=pipeline)
    client.list_image_pipelines()  # the next call: the guard learns the build by replaying, and cancels it
    assert guard.started == built[:1]
    assert (guard.budget.started, guard.budget.remaining) == (1, 0)
    assert _statuses(standin)[built[0]] == "CANCELLED"


def test_a_creation_answered_5xx_after_it_was_made_is_found_by_its_name_and_deleted(standin: StandIn) -> None:
    """The service made the pipeline, then answered 500 to every attempt (and to the replay): the creation may
    have happened, so the workspace's tracker and the guard's run-wide record keep it; the cleanup finds it by the
    name the run gave it and deletes it. One that cannot be found is reported by name, for the sweep."""
    guard = LiveGuard(Budget(0), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    raw = _guarded_client(standin, guard)
    tracker = ResourceTracker()
    client = ContractClient(raw, [tracker])
    recipe = client.create_image_recipe(
        name=f"{PREFIX}r-1", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )
    infra = client.create_infrastructure_configuration(name=f"{PREFIX}i-1", instanceProfileName="builder")
    failing = {"CreateImagePipeline", "CreateDistributionConfiguration"}
    standin.fake.rewrite = lambda call: error_answer(500, "ServiceException") if call.operation in failing else None
    with pytest.raises(ClientError):
        client.create_image_pipeline(
            name=f"{PREFIX}p-1",
            imageRecipeArn=recipe["imageRecipeArn"],
            infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        )
    with pytest.raises(ClientError):
        client.create_distribution_configuration(
            name=f"{PREFIX}d-1", distributions=[{"region": "us-east-1", "amiDistributionConfiguration": {}}]
        )
    [made] = standin.fake.resources()["imagePipelines"]
    [distribution] = standin.fake.resources()["distributionConfigurations"]
    bystander = _unguarded_client(standin)
    bystander.delete_distribution_configuration(distributionConfigurationArn=distribution)  # gone behind its back
    assert [op for op, _ in tracker.unanswered] == ["CreateImagePipeline", "CreateDistributionConfiguration"]
    assert len(guard.created.uncertain()) == 2
    problems = tracker.cleanup(client, lambda arn: None)
    assert not standin.fake.resources().get("imagePipelines") and made not in dict(tracker.snapshot())
    assert [p.split(":")[0] for p in problems] == [f"CreateDistributionConfiguration '{PREFIX}d-1' may exist"]
    assert tracker.uncertain() == [f"CreateDistributionConfiguration '{PREFIX}d-1'"]
    assert guard.created.uncertain() == [f"CreateDistributionConfiguration '{PREFIX}d-1'"]  # the pipeline is gone


# -- 3. cleanup against exceptions and signals -----------------------------------------------------


def test_credentials_that_may_not_cancel_stop_the_run_before_anything_is_made(
    standin: StandIn, tmp_path: Path
) -> None:
    """The up-front probe (a cancel of a build that cannot exist) answers 403: nothing is created."""
    standin.fake.deny("CancelImageCreation")
    run = run_suite(tmp_path, *standin.aws_options(), "contract_tests/test_scenarios.py")
    assert run.returncode == 3, run.output
    assert "may not cancel builds" in run.output
    assert [c.operation for c in standin.fake.calls] == ["CancelImageCreation"]
    assert standin.fake.calls[0].status == 403


def test_a_cancel_that_fails_stops_the_run_cleans_every_workspace_and_names_what_is_left(
    standin: StandIn, tmp_path: Path
) -> None:
    """After the first build, cancels are forbidden: the run stops at once (no second build), every workspace
    is still cleaned, and each ARN left behind is printed with the sweep command."""

    def forbid_cancels(call: SeenCall) -> None:
        if call.operation == "StartImagePipelineExecution" and call.status == 200:
            standin.fake.deny("CancelImageCreation")

    standin.fake.on_call = forbid_cancels
    run = run_suite(tmp_path, *standin.aws_options(), "--max-builds=5", "contract_tests/test_scenarios.py")
    assert run.returncode == 3, run.output
    assert "could not cancel build" in run.output
    builds = {c.answer["imageBuildVersionArn"] for c in standin.fake.successful("StartImagePipelineExecution")}
    assert len(builds) == 1  # stopped at once: no second build
    left = [arn for arns in standin.fake.resources().values() for arn in arns]
    assert left == list(builds)  # everything else was deleted, the pipeline and the shared configuration too
    assert f"left behind: {left[0]}" in run.output
    assert f"python -m contract_tests.sweep --aws-account {ACCOUNT} --region us-east-1 --run " in run.output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_teardown_does_not_abandon_the_cleanup(
    standin: StandIn, tmp_path: Path, signum: signal.Signals
) -> None:
    """One SIGINT or SIGTERM while a workspace is being deleted: the deletion finishes, then the run stops."""
    process = subprocess.Popen(
        suite_command(*standin.aws_options(), "--max-builds=3", "contract_tests/test_scenarios.py"),
        cwd=REPO,
        env=suite_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sent: list[SeenCall] = []

    def signal_on_first_delete(call: SeenCall) -> None:
        if call.operation and call.operation.startswith("Delete") and not sent:
            sent.append(call)
            process.send_signal(signum)

    standin.fake.on_call = signal_on_first_delete
    output, _ = process.communicate(timeout=120)
    assert sent, output
    assert process.returncode != 0, output
    assert "deleting this run's AWS resources" in output
    assert not any(standin.fake.resources().values()), output


# -- 4. the budget across processes ----------------------------------------------------------------


def _spend(path: str, attempts: int, results: Any) -> None:
    budget = Budget(2, Path(path))
    won = 0
    for _ in range(attempts):
        try:
            budget.reserve()
        except BudgetExhausted:
            continue
        budget.settle(True)
        won += 1
    results.put(won)


def test_the_budget_holds_across_processes_and_replacement_workers(tmp_path: Path) -> None:
    """Three processes (a worker, and two replacing crashed ones) share one budget of 2: 2 builds in all. A
    crashed process's held build stays spent."""
    path = tmp_path / "run" / "budget.json"
    crashed = Budget(2, path)
    crashed.reserve()  # ... and the worker dies before the answer: the build may exist
    results: Any = multiprocessing.get_context("spawn").Queue()
    workers = [multiprocessing.get_context("spawn").Process(target=_spend, args=(str(path), 3, results)) for _ in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sum(results.get(timeout=5) for _ in workers) == 1
    assert (Budget(2, path).started, Budget(2, path).remaining) == (1, 0)


def test_a_count_written_halfway_is_never_read_as_no_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process killed while writing the shared count leaves the last whole count (each count is written to a new
    file that replaces the old one); and a count that cannot be read (empty, garbled, gone) is not "no builds":
    no more builds are started, with a message saying why."""
    path = tmp_path / "run" / "budget.json"
    budget = Budget(3, path)
    budget.reserve()
    budget.settle(True)

    def dies(*args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt  # the process stops in the middle of writing

    monkeypatch.setattr("contract_tests.safety.json.dumps", dies)
    with pytest.raises(KeyboardInterrupt):
        Budget(3, path).reserve()
    monkeypatch.undo()
    assert (Budget(3, path).started, Budget(3, path).remaining) == (1, 2)
    for torn in ("", '{"started": 1', "[]"):
        path.write_text(torn)
        other = Budget(3, path)
        assert other.remaining == 0
        with pytest.raises(BudgetExhausted, match="cannot be read"):
            other.reserve()
    path.unlink()
    with pytest.raises(BudgetExhausted, match="cannot be read"):
        budget.reserve()


def test_a_replaced_xdist_worker_gets_no_fresh_share(standin: StandIn, tmp_path: Path) -> None:
    """With -n 1 and --max-builds=1, the worker dies right after the test that started the one build; xdist
    starts a replacement, which must find the budget spent (it used to get a fresh share: 2 builds)."""
    built, armed = tmp_path / "built", tmp_path / "crash-once"
    armed.write_text("armed")
    plugin = tmp_path / "crashing" / "crash_plugin.py"
    plugin.parent.mkdir()
    plugin.write_text(
        "import os, pathlib\n"
        "def pytest_runtest_teardown(item):\n"
        f"    built, armed = pathlib.Path({str(built)!r}), pathlib.Path({str(armed)!r})\n"
        "    if built.exists() and armed.exists():\n"
        "        armed.unlink()\n"
        "        os._exit(1)\n"
    )

    def note_builds(call: SeenCall) -> None:
        if call.operation == "StartImagePipelineExecution" and call.status == 200:
            built.write_text("yes")

    standin.fake.on_call = note_builds
    run = run_suite(
        tmp_path,
        *standin.aws_options(),
        "--max-builds=1",
        "-n",
        "1",
        "--max-worker-restart=2",
        "-p",
        "crash_plugin",
        "contract_tests/test_scenarios.py",
        env={"PYTHONPATH": str(plugin.parent)},
    )
    assert not armed.exists(), run.output  # the worker did crash, after the build
    assert "node down" in run.output
    builds = {c.answer["imageBuildVersionArn"] for c in standin.fake.successful("StartImagePipelineExecution")}
    assert len(builds) == 1, run.output
    assert "fewer are left of the build budget" in run.output  # the replacement skipped what needed a build


# -- 5. leaks --------------------------------------------------------------------------------------


def test_the_ledger_report_quotes_failures_without_account_or_run_names(tmp_path: Path) -> None:
    """A failure quoting an account id and a run-scoped name is reported without either."""
    secrets = ["210987654321", "fibct-5eed1234-gw1-pipeline-7", "5eed1234"]
    tally = Tally()
    tally.record("start-answer", "test_x", False, f"arn:aws:imagebuilder:us-east-1:{secrets[0]}:image/{secrets[1]}")
    for name in ("report.md", "report.json"):
        write_report(tmp_path / name, {"target": "aws"}, tally)
        text = (tmp_path / name).read_text()
        assert "<account>" in text
        for secret in secrets:
            assert secret not in text, name


def test_recorded_error_messages_lose_principals_tokens_and_key_ids() -> None:
    """AccessDenied messages name the caller; a recording keeps none of it."""
    secrets = [
        "arn:aws:sts::210987654321:assumed-role/Admin/alice@example.com",
        "alice@example.com",
        "ASIAQWERTYUIOPASDFGH",
        "IQoJb3JpZ2luX2VjEJr" + "x" * 120,
    ]
    recorder = Recorder(Scrubber(ACCOUNT, "us-east-1", "1234abcd", list))
    error = ClientError(
        {
            "Error": {
                "Code": "AccessDeniedException",
                "Message": f"User: {secrets[0]} is not authorized (key {secrets[2]}, "
                f"X-Amz-Security-Token={secrets[3]})",
            },
            "ResponseMetadata": {"HTTPStatusCode": 403, "RequestId": "r"},
        },
        "GetImage",
    )
    recorder.after(SimpleNamespace(actor="suite"), "GetImage", {}, None, error)  # type: ignore[arg-type]
    text = json.dumps(recorder.steps)
    for secret in secrets:
        assert secret not in text
    assert "<principal>" in text and "<key-id>" in text and "<security-token>" in text


def test_debug_logs_show_no_credentials(standin: StandIn, tmp_path: Path) -> None:
    """``--log-level=DEBUG`` with live logging: botocore logs every signed request, yet neither the access key
    id, the secret key nor the session token appears anywhere in the output."""
    key_id, secret, token = "ASIAPLANTEDKEY123456", "planted/secret+KEY0123456789", "PlantedSessionToken" * 8
    run = run_suite(
        tmp_path,
        *standin.aws_options(),
        "--max-builds=1",
        "--log-level=DEBUG",
        "-o",
        "log_cli=true",
        "--log-cli-level=DEBUG",
        "contract_tests/test_scenarios.py",
        "-k",
        "start_answers",
        env={"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token},
    )
    assert run.returncode == 0, run.output[-3000:]
    assert "x-amz-security-token" in run.output.lower()  # the signed requests were logged
    for planted in (key_id, secret, token, token[:40]):
        assert planted not in run.output


# -- 6. region and account -------------------------------------------------------------------------


def test_endpoint_overrides_in_the_environment_are_refused(standin: StandIn, tmp_path: Path) -> None:
    """AWS_ENDPOINT_URL_IMAGEBUILDER would send a live run elsewhere: a usage error, not one call."""
    run = run_suite(tmp_path, *standin.aws_options(), env={"AWS_ENDPOINT_URL_IMAGEBUILDER": "http://127.0.0.1:9"})
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "AWS_ENDPOINT_URL_IMAGEBUILDER" in run.output
    assert not standin.fake.calls and not standin.sts_calls


@pytest.mark.parametrize("elsewhere", [("123456789012", "111122223333"), (":us-east-1:", ":eu-west-1:")])
def test_resources_made_in_another_account_or_region_stop_the_run(
    standin: StandIn, tmp_path: Path, elsewhere: tuple[str, str]
) -> None:
    """STS says 123456789012 and the run is in us-east-1, but Image Builder answers an ARN of another account
    (or region) for what it created: the run stops before any build."""

    def move(call: SeenCall) -> HttpResponse | None:
        if not (call.operation or "").startswith("Create") or call.status != 200:
            return None
        body = json.dumps(call.answer).replace(*elsewhere).encode()
        return HttpResponse(200, {"Content-Type": "application/json"}, body)

    standin.fake.rewrite = move
    run = run_suite(tmp_path, *standin.aws_options(), "contract_tests/test_scenarios.py")
    assert run.returncode == 3, run.output
    assert "outside account 123456789012 / region us-east-1" in run.output
    assert not standin.fake.successful("StartImagePipelineExecution")


def _sweep(standin: StandIn, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    command = [
        sys.executable,
        "-m",
        "contract_tests.sweep",
        f"--testing-endpoint-url={standin.url}",
        f"--testing-sts-endpoint-url={standin.sts_url}",
        *args,
    ]
    return subprocess.run(
        command, cwd=REPO, env={**suite_env(tmp_path), **(env or {})}, capture_output=True, text=True, check=False
    )


def test_the_sweep_checks_the_account_and_uses_the_suites_region(standin: StandIn, tmp_path: Path) -> None:
    """The sweep refuses another account's credentials, and defaults to AWS_REGION as the suite does."""
    other = _sweep(standin, tmp_path, "--older-than=2h", "--aws-account=999999999999")
    assert other.returncode == 2 and "not --aws-account 999999999999" in other.stdout + other.stderr
    assert not standin.fake.calls
    regional = _sweep(
        standin,
        tmp_path,
        "--older-than=2h",
        f"--aws-account={ACCOUNT}",
        env={"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert regional.returncode == 0, regional.stderr
    assert f"in {ACCOUNT}/eu-west-1" in regional.stdout


# -- 7. profiles -----------------------------------------------------------------------------------


def test_a_non_aws_profile_is_refused_on_the_aws_target(standin: StandIn, tmp_path: Path) -> None:
    """``--hypothesis-profile=fake`` would multiply calls and builds on AWS: a usage error."""
    run = run_suite(tmp_path, *standin.aws_options(), "--hypothesis-profile=fake")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "runs the 'aws' Hypothesis profile only" in run.output
    assert not standin.fake.calls


# -- 8. the smaller ones ---------------------------------------------------------------------------


def test_the_sweep_refuses_an_age_that_would_catch_a_live_run(standin: StandIn, tmp_path: Path) -> None:
    """``--older-than 0s`` (or anything under an hour) would delete a run still going."""
    done = _sweep(standin, tmp_path, "--older-than=0s", f"--aws-account={ACCOUNT}")
    assert done.returncode == 2 and "use 1h or more" in done.stderr
    assert not standin.fake.calls


def test_every_resource_of_a_run_carries_the_runs_start_and_a_fresh_run_id(standin: StandIn, tmp_path: Path) -> None:
    """Two workers, a user-set --testrunuid: the run id is not derived from it, and STARTED_TAG is one value,
    the run's start, on every resource of every worker."""
    run = run_suite(
        tmp_path,
        *standin.aws_options(),
        "--max-builds=0",
        "-n",
        "2",
        "--testrunuid=deadbeefdeadbeef",
        "contract_tests/test_resources.py",
    )
    assert run.returncode == 0, run.output
    tagged = [c.params for c in standin.fake.calls if c.operation and c.operation.startswith("Create")]
    names = {p["name"] for p in tagged if "name" in p}
    assert names and not [n for n in names if "deadbeef" in n]
    assert len({n.split("-")[1] for n in names}) == 1  # one run id, shared by both workers
    assert len({p["tags"][STARTED_TAG] for p in tagged if "tags" in p}) == 1


@pytest.mark.parametrize("code", ["InvalidParameterValueException", "InvalidRequestException"])
def test_a_cancel_refused_as_invalid_is_retried_while_the_build_still_runs(standin: StandIn, code: str) -> None:
    """A cancel refused as for an ended build is "already finished" only if GetImage says so; else it is retried."""
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _guarded_client(standin, guard)
    pipeline = _our_pipeline(client)
    standin.fake.fail_next("CancelImageCreation", code, times=2)
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    client.list_image_pipelines()
    assert _statuses(standin)[arn] == "CANCELLED"
    assert len([c for c in standin.fake.calls if c.operation == "CancelImageCreation"]) == 3


def test_a_build_that_cannot_be_cancelled_stops_the_run(standin: StandIn) -> None:
    """A cancel answered 403 is not retried into silence: RunStopped, and the build stays on the run's list."""
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _guarded_client(standin, guard)
    pipeline = _our_pipeline(client)
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    standin.fake.deny("CancelImageCreation")
    with pytest.raises(RunStopped, match=f"could not cancel build {arn}"):
        client.list_image_pipelines()
    assert arn in dict(guard.created.snapshot())  # still to clean up, and reported if it cannot be


def _aws_target(standin: StandIn, monkeypatch: pytest.MonkeyPatch, max_builds: int, run: str = "1234abcd") -> Any:
    from contract_tests.targets import AwsTarget, Names, TargetOptions

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    options = TargetOptions(
        target="aws", aws_account=ACCOUNT, aws_region="us-east-1", aws_endpoint_url=standin.url, max_builds=max_builds
    )
    target = AwsTarget(options, Names(run, "gw0"), Budget(max_builds))
    target.guard.sleep = lambda _: None
    target.open()
    return target


def test_a_start_lost_in_transport_on_the_last_budget_slot_is_settled_once_and_every_cleanup_runs(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The only build of the budget reaches the service, then the connection drops on every attempt. The guard
    replays and cancels it; the workspace's cleanup does not replay the start again (that would need a budget
    slot and raise BudgetExhausted, a skip, out of the cleanup): the pipeline, recipe and shared configuration go."""
    from botocore.exceptions import ConnectionClosedError
    from botocore.httpsession import URLLib3Session

    target = _aws_target(standin, monkeypatch, max_builds=1)
    workspace = target.workspace()
    pipeline = workspace.pipeline()
    session = URLLib3Session()

    def send_then_drop(request: Any, **kwargs: Any) -> None:
        session.send(request)
        raise ConnectionClosedError(endpoint_url=request.url)

    workspace.client.raw.meta.events.register("before-send.imagebuilder.StartImagePipelineExecution", send_then_drop)
    with pytest.raises(ConnectionClosedError):
        workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)
    workspace.client.raw.meta.events.unregister(
        "before-send.imagebuilder.StartImagePipelineExecution", send_then_drop
    )
    try:
        assert workspace.close() == []
        assert target.close() == []
    except pytest.skip.Exception as escaped:
        pytest.fail(f"a skip escaped the cleanup: {escaped}")
    built = {c.answer["imageBuildVersionArn"] for c in standin.fake.successful("StartImagePipelineExecution")}
    assert len(built) == 1 and target.guard.started == list(built)
    assert not any(standin.fake.resources().values())  # the build was cancelled and deleted with the rest


@pytest.mark.parametrize(
    "config",
    [
        "[default]\nregion = us-east-1\nservices = elsewhere\n[services elsewhere]\nimagebuilder =\n"
        "  endpoint_url = http://127.0.0.1:9\n",
        "[default]\nregion = us-east-1\nservices = elsewhere\n[services elsewhere]\nsts =\n"
        "  endpoint_url = http://127.0.0.1:9\n",
        "[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n",
    ],
    ids=["imagebuilder-service", "sts-service", "profile"],
)
def test_endpoints_in_the_aws_config_file_are_refused(standin: StandIn, tmp_path: Path, config: str) -> None:
    """An endpoint the AWS config file sets (a services section, a profile's endpoint_url) would send a live run
    or the sweep elsewhere: both refuse before one call."""
    path = tmp_path / "aws-config"
    path.write_text(config)
    env = {"AWS_CONFIG_FILE": str(path)}
    run = run_suite(tmp_path, *standin.aws_options(), env=env)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "http://127.0.0.1:9" in run.output
    sweep = _sweep(standin, tmp_path, "--run", "1234abcd", "--aws-account", ACCOUNT, env=env)
    assert sweep.returncode == 2 and "http://127.0.0.1:9" in sweep.stderr
    assert not standin.fake.calls and not standin.sts_calls


def test_credentials_a_later_session_receives_are_redacted_in_every_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An assume-role profile's AssumeRole answers new temporary credentials in each session, unknown when the
    run starts: botocore logs the XML body and the parsed dict at DEBUG. Every credential element, JSON member
    and dict entry is blanked in any record."""
    import logging

    from contract_tests.safety import redact_logs

    key_id, secret, token = "ASIALATERSESSION0001", "Later/Secret+Key0123456789abcdefghijklmn", "LaterToken" * 12
    factory = logging.getLogRecordFactory()
    try:
        redact_logs([])
        with caplog.at_level(logging.DEBUG, logger="botocore.parsers"):
            log = logging.getLogger("botocore.parsers")
            log.debug(
                "Response body:\nb'<AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s"
                "</SecretAccessKey><SessionToken>%s</SessionToken></Credentials></AssumeRoleResult>'",
                key_id,
                secret,
                token,
            )
            log.debug("parsed %s", {"Credentials": {"AccessKeyId": key_id, "SecretAccessKey": secret}})
            log.debug('{"Credentials": {"SecretAccessKey": "%s", "SessionToken": "%s"}}', secret, token)
    finally:
        logging.setLogRecordFactory(factory)
    text = caplog.text
    assert text.count("<redacted>") >= 6, text
    for planted in (key_id, secret, token):
        assert planted not in text


def test_cleanup_deletes_builds_of_its_pipelines_that_no_call_of_the_run_started(standin: StandIn) -> None:
    """A build of the run's pipeline made another way (a schedule, another client) is cancelled and deleted
    before its pipeline, not left behind."""
    from contract_tests.client import ContractClient
    from contract_tests.safety import ResourceTracker

    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _guarded_client(standin, guard)
    pipeline = _our_pipeline(client)
    other = _unguarded_client(standin)
    build = other.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    tracker = ResourceTracker()
    for arn, shape in guard.created.snapshot():
        tracker.add(arn, shape)
    assert tracker.cleanup(ContractClient(client), lambda arn: None) == []
    assert build not in _statuses(standin)
    assert not any(standin.fake.resources().values())


def test_cleanup_deletes_a_recipe_version_made_after_the_pipeline_whose_wildcard_selects_it(standin: StandIn) -> None:
    """Newest first would delete the newer recipe version before the pipeline that holds it through x.x.x; the
    cleanup tries it again once the pipeline is gone, so nothing is left."""
    from contract_tests.client import ContractClient
    from contract_tests.safety import ResourceTracker

    name = f"{PREFIX}main-recipe-1"
    wildcard = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-recipe/{name}/x.x.x"
    pattern = botocore.session.Session().get_service_model("imagebuilder").shape_for("ImageRecipeArn")
    if re.search(pattern.metadata["pattern"], wildcard) is None:
        pytest.skip("the installed model's ImageRecipeArn pattern admits no x (botocore 1.40.41)")
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _guarded_client(standin, guard)
    components = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
    client.create_image_recipe(name=name, semanticVersion="1.0.0", parentImage=PARENT, components=components)
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")
    client.create_image_pipeline(
        name=name, imageRecipeArn=wildcard, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"]
    )
    client.create_image_recipe(name=name, semanticVersion="1.0.1", parentImage=PARENT, components=components)
    tracker = ResourceTracker()
    for arn, shape in guard.created.snapshot():
        tracker.add(arn, shape)

    assert tracker.cleanup(ContractClient(client), lambda arn: None) == []
    assert not any(standin.fake.resources().values())
