"""The knob control routes: every knob of the Python API over HTTP, read back, refused with a 400 when wrong,
guarded like the other control routes, and kept by a state file across a restart."""

from __future__ import annotations

import inspect
import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from imagebuilder_scenario import NO_RETRIES, ServerProcess, boto3_client, control, create_pipeline

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.server import RunningServer, serve_in_thread

FAILING = {"outcome": "FAILED", "fail_during": "TESTING", "failure_reason": "planted in {status}"}
OTHER_ACCOUNT = "111122223333"

# One value of each knob other than its default, as JSON gives it.
KNOBS: dict[str, Any] = {
    "account_id": OTHER_ACCOUNT,
    "disabled_pipeline_error": None,
    "max_concurrent_builds": 1,
    "build_plan": {**FAILING, "durations": {"BUILDING": 60.0}},
    "recreated_pipeline_lists_old_images": True,
    "missing_reference_error": "InvalidRequestException",
    "auto_version_first": 1,
    "missing_component_policy": "ResourceNotFoundException",
    "allow_unknown_regions": True,
}


def _error(call: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def _image_status(client: Any, build: str) -> tuple[str, str | None]:
    state = client.get_image(imageBuildVersionArn=build)["image"]["state"]
    return state["status"], state.get("reason")


def test_the_knobs_read_back_are_configure_s_own(server: RunningServer) -> None:
    status, knobs = control(server.url, "configure")
    assert status == 200
    assert list(knobs) == [name for name in inspect.signature(FakeImageBuilder.configure).parameters if name != "self"]
    assert knobs == server.fake.knobs() == FakeImageBuilder().knobs()
    assert knobs["build_plan"] == BuildPlan().fields()


@pytest.mark.parametrize("knob", KNOBS)
def test_each_knob_is_set_as_configure_sets_it(server: RunningServer, knob: str) -> None:
    value = KNOBS[knob]
    status, answer = control(server.url, "configure", {knob: value})
    assert status == 200
    expected = BuildPlan.from_fields(value).fields() if knob == "build_plan" else value
    assert answer[knob] == expected
    assert {name: v for name, v in answer.items() if name != knob} == {
        name: v for name, v in FakeImageBuilder().knobs().items() if name != knob
    }
    assert control(server.url, "configure") == (200, answer) and server.fake.knobs() == answer


def test_configured_knobs_steer_the_api(server: RunningServer) -> None:
    client = boto3_client(server.url, config=NO_RETRIES)
    pipeline = create_pipeline(client)
    knobs = {"max_concurrent_builds": 1, "build_plan": FAILING}
    assert control(server.url, "configure", knobs)[0] == 200
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    in_use = _error(lambda: client.start_image_pipeline_execution(imagePipelineArn=pipeline))
    assert in_use == (400, "ResourceInUseException")
    control(server.url, "advance", {"seconds": 7200})
    assert _image_status(client, build) == ("FAILED", "planted in TESTING")


def test_a_pipeline_s_own_build_plan(server: RunningServer) -> None:
    client = boto3_client(server.url)
    failing, passing = create_pipeline(client, "failing"), create_pipeline(client, "passing")
    plan = {**FAILING, "durations": {"BUILDING": 60}}
    status, answer = control(server.url, "build_plan", {"plan": plan, "pipeline_arn": failing})
    assert status == 200
    assert answer == {"plan": BuildPlan.from_fields(plan).fields(), "pipeline_arn": failing}
    assert server.fake.settings.plan_for(failing) == BuildPlan.from_fields(plan)
    assert control(server.url, f"build_plan?pipeline_arn={failing}") == (200, answer)
    default = {"plan": BuildPlan().fields(), "pipeline_arn": passing}
    assert control(server.url, f"build_plan?pipeline_arn={passing}") == (200, default)
    builds = {
        arn: client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
        for arn in (failing, passing)
    }
    control(server.url, "advance", {"seconds": 7200})
    assert _image_status(client, builds[failing]) == ("FAILED", "planted in TESTING")
    assert _image_status(client, builds[passing]) == ("AVAILABLE", None)


def test_the_default_build_plan(server: RunningServer) -> None:
    client = boto3_client(server.url)
    pipeline = create_pipeline(client)
    answer = {"plan": BuildPlan.from_fields(FAILING).fields(), "pipeline_arn": None}
    assert control(server.url, "build_plan", {"plan": FAILING}) == (200, answer)
    assert control(server.url, "build_plan") == (200, answer)
    assert control(server.url, "configure")[1]["build_plan"] == answer["plan"]
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    control(server.url, "advance", {"seconds": 7200})
    assert _image_status(client, build) == ("FAILED", "planted in TESTING")


def test_a_rate_limit_throttles(server: RunningServer) -> None:
    client = boto3_client(server.url, config=NO_RETRIES)
    request = {"operation": "ListImagePipelines", "rate": 0, "burst": 2}
    assert control(server.url, "rate_limit", request) == (200, request)
    client.list_image_pipelines()
    client.list_image_pipelines()
    assert _error(client.list_image_pipelines) == (429, "CallRateLimitExceededException")
    client.list_images()  # another operation is not limited


def test_a_deny_rule_forbids(server: RunningServer) -> None:
    client = boto3_client(server.url, config=NO_RETRIES)
    request = {"operation": "ListImagePipelines", "account_id": "123456789012"}
    assert control(server.url, "deny", request) == (200, request)
    assert _error(client.list_image_pipelines) == (403, "ForbiddenException")
    client.list_images()
    assert control(server.url, "deny", {}) == (200, {"operation": None, "account_id": None})  # everything
    assert _error(client.list_images) == (403, "ForbiddenException")


def test_pending_faults_counts_down(server: RunningServer) -> None:
    client = boto3_client(server.url, config=NO_RETRIES)
    control(server.url, "fail_next", {"operation": "ListImages", "code": "ServiceException", "times": 3})
    pending = control(server.url, "pending_faults?operation=ListImages")
    assert pending == (200, {"operation": "ListImages", "pending": 3})
    assert _error(client.list_images) == (500, "ServiceException")
    assert control(server.url, "pending_faults", {"operation": "ListImages"}, method="GET")[1]["pending"] == 2
    assert control(server.url, "pending_faults?operation=GetImage")[1]["pending"] == 0


BAD: list[tuple[str, Any, str]] = [
    ("configure", {}, "naming one or more knobs"),
    ("configure", {"max_concurent_builds": 2}, "not 'max_concurent_builds' (did you mean 'max_concurrent_builds'?)"),
    ("configure", {"region": "eu-west-1"}, "not 'region'"),
    ("configure", {"max_concurrent_builds": 0}, "max_concurrent_builds must be None or an int >= 1"),
    ("configure", {"max_concurrent_builds": "2"}, "max_concurrent_builds must be None or an int >= 1"),
    ("configure", {"disabled_pipeline_error": "Nope"}, "disabled_pipeline_error must be None or one of"),
    ("configure", {"account_id": 123456789012}, "account_id must be a 12-digit string"),
    ("configure", {"auto_version_first": True}, "auto_version_first must be 0 or 1"),
    ("configure", {"allow_unknown_regions": "yes"}, "allow_unknown_regions must be True or False"),
    ("configure", {"build_plan": None}, "build_plan must be an object of BuildPlan's fields"),
    ("configure", {"build_plan": {"outcom": "FAILED"}}, "build_plan has no field 'outcom'"),
    ("configure", {"build_plan": {"outcome": "BROKEN"}}, "build_plan: outcome must be AVAILABLE or FAILED"),
    # A valid knob with a bad one: nothing is applied.
    ("configure", {"max_concurrent_builds": 2, "missing_reference_error": "X"}, "missing_reference_error must be"),
    ("configure?account_id=111122223333", None, "GET /_fake/configure takes no members, not 'account_id'"),
    ("build_plan", {}, "'plan' is missing"),
    ("build_plan", {"plan": {}, "pipeline": "arn:x"}, "not 'pipeline' (did you mean 'pipeline_arn'?)"),
    ("build_plan", {"plan": {}, "pipeline_arn": 7}, "'pipeline_arn' must be an image pipeline's ARN or null"),
    ("build_plan", {"plan": "FAILED"}, "plan must be an object of BuildPlan's fields"),
    ("build_plan", {"plan": {"durations": ["BUILDING"]}}, "plan.durations must be an object of status -> seconds"),
    ("build_plan", {"plan": {"durations": {"COOKING": 5}}}, "durations name unknown statuses: ['COOKING']"),
    ("build_plan", {"plan": {"durations": {"BUILDING": -5}}}, "durations['BUILDING'] must be a finite number >= 0"),
    ("build_plan", {"plan": {"fail_during": "AVAILABLE"}}, "fail_during must be one of"),
    ("build_plan", {"plan": {"fail_step": "Apply Components"}}, "plan: fail_step must be a workflow step name"),
    ("build_plan", b'{"plan": {"failure_reason": "bad \\ud800"}}', "valid Unicode text"),
    ("build_plan?x=1", None, "GET /_fake/build_plan takes 'pipeline_arn', not 'x'"),
    ("rate_limit", {"operation": "ListImages"}, "'rate' is missing"),
    ("rate_limit", {"operation": "list-images", "rate": 1}, "did you mean 'ListImages'?"),
    ("rate_limit", {"operation": "ListImages", "rate": -1}, "rate must be a finite number >= 0"),
    ("rate_limit", {"operation": "ListImages", "rate": "1"}, "rate must be a finite number >= 0"),
    ("rate_limit", b'{"operation": "ListImages", "rate": 1, "burst": 1e400}', "burst must be a finite number >= 0"),
    ("rate_limit", {"operation": "ListImages", "rate": 1, "burst": -1}, "burst must be a finite number >= 0"),
    ("rate_limit", {"operation": "ListImages", "rate": 1, "bust": 2}, "(did you mean 'burst'?)"),
    ("deny", {"operation": "GetImages"}, "did you mean 'GetImage'?"),
    ("deny", {"account_id": "1234"}, "account_id must be a 12-digit string"),
    ("deny", {"operation": "GetImage", "acount": OTHER_ACCOUNT}, "(did you mean 'account_id'?)"),
    ("pending_faults", None, "'operation' is missing"),
    ("pending_faults?operation=GetImag", None, "did you mean 'GetImage'?"),
    ("pending_faults?operation=GetImage&times=2", None, "/_fake/pending_faults takes 'operation', not 'times'"),
]


@pytest.mark.parametrize(("route", "body", "says"), BAD)
def test_bad_knob_input_is_a_400_and_changes_nothing(server: RunningServer, route: str, body: Any, says: str) -> None:
    knobs, policy = server.fake.knobs(), server.fake.policy.snapshot()
    status, answer = control(server.url, route, body, method="POST" if body is not None else None)
    assert status == 400, answer
    assert says in answer["message"], answer["message"]
    assert "Traceback" not in answer["message"]
    assert server.fake.knobs() == knobs and server.fake.policy.snapshot() == policy
    assert server.fake.settings.pipeline_plans == {}


def test_wrong_methods_name_the_ones_a_route_takes(server: RunningServer) -> None:
    answer = requests.delete(f"{server.url}/_fake/configure", timeout=10)
    assert (answer.status_code, answer.headers["Allow"]) == (405, "GET, POST")
    assert answer.json()["message"] == "/_fake/configure takes GET or POST, not DELETE."
    assert control(server.url, "deny", method="GET")[0] == 405
    assert control(server.url, "pending_faults", {"operation": "GetImage"}, method="POST")[0] == 405


# Each new route, called as a client would: method, route, body.
CALLS = [
    ("GET", "configure", None),
    ("POST", "configure", {"max_concurrent_builds": 3}),
    ("GET", "build_plan", None),
    ("POST", "build_plan", {"plan": FAILING}),
    ("POST", "rate_limit", {"operation": "GetImage", "rate": 1}),
    ("POST", "deny", {"operation": "GetImage"}),
    ("GET", "pending_faults?operation=GetImage", None),
]


@pytest.mark.parametrize(("method", "route", "body"), CALLS, ids=[f"{m} {r.split('?')[0]}" for m, r, _ in CALLS])
def test_the_knob_routes_need_the_control_token(aws_env: None, method: str, route: str, body: Any) -> None:
    with serve_in_thread(FakeImageBuilder(), control_token="s3cret-token") as running:
        url, data = f"{running.url}/_fake/{route}", None if body is None else json.dumps(body)
        knobs, policy = running.fake.knobs(), running.fake.policy.snapshot()
        for headers in ({}, {"Authorization": "Bearer guess"}):
            refused = requests.request(method, url, data=data, headers=headers, timeout=10)
            assert refused.status_code == 403 and "message" in refused.json()
        assert running.fake.knobs() == knobs and running.fake.policy.snapshot() == policy
        assert running.fake.settings.build_plan == BuildPlan()
        answer = requests.request(method, url, data=data, headers={"Authorization": "Bearer s3cret-token"}, timeout=10)
        assert answer.status_code == 200, answer.text


def _set_everything(url: str) -> dict[str, Any]:
    """Every knob route's change, over HTTP; returns what GET /_fake/configure then answers."""
    pipeline = create_pipeline(boto3_client(url))
    assert control(url, "configure", KNOBS)[0] == 200
    assert control(url, "build_plan", {"plan": {"durations": {"BUILDING": 5}}, "pipeline_arn": pipeline})[0] == 200
    assert control(url, "rate_limit", {"operation": "ListImages", "rate": 0, "burst": 1})[0] == 200
    assert control(url, "deny", {"operation": "ListComponents"})[0] == 200
    assert control(url, "fail_next", {"operation": "ListWorkflows", "code": "ServiceException", "times": 2})[0] == 200
    status, knobs = control(url, "configure")
    assert status == 200
    return {"knobs": knobs, "pipeline": pipeline, "plan": control(url, f"build_plan?pipeline_arn={pipeline}")[1]}


def _check_everything(url: str, before: dict[str, Any]) -> None:
    """What :func:`_set_everything` set is still in force."""
    assert control(url, "configure") == (200, before["knobs"])
    assert control(url, f"build_plan?pipeline_arn={before['pipeline']}") == (200, before["plan"])
    assert control(url, "pending_faults?operation=ListWorkflows")[1]["pending"] == 2
    client = boto3_client(url, config=NO_RETRIES)
    client.list_images()  # a burst of one: this call passes, the next is throttled
    assert _error(client.list_images) == (429, "CallRateLimitExceededException")
    assert _error(client.list_components) == (403, "ForbiddenException")


@pytest.mark.parametrize("compact", [False, True], ids=["replayed", "from a snapshot"])
def test_knobs_set_over_http_survive_a_restart(journaled: Callable[[], FakeImageBuilder], compact: bool) -> None:
    fake = journaled()
    with serve_in_thread(fake) as running:
        before = _set_everything(running.url)
    if compact:  # a snapshot, not the entries, brings them back
        assert fake.journal is not None
        fake.journal.compact()
    assert fake.journal is not None
    fake.journal.close()
    reopened = journaled()
    assert reopened.knobs() == before["knobs"]
    with serve_in_thread(reopened) as running:
        _check_everything(running.url, before)


def test_knobs_set_over_http_survive_a_kill_of_the_server(spawn: Callable[..., ServerProcess], tmp_path: Path) -> None:
    state = tmp_path / "state.journal"
    server = spawn("--speed", "0", "--state-file", str(state))
    assert server.started, server.first_line
    before = _set_everything(server.url)
    server.finish(signal.SIGKILL)
    restarted = spawn("--speed", "0", "--state-file", str(state))
    assert restarted.started, restarted.finish()
    _check_everything(restarted.url, before)
