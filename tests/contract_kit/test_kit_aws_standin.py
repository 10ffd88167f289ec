"""The live path (``--target aws``) end to end, against a stand-in: the account guard, the build budget,
immediate cancellation, cleanup after success, failure and Ctrl-C, and the sweep.

The stand-in is the fake's HTTP server playing Image Builder and a stub
answering STS, both on loopback (``kit_standin``); the hidden
``--testing-*-endpoint-url`` options point the suite at them. No test here
can reach AWS: the options accept loopback URLs only, and the subprocesses
run with dummy credentials and no AWS profile.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from fake_mutants import ENV, MUTANTS
from kit_standin import ACCOUNT, COMPONENTS, REPO, SeenCall, StandIn, run_suite, start_standin, suite_command, suite_env

from contract_tests.client import ContractClient
from contract_tests.safety import RUN_TAG, STARTED_TAG, Budget, BudgetExhausted, LiveGuard, UnsafeCall
from fakeimagebuilder import FakeImageBuilder

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"


def _new_builds(calls: list[SeenCall]) -> list[str]:
    """The builds the run started, in order (a replay answers a build already counted)."""
    seen: dict[str, None] = {}
    for call in calls:
        if call.operation == "StartImagePipelineExecution" and call.status == 200:
            seen.setdefault(call.answer["imageBuildVersionArn"], None)
    return list(seen)


def _assert_each_build_cancelled_at_once(calls: list[SeenCall]) -> None:
    """The call right after a start that made a new build is a cancel of that build."""
    known: set[str] = set()
    for index, call in enumerate(calls):
        if call.operation != "StartImagePipelineExecution" or call.status != 200:
            continue
        arn = call.answer["imageBuildVersionArn"]
        if arn in known:
            continue
        known.add(arn)
        following = calls[index + 1]
        assert (following.operation, following.params.get("imageBuildVersionArn")) == ("CancelImageCreation", arn), (
            f"{arn} was followed by {following.operation}, not by its cancellation"
        )


def _client(standin: StandIn) -> Any:
    return botocore.session.Session().create_client(
        "imagebuilder",
        region_name="us-east-1",
        endpoint_url=standin.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _make_pipeline(client: Any, name: str, tags: dict[str, str] | None = None) -> str:
    extra = {"tags": tags} if tags else {}
    recipe = client.create_image_recipe(
        name=name, semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS, **extra
    )
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="builder", **extra)
    return str(
        client.create_image_pipeline(
            name=name,
            imageRecipeArn=recipe["imageRecipeArn"],
            infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
            **extra,
        )["imagePipelineArn"]
    )


def test_live_run_keeps_its_budget_cancels_every_build_and_leaves_nothing(standin: StandIn, tmp_path: Path) -> None:
    """A whole live run: within budget, each build cancelled at once, everything deleted, nothing else touched."""
    client = _client(standin)
    theirs = _make_pipeline(client, "production")  # someone else's pipeline in the same account
    report = tmp_path / "ledger.json"
    run = run_suite(tmp_path, *standin.aws_options(), "--max-builds=4", f"--ledger-report={report}", quiet=False)
    assert run.returncode == 0, run.output
    assert f"contract target: aws (AWS account {ACCOUNT}, region us-east-1, at most 4 builds" in run.output
    assert "hypothesis profile: aws" in run.output
    calls = list(standin.fake.calls)
    assert 0 < len(_new_builds(calls)) <= 4
    _assert_each_build_cancelled_at_once(calls)
    leftovers = {kind: arns for kind, arns in standin.fake.resources().items() if arns}
    assert leftovers == {
        "imageRecipes": [theirs.replace("image-pipeline/production", "image-recipe/production/1.0.0")],
        "infrastructureConfigurations": [theirs.replace("image-pipeline", "infrastructure-configuration")],
        "imagePipelines": [theirs],
    }
    assert not [c for c in calls if theirs in json.dumps(c.params)], "the run touched a pipeline it did not create"
    document = json.loads(report.read_text())
    assert document["meta"]["target"] == "aws"
    results = {row["id"]: row["result"] for row in document["rows"]}
    assert results["start-answer"] == "held" and "refuted" not in results.values()


def test_budget_is_never_exceeded_and_tests_beyond_it_are_skipped(standin: StandIn, tmp_path: Path) -> None:
    """With one build allowed, one is started; the tests that need more are skipped, saying why."""
    run = run_suite(tmp_path, *standin.aws_options(), "--max-builds=1", "contract_tests/test_scenarios.py")
    assert run.returncode == 0, run.output
    assert len(_new_builds(list(standin.fake.calls))) == 1
    assert "fewer are left of the build budget (--max-builds)" in run.output


_BUDGET_SKIPS = ("fewer are left of the build budget", "the build budget is spent")


def test_the_readme_names_the_least_budget_that_runs_every_test(tmp_path: Path) -> None:
    """README's number for the installed model: with it, no test is skipped for budget; with one fewer, one is."""
    readme = (REPO / "README.md").read_text()
    newer = re.search(r"`--max-builds (\d+)` is the least", readme)
    older = re.search(r"; (\d+) with 1\.40\.41's,\s+which has fewer operations that build", readme)
    assert newer and older, "README no longer states the least --max-builds"
    model = botocore.session.get_session().get_service_model("imagebuilder")
    # The two models the project supports: the lowest (1.40.41) lacks RetryImage, among others.
    least = int(newer.group(1) if "RetryImage" in model.operation_names else older.group(1))
    for budget, skipped in ((least, False), (least - 1, True)):
        standin = start_standin()
        try:
            run = run_suite(tmp_path, *standin.aws_options(), f"--max-builds={budget}", "-p", "no:randomly")
        finally:
            standin.stop()
        assert run.returncode == 0, run.output
        assert any(reason in run.output for reason in _BUDGET_SKIPS) == skipped, (budget, run.output)


def test_refuses_to_run_in_another_account(standin: StandIn, tmp_path: Path) -> None:
    """Credentials of another account than --aws-account: a usage error, and not one Image Builder call."""
    run = run_suite(tmp_path, *standin.aws_options(account="999999999999"))
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert f"the credentials belong to account {ACCOUNT}, not --aws-account 999999999999" in run.output
    assert standin.sts_calls and not standin.fake.calls


def test_refuses_to_run_without_an_account(tmp_path: Path) -> None:
    """--target aws without --aws-account stops before anything is called."""
    run = run_suite(tmp_path, "--target=aws")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "--target aws needs --aws-account" in run.output


def test_stand_in_endpoints_must_be_loopback(tmp_path: Path) -> None:
    """The testing options cannot point a run anywhere but this machine."""
    run = run_suite(
        tmp_path, "--target=aws", f"--aws-account={ACCOUNT}", "--testing-aws-endpoint-url=https://example.com"
    )
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "must be on a loopback address" in run.output


@pytest.mark.parametrize("which", ["sts", "imagebuilder"])
def test_one_stand_in_alone_is_refused(standin: StandIn, tmp_path: Path, which: str) -> None:
    """A stand-in for STS alone would pass the account check while Image Builder calls went to AWS (and one for
    Image Builder alone would check the real account): the two testing options go together, in the suite and the
    sweep, and nothing is called."""
    suite = {
        "sts": f"--testing-sts-endpoint-url={standin.sts_url}",
        "imagebuilder": f"--testing-aws-endpoint-url={standin.url}",
    }
    run = run_suite(tmp_path, "--target=aws", f"--aws-account={ACCOUNT}", suite[which])
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "go together" in run.output
    sweep = {
        "sts": f"--testing-sts-endpoint-url={standin.sts_url}",
        "imagebuilder": f"--testing-endpoint-url={standin.url}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests.sweep", f"--aws-account={ACCOUNT}", "--run=abcd1234", sweep[which]],
        cwd=REPO,
        env=suite_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "go together" in done.stderr, done.stdout + done.stderr
    assert not standin.sts_calls and not standin.fake.calls


@pytest.mark.parametrize("standin", [{"disabled_pipeline_error": None}], indirect=True)
def test_cleanup_follows_failures(standin: StandIn, tmp_path: Path) -> None:
    """A stand-in that diverges (a DISABLED pipeline starts) fails the run; everything is still deleted."""
    run = run_suite(tmp_path, *standin.aws_options(), "--max-builds=6", "contract_tests/test_scenarios.py")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.output
    assert "test_disabled_pipeline_is_refused" in run.output
    _assert_each_build_cancelled_at_once(list(standin.fake.calls))
    assert not any(standin.fake.resources().values())


def test_cleanup_follows_ctrl_c(standin: StandIn, tmp_path: Path) -> None:
    """SIGINT while a start is answered: the run stops, learns the build (its answer was lost) by replaying the
    token, cancels it and deletes everything."""
    process = subprocess.Popen(
        suite_command(*standin.aws_options(), "--max-builds=3", "contract_tests/test_scenarios.py"),
        cwd=REPO,
        env=suite_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    interrupted = threading.Event()

    def interrupt_after_a_build(call: SeenCall) -> None:
        if call.operation == "StartImagePipelineExecution" and call.status == 200 and not interrupted.is_set():
            interrupted.set()
            process.send_signal(signal.SIGINT)

    standin.fake.on_call = interrupt_after_a_build
    output, _ = process.communicate(timeout=120)
    assert interrupted.is_set(), output
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    builds = _new_builds(list(standin.fake.calls))
    assert builds
    cancelled = {c.params["imageBuildVersionArn"] for c in standin.fake.successful("CancelImageCreation")}
    assert set(builds) <= cancelled
    assert not any(standin.fake.resources().values()), output


def test_sweep_deletes_old_tagged_leftovers_only(standin: StandIn, tmp_path: Path) -> None:
    """The sweep deletes tagged resources of runs started long enough ago, their builds first; nothing else."""
    client = _client(standin)
    hours_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = _make_pipeline(client, "fibct-0a1d0000-main-old", {RUN_TAG: "0a1d0000", STARTED_TAG: hours_ago})
    old_distribution = client.create_distribution_configuration(
        name="fibct-0a1d0000-main-distribution-1",
        distributions=[{"region": "us-east-1", "amiDistributionConfiguration": {}}],
        tags={RUN_TAG: "0a1d0000", STARTED_TAG: hours_ago},
    )["distributionConfigurationArn"]
    build = client.start_image_pipeline_execution(imagePipelineArn=old)["imageBuildVersionArn"]
    recent = _make_pipeline(client, "fibct-5ecen700-main-new", {RUN_TAG: "5ecen700", STARTED_TAG: now})
    theirs = _make_pipeline(client, "production")
    command = [
        sys.executable,
        "-m",
        "contract_tests.sweep",
        "--older-than=2h",
        f"--aws-account={ACCOUNT}",
        "--region=us-east-1",
        f"--testing-endpoint-url={standin.url}",
        f"--testing-sts-endpoint-url={standin.sts_url}",
    ]
    dry = subprocess.run([*command, "--dry-run"], cwd=REPO, env=suite_env(tmp_path), capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert f"would delete build {build}" in dry.stdout and f"would delete pipeline {old}" in dry.stdout
    assert f"would delete distribution {old_distribution}" in dry.stdout
    assert len(standin.fake.resources()["imagePipelines"]) == 3
    done = subprocess.run(command, cwd=REPO, env=suite_env(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    left = standin.fake.resources()
    assert sorted(left["imagePipelines"]) == sorted([recent, theirs])
    assert left["images"] == [] and left["distributionConfigurations"] == []
    assert not [arn for kind in left.values() for arn in kind if "fibct-0a1d0000" in arn]
    again = subprocess.run(command, cwd=REPO, env=suite_env(tmp_path), capture_output=True, text=True)
    assert "nothing older than" in again.stdout
    # One run by its id, whatever its age (the command a run that could not delete everything prints).
    by_id = [arg for arg in command if not arg.startswith("--older-than")] + ["--run=5ecen700"]
    done = subprocess.run(by_id, cwd=REPO, env=suite_env(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert standin.fake.resources()["imagePipelines"] == [theirs]


def test_sweep_refuses_a_malformed_age(tmp_path: Path) -> None:
    """``--older-than`` must be a number and a unit."""
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests.sweep", "--older-than=soon", f"--aws-account={ACCOUNT}"],
        cwd=REPO,
        env=suite_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "use a number and a unit" in done.stderr


def test_reservations_never_exceed_the_budget() -> None:
    """A reservation past the budget is a skip, never a build; a start that built nothing gives its hold back."""
    budget = Budget(2)
    budget.reserve()
    budget.reserve()
    with pytest.raises(BudgetExhausted):
        budget.reserve()
    budget.settle(built=False)  # a start that made nothing gives its hold back
    budget.settle(built=True)
    budget.reserve()
    budget.settle(built=True)
    assert (budget.started, budget.remaining) == (2, 0)
    assert issubclass(BudgetExhausted, pytest.skip.Exception)


def test_guard_refuses_to_change_what_the_run_did_not_name() -> None:
    """Starting, cancelling, updating or deleting a resource outside the run's prefix is refused before sending."""
    guard = LiveGuard(Budget(1), "fibct-1234abcd-")
    ours = "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/fibct-1234abcd-main-pipeline-3"
    guard.check("StartImagePipelineExecution", {"imagePipelineArn": ours})
    guard.check("StartImagePipelineExecution", {"imagePipelineArn": ours.upper()})
    guard.check("StartImagePipelineExecution", {"imagePipelineArn": "not-an-arn"})
    guard.check("CreateImageRecipe", {"parentImage": PARENT})
    for operation, member, arn in [
        ("StartImagePipelineExecution", "imagePipelineArn", ours.replace("fibct-1234abcd-main-", "")),
        ("DeleteImagePipeline", "imagePipelineArn", ours.replace("1234abcd", "99999999")),
        ("CancelImageCreation", "imageBuildVersionArn", f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/web/1.0.0/1"),
        ("DeleteImageRecipe", "imageRecipeArn", f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-recipe/web/1.0.0"),
    ]:
        with pytest.raises(UnsafeCall, match="did not create it"):
            guard.check(operation, {member: arn})


def test_a_live_failure_replays_on_the_fake(standin: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A state-machine failure on the live target (aws profile) prints a blob; ``--reproduce-blob`` replays it on
    the fake.

    The stand-in is made to diverge (every pipeline claims lastRunStatus
    AVAILABLE, so the first example fails whatever is drawn). On a fake with
    the same divergence the blob reproduces the failure; on the unchanged fake
    Hypothesis answers DidNotReproduce: the fake does not do what "AWS" did.
    """
    MUTANTS["phantom-last-run-status"][1](monkeypatch)  # the stand-in serves from this process
    live = run_suite(tmp_path, *standin.aws_options(), "--max-builds=1000", "contract_tests/test_machine.py")
    assert live.returncode == pytest.ExitCode.TESTS_FAILED, live.output
    found = re.search(r"@reproduce_failure\('[^']+', b'([^']+)'\)", live.output)
    assert found, live.output
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent)}
    replay = ("contract_tests/test_machine.py", f"--reproduce-blob={found.group(1)}", "-p", "fake_mutants")
    same = run_suite(tmp_path, *replay, env={**env, ENV: "phantom-last-run-status"})
    assert same.returncode == pytest.ExitCode.TESTS_FAILED and "refuted: last-run-status" in same.output
    unchanged = run_suite(tmp_path, *replay, env=env)
    assert unchanged.returncode == pytest.ExitCode.TESTS_FAILED and "DidNotReproduce" in unchanged.output


def test_guard_gives_back_the_budget_of_a_start_botocore_refused(aws_env: None) -> None:
    """A start botocore refuses before sending holds no budget and is not replayed: nothing can have started."""
    guard = LiveGuard(Budget(1), "fibct-1234abcd-")
    with FakeImageBuilder() as fake:
        raw = fake.client()
        guard.attach(raw)
        client = ContractClient(raw)
        arn = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-pipeline/fibct-1234abcd-main-pipeline-1"
        with pytest.raises(ParamValidationError):
            client.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="")
        assert (guard.budget.remaining, guard.unanswered) == (1, [])
        with pytest.raises(ClientError):  # sent, and refused: no build either
            client.start_image_pipeline_execution(imagePipelineArn=arn)
        assert (guard.budget.remaining, guard.pending) == (1, {})


def test_prerequisites_that_cannot_be_made_stop_the_run_naming_the_option(standin: StandIn, tmp_path: Path) -> None:
    """If the infrastructure configuration cannot be made, the run stops at once and says what to check."""
    standin.fake.deny("CreateInfrastructureConfiguration")
    run = run_suite(tmp_path, *standin.aws_options(), "--aws-instance-profile=NoSuchProfile")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "could not create the prerequisites" in run.output and "'NoSuchProfile' must exist" in run.output
    assert not standin.fake.successful("StartImagePipelineExecution")
    assert not any(standin.fake.resources().values())


_COMPONENT = (
    "name: x\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n"
    "        inputs:\n          commands: ['echo hi']\n"
)


def test_sweep_finds_every_kind_a_run_can_create(standin: StandIn, tmp_path: Path) -> None:
    """Components, lifecycle policies, container recipes (listed) and an image whose pipeline is gone (a
    scheduled build carries no run tags: its name is the run's) are swept with the rest; another's are not."""
    from contract_tests.sweep import listings

    kinds = {listing.kind for listing in listings()}
    assert {"Component", "Workflow", "ContainerRecipe", "LifecyclePolicy", "Image", "ImagePipeline"} <= kinds
    client = _client(standin)
    run, tags = "0a1d0001", {RUN_TAG: "0a1d0001", STARTED_TAG: "2026-01-01T00:00:00Z"}
    name = f"fibct-{run}-gw0"
    client.create_component(name=f"{name}-c", semanticVersion="1.0.0", platform="Linux", data=_COMPONENT, tags=tags)
    client.create_lifecycle_policy(
        name=f"{name}-lp",
        executionRole=f"arn:aws:iam::{ACCOUNT}:role/LifecycleRole",
        resourceType="AMI_IMAGE",
        policyDetails=[{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 1}}],
        resourceSelection={"tagMap": {RUN_TAG: run}},
        tags=tags,
    )
    pipeline = _make_pipeline(client, f"{name}-p", tags)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    client.delete_image_pipeline(imagePipelineArn=pipeline)  # as a run killed mid-cleanup leaves it
    theirs = client.create_component(name="team-hardening", semanticVersion="1.0.0", platform="Linux", data=_COMPONENT)
    command = [
        sys.executable,
        "-m",
        "contract_tests.sweep",
        f"--run={run}",
        f"--aws-account={ACCOUNT}",
        "--region=us-east-1",
        f"--testing-endpoint-url={standin.url}",
        f"--testing-sts-endpoint-url={standin.sts_url}",
    ]
    done = subprocess.run(command, cwd=REPO, env=suite_env(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"deleting build {build}" in done.stdout
    left = standin.fake.resources()
    assert not [arn for arns in left.values() for arn in arns if run in arn], left
    assert left["components"] == [theirs["componentBuildVersionArn"]]
