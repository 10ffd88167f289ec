"""Workflow executions: what a build's workflows did, approvals at WaitForAction steps, and retries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service.builds import IN_PROGRESS
from fakeimagebuilder.service.state import Scope, Settings
from fakeimagebuilder.service.workflow_runs import lay_out, workflow_specs

APPROVAL = """name: approve
description: waits for a person to approve the image
schemaVersion: 1.0
parameters:
  - name: approve
    type: boolean
    default: true
steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
  - name: WaitForApproval
    action: WaitForAction
    onFailure: {on_failure}
    timeoutSeconds: 86400
    if:
      booleanEquals: true
      value: "$.parameters.approve"
  - name: TerminateTestInstance
    action: TerminateInstance
    onFailure: Continue
"""

HAS_FAILURE_CONTEXT = "failureContext" in service_model().shape_for("ImageState").members
HAS_RETRY = "RetryImage" in service_model().operation_names


def _approval_stack(client: Any, make_stack: Any, on_failure: str = "Abort", parameters: Any = None) -> str:
    workflow = client.create_workflow(
        name="approve", semanticVersion="1.0.0", type="TEST", data=APPROVAL.format(on_failure=on_failure)
    )["workflowBuildVersionArn"]
    entry: dict[str, Any] = {"workflowArn": workflow}
    if parameters is not None:
        entry["parameters"] = parameters
    return make_stack(
        "approval", workflows=[entry], executionRole="arn:aws:iam::123456789012:role/builder"
    ).pipeline_arn


def _status(client: Any, build: str) -> str:
    status: str = client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"]
    return status


def _executions(client: Any, build: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.list_workflow_executions(imageBuildVersionArn=build)["workflowExecutions"]
    return found


def _steps(client: Any, execution: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.list_workflow_step_executions(workflowExecutionId=execution)["steps"]
    return found


def test_default_workflows_run_inside_the_statuses_getimage_shows(fake: Any, client: Any, stack: Any):
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for _ in range(50):  # every 30 virtual seconds over 25 minutes: longer than the whole build
        status = _status(client, build)
        executions = _executions(client, build)
        running = tuple((e["type"], e["status"]) for e in executions)
        seen.add((status, running))
        # The workflow of the status GetImage shows is the one running; none runs outside BUILDING and TESTING.
        assert [e["type"] for e in executions if e["status"] == "RUNNING"] == (
            {"BUILDING": ["BUILD"], "TESTING": ["TEST"]}.get(status, [])
        )
        fake.advance(30)

    assert ("AVAILABLE", (("BUILD", "COMPLETED"), ("TEST", "COMPLETED"))) in seen
    assert ("PENDING", ()) in seen
    build_run, test_run = _executions(client, build)
    assert build_run["workflowBuildVersionArn"].endswith(":aws:workflow/build/build-image/1.0.3/1")
    assert test_run["workflowBuildVersionArn"].endswith(":aws:workflow/test/test-image/1.0.3/1")
    # aws-cli list-workflow-executions.rst: seven build steps; the counts add up to the total.
    assert build_run["totalStepCount"] == 7
    for run in (build_run, test_run):
        assert run["totalStepsSucceeded"] + run["totalStepsFailed"] + run["totalStepsSkipped"] == run["totalStepCount"]
        assert run.get("retried", False) is False  # a member since botocore 1.41
        got = client.get_workflow_execution(workflowExecutionId=run["workflowExecutionId"])
        assert got["imageBuildVersionArn"] == build
        assert (got["status"], got["startTime"], got["endTime"]) == (run["status"], run["startTime"], run["endTime"])
    assert test_run["startTime"] == build_run["endTime"]
    steps = _steps(client, build_run["workflowExecutionId"])
    assert steps[0]["startTime"] == build_run["startTime"] and steps[-1]["endTime"] == build_run["endTime"]
    # Linux: sysprep is skipped; the instance and the AMI are the step outputs aws-cli's example shows.
    assert {s["name"]: s["status"] for s in steps}["RunSysPrepScript"] == "SKIPPED"
    ami = client.get_image(imageBuildVersionArn=build)["image"]["outputResources"]["amis"][0]["image"]
    assert {s["name"]: s.get("outputs") for s in steps}["CreateOutputAMI"] == f'{{"imageId": "{ami}"}}'
    one = client.get_workflow_step_execution(stepExecutionId=steps[0]["stepExecutionId"])
    assert (one["name"], one["workflowExecutionId"], one["onFailure"]) == (
        "LaunchBuildInstance",
        build_run["workflowExecutionId"],
        "Abort",
    )


def test_tests_off_runs_no_test_workflow(fake: Any, client: Any, make_stack: Any):
    pipeline = make_stack(imageTestsConfiguration={"imageTestsEnabled": False}).pipeline_arn
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)

    assert [e["type"] for e in _executions(client, build)] == ["BUILD"]


def test_a_wait_step_holds_the_build_until_resumed(fake: Any, client: Any, make_stack: Any):
    pipeline = _approval_stack(client, make_stack)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(43200)  # half a day: without an answer the build still waits (its step times out after a day)

    assert _status(client, build) == "TESTING"
    (waiting,) = client.list_waiting_workflow_steps()["steps"]
    assert (waiting["imageBuildVersionArn"], waiting["name"], waiting["action"]) == (
        build,
        "WaitForApproval",
        "WaitForAction",
    )
    test_run = _executions(client, build)[1]
    assert (test_run["workflowExecutionId"], test_run["status"]) == (waiting["workflowExecutionId"], "RUNNING")
    assert [s["status"] for s in _steps(client, test_run["workflowExecutionId"])] == [
        "COMPLETED",
        "RUNNING",
        "PENDING",
    ]
    # Sent once, when the step started waiting (EventBridge reference events-ref-imagebuilder).
    (event,) = [e for e in fake.events if e["detail-type"] == "EC2 Image Builder Workflow Step Waiting"]
    assert event["resources"] == [build, waiting["workflowBuildVersionArn"]]
    assert event["detail"] == {
        "workflow-execution-id": waiting["workflowExecutionId"],
        "workflow-step-execution-id": waiting["stepExecutionId"],
        "workflow-step-name": "WaitForApproval",
    }

    client.send_workflow_step_action(
        stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=build, action="RESUME", reason="looks good"
    )

    assert client.list_waiting_workflow_steps()["steps"] == []
    step = client.get_workflow_step_execution(stepExecutionId=waiting["stepExecutionId"])
    assert (step["status"], step["outputs"], step["timeoutSeconds"]) == ("COMPLETED", '{"reason": "looks good"}', 86400)
    assert _status(client, build) == "TESTING"  # the rest of the test workflow still has to run
    fake.advance(3600)
    assert _status(client, build) == "AVAILABLE"
    assert [e["status"] for e in _executions(client, build)] == ["COMPLETED", "COMPLETED"]
    assert len([e for e in fake.events if e["detail-type"] == "EC2 Image Builder Workflow Step Waiting"]) == 1
    with pytest.raises(ClientError) as again:
        client.send_workflow_step_action(
            stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=build, action="RESUME"
        )
    assert again.value.response["Error"]["Code"] == "InvalidRequestException"


def test_stop_fails_the_build_at_once_with_a_workflow_reason(fake: Any, client: Any, make_stack: Any):
    pipeline = _approval_stack(client, make_stack)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    (waiting,) = client.list_waiting_workflow_steps()["steps"]

    client.send_workflow_step_action(
        stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=build, action="STOP", reason="rejected"
    )

    state = client.get_image(imageBuildVersionArn=build)["image"]["state"]
    assert state["status"] == "FAILED"
    assert state["reason"].startswith(f"Workflow Execution ID: '{waiting['workflowExecutionId']}' failed with reason:")
    assert "rejected" in state["reason"]
    failed = fake.state()["123456789012"]["us-east-1"]["images"][0]["state"]["failureContext"]
    assert (failed["stepExecutionId"], failed["failedStep"], failed["imageStatus"]) == (
        waiting["stepExecutionId"],
        "WaitForApproval",
        "TESTING",
    )
    if HAS_FAILURE_CONTEXT:
        assert state["failureContext"] == failed
    steps = _steps(client, waiting["workflowExecutionId"])
    assert [s["status"] for s in steps] == ["COMPLETED", "FAILED", "SKIPPED"]
    assert _executions(client, build)[1]["status"] == "FAILED"


def test_an_unanswered_wait_times_out_and_fails_the_build(fake: Any, client: Any, make_stack: Any):
    pipeline = _approval_stack(client, make_stack)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    (waiting,) = client.list_waiting_workflow_steps()["steps"]

    fake.advance(86400)  # the step's timeoutSeconds

    assert client.list_waiting_workflow_steps()["steps"] == []
    state = client.get_image(imageBuildVersionArn=build)["image"]["state"]
    assert state["status"] == "FAILED" and "timed out after 86400 seconds" in state["reason"]
    step = client.get_workflow_step_execution(stepExecutionId=waiting["stepExecutionId"])
    assert step["status"] == "FAILED"
    with pytest.raises(client.exceptions.InvalidRequestException):  # "has already timed out" (API reference)
        client.send_workflow_step_action(
            stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=build, action="RESUME"
        )


def test_stop_of_a_step_that_continues_on_failure_lets_the_build_go_on(fake: Any, client: Any, make_stack: Any):
    pipeline = _approval_stack(client, make_stack, on_failure="Continue")
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    (waiting,) = client.list_waiting_workflow_steps()["steps"]

    client.send_workflow_step_action(
        stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=build, action="STOP"
    )
    fake.advance(3600)

    assert _status(client, build) == "AVAILABLE"
    assert _executions(client, build)[1]["totalStepsFailed"] == 1


def test_a_false_condition_skips_the_wait(fake: Any, client: Any, make_stack: Any):
    pipeline = _approval_stack(client, make_stack, parameters=[{"name": "approve", "value": ["false"]}])
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)

    assert _status(client, build) == "AVAILABLE"
    assert [s["status"] for s in _steps(client, _executions(client, build)[1]["workflowExecutionId"])] == [
        "COMPLETED",
        "SKIPPED",
        "COMPLETED",
    ]


def test_actions_only_reach_a_waiting_step(fake: Any, client: Any, make_stack: Any, stack: Any):
    pipeline = _approval_stack(client, make_stack, parameters=None)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    other = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    (waiting,) = client.list_waiting_workflow_steps()["steps"]
    launch = _steps(client, waiting["workflowExecutionId"])[0]["stepExecutionId"]

    def code(**params: Any) -> str:
        with pytest.raises(ClientError) as caught:
            client.send_workflow_step_action(action="RESUME", **params)
        return str(caught.value.response["Error"]["Code"])

    assert code(stepExecutionId=launch, imageBuildVersionArn=build) == "InvalidRequestException"
    assert code(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=other) == (
        "InvalidParameterValueException"
    )
    missing = "step-00000000-0000-0000-0000-000000000000"
    assert code(stepExecutionId=missing, imageBuildVersionArn=build) == "ResourceNotFoundException"
    assert _status(client, build) == "TESTING"  # nothing changed


def test_cancelling_a_waiting_build_cancels_its_step(fake: Any, client: Any, make_stack: Any):
    pipeline = _approval_stack(client, make_stack)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    (waiting,) = client.list_waiting_workflow_steps()["steps"]

    client.cancel_image_creation(imageBuildVersionArn=build)

    assert _status(client, build) == "CANCELLED"
    assert client.list_waiting_workflow_steps()["steps"] == []
    assert [s["status"] for s in _steps(client, waiting["workflowExecutionId"])] == [
        "COMPLETED",
        "CANCELLED",
        "CANCELLED",
    ]
    assert _executions(client, build)[1]["status"] == "CANCELLED"


def test_a_failing_plan_fails_the_chosen_step_and_the_context_names_it(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_step="LaunchTestInstance"))
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=build)["image"]
    build_run, test_run = _executions(client, build)
    assert (build_run["status"], test_run["status"]) == ("COMPLETED", "FAILED")
    assert image["state"]["reason"] == (
        f"Workflow Execution ID: '{test_run['workflowExecutionId']}' failed with reason: "
        "Step 'LaunchTestInstance' failed."
    )
    # The build ends where its plan said: at the end of TESTING.
    assert test_run["endTime"] == _steps(client, test_run["workflowExecutionId"])[0]["endTime"]
    context = fake.state()["123456789012"]["us-east-1"]["images"][0]["state"]["failureContext"]
    step = client.get_workflow_step_execution(stepExecutionId=context["stepExecutionId"])
    assert (step["name"], step["status"], step["workflowExecutionId"]) == (
        "LaunchTestInstance",
        "FAILED",
        context["workflowExecutionId"],
    )


def test_the_default_failure_names_the_component_step(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    (build_run,) = _executions(client, build)
    context = fake.state()["123456789012"]["us-east-1"]["images"][0]["state"]["failureContext"]
    assert context["workflowExecutionId"] == build_run["workflowExecutionId"]
    assert context["failedStep"] == "ApplyBuildComponents"
    assert build_run["workflowExecutionId"] in client.get_image(imageBuildVersionArn=build)["image"]["state"]["reason"]


CHECKS = """name: checks
schemaVersion: 1.0
steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
  - name: CollectLogs
    action: RunCommand
    onFailure: Continue
  - name: RunTests
    action: ExecuteComponents
    onFailure: Abort
  - name: TerminateTestInstance
    action: TerminateInstance
    onFailure: Continue
"""


def test_a_failing_plan_on_a_step_that_continues_lets_the_workflow_and_the_build_go_on(
    fake: Any, client: Any, make_stack: Any
):
    # API reference, SendWorkflowStepAction: the step's onFailure decides whether the workflow continues or aborts;
    # the fake's STOP of a Continue step already lets the build go on, and the plan's failure does the same.
    workflow = client.create_workflow(name="checks", semanticVersion="1.0.0", type="TEST", data=CHECKS)
    entry = {"workflowArn": workflow["workflowBuildVersionArn"]}
    pipeline = make_stack("checks", workflows=[entry], executionRole="arn:aws:iam::123456789012:role/b").pipeline_arn
    passing = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_step="CollectLogs"))
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=build)["image"]
    assert image["state"] == {"status": "AVAILABLE"}  # no reason, no failureContext
    _, test_run = _executions(client, build)
    assert (test_run["status"], test_run["totalStepsFailed"], test_run["totalStepsSucceeded"]) == ("COMPLETED", 1, 3)
    steps = _steps(client, test_run["workflowExecutionId"])
    assert [(s["name"], s["status"]) for s in steps] == [
        ("LaunchTestInstance", "COMPLETED"),
        ("CollectLogs", "FAILED"),
        ("RunTests", "COMPLETED"),
        ("TerminateTestInstance", "COMPLETED"),
    ]
    assert steps[1]["message"] == "Step 'CollectLogs' failed."
    # Started at the same instant, it keeps the timeline of a build that failed nothing.
    assert [(s["startTime"], s["endTime"]) for s in steps] == [
        (s["startTime"], s["endTime"]) for s in _steps(client, _executions(client, passing)[1]["workflowExecutionId"])
    ]


NOT_RUN = "is no step of the workflows this build runs"


@pytest.mark.parametrize(
    ("fail_step", "pipeline", "why"),
    [
        ("NoSuchStep", {}, NOT_RUN),
        ("RunSysPrepScript", {}, "is skipped on this build (its if condition is false)"),  # a Linux build
        ("LaunchTestInstance", {"imageTestsConfiguration": {"imageTestsEnabled": False}}, NOT_RUN),
        ("WaitForApproval", None, "is a WaitForAction step, which only SendWorkflowStepAction or its timeout fails"),
    ],
)
def test_a_fail_step_the_build_does_not_run_fails_no_other_step(
    fake: Any, client: Any, make_stack: Any, fail_step: str, pipeline: Any, why: str
):
    arn = _approval_stack(client, make_stack) if pipeline is None else make_stack(**pipeline).pipeline_arn
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_step=fail_step, failure_reason="broke in {status}"))
    build = client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
    fake.advance(3600)

    state = client.get_image(imageBuildVersionArn=build)["image"]["state"]
    assert (state["status"], state["reason"]) == (
        "FAILED",
        f"The image build failed while it was BUILDING; no workflow step failed: the build plan's fail_step "
        f"'{fail_step}' {why}.",
    )
    # It fails where fail_during says, and no step fails in the named one's place.
    assert fake.state()["123456789012"]["us-east-1"]["images"][0]["state"]["failureContext"] == {
        "imageStatus": "BUILDING"
    }
    (build_run,) = _executions(client, build)
    assert (build_run["status"], build_run["totalStepsFailed"]) == ("COMPLETED", 0)


def test_fail_step_must_be_a_workflow_step_name():
    # The model's WorkflowStepName: ^[A-Za-z][A-Za-z0-9-_]{1,99}$; no workflow has a step named otherwise.
    for name in ("", "X", "Apply Test Components", "1stStep", "Step\n", "S" * 101):
        with pytest.raises(ValueError, match="fail_step must be a workflow step name"):
            BuildPlan(outcome="FAILED", fail_step=name)
    assert BuildPlan(fail_step="Run-tests_2" + "x" * 89).fail_step is not None  # 100 characters


def test_unknown_executions_are_not_found(client: Any, stack: Any):
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_workflow_execution(workflowExecutionId="wf-00000000-0000-0000-0000-000000000000")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_workflow_step_executions(workflowExecutionId="wf-00000000-0000-0000-0000-000000000000")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_workflow_step_execution(stepExecutionId="step-00000000-0000-0000-0000-000000000000")


def test_an_execution_id_finds_its_build_before_anything_read_its_executions(fake: Any, client: Any, stack: Any):
    # A new build's executions are laid out when first read (workflow_runs.lay_out_new): an id of one must
    # still name it when the first read is by that id.
    first = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    second = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    build = fake.service.scope(fake.account_id, "us-east-1").builds[second]
    expected = lay_out(
        build.arn, build.attempt, build.attempt_start, build.plan, build.tests_enabled, build.specs, {},
        {"component_arn": build.failing_component}, build.first_status, build.origin,
    ).runs

    got = client.get_workflow_execution(workflowExecutionId=expected[1].id)
    step = client.get_workflow_step_execution(stepExecutionId=expected[0].steps[0].id)

    assert (got["imageBuildVersionArn"], got["type"], got["status"]) == (second, "TEST", "COMPLETED")
    assert (step["imageBuildVersionArn"], step["name"]) == (second, "LaunchBuildInstance")
    assert [e["workflowExecutionId"] for e in _executions(client, second)] == [run.id for run in expected]
    assert _executions(client, first)[0]["workflowExecutionId"] != expected[0].id


def test_cancelling_a_build_cancels_the_workflow_running_then(fake: Any, client: Any, stack: Any):
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(200)  # BUILDING (after 15 s PENDING and 120 s CREATING)
    client.cancel_image_creation(imageBuildVersionArn=build)
    fake.advance(3600)

    assert [(e["type"], e["status"]) for e in _executions(client, build)] == [("BUILD", "CANCELLED")]


def test_step_executions_page(fake: Any, client: Any, stack: Any):
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    execution = _executions(client, build)[0]["workflowExecutionId"]

    pages = client.get_paginator("list_workflow_step_executions").paginate(
        workflowExecutionId=execution, PaginationConfig={"PageSize": 3}
    )
    names = [step["name"] for page in pages for step in page["steps"]]

    assert names == [step["name"] for step in _steps(client, execution)]
    assert len(names) == 7


retry_only = pytest.mark.skipif(not HAS_RETRY, reason="the installed botocore model has no RetryImage")


@retry_only
def test_retry_runs_a_failed_build_again_in_place(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_step="ApplyTestComponents"))
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    assert _status(client, build) == "FAILED"
    fake.set_build_plan(BuildPlan())

    answer = client.retry_image(imageBuildVersionArn=build)

    # Same build version, resumed in the status it failed in (model doc of RetryImage; aws-cli retry-image.rst).
    assert answer["imageBuildVersionArn"] == build
    image = client.get_image(imageBuildVersionArn=build)["image"]
    assert (image["state"], image["buildType"]) == ({"status": "TESTING"}, "USER_INITIATED")
    fake.advance(3600)
    assert _status(client, build) == "AVAILABLE"
    runs = _executions(client, build)
    assert [(r["type"], r["status"], r["retried"]) for r in runs] == [
        ("BUILD", "COMPLETED", False),
        ("TEST", "FAILED", True),
        ("TEST", "COMPLETED", False),
    ]
    # No new build version: the next start takes /2.
    assert client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"].endswith(
        "/1.0.0/2"
    )
    changes = [
        (e["detail"]["previous-state"]["status"], e["detail"]["state"]["status"])
        for e in fake.events
        if e["detail-type"] == "EC2 Image Builder Image State Change" and e["resources"] == [build]
    ]
    assert changes[-5:] == [
        ("TESTING", "FAILED"),
        ("FAILED", "TESTING"),
        ("TESTING", "DISTRIBUTING"),
        ("DISTRIBUTING", "INTEGRATING"),
        ("INTEGRATING", "AVAILABLE"),
    ]


@retry_only
def test_retry_takes_failed_or_cancelled_amis_only(fake: Any, client: Any, stack: Any):
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    with pytest.raises(client.exceptions.InvalidRequestException):
        client.retry_image(imageBuildVersionArn=build)  # still in progress
    client.cancel_image_creation(imageBuildVersionArn=build)
    client.retry_image(imageBuildVersionArn=build)
    assert _status(client, build) == "PENDING"  # cancelled while PENDING: it starts over from there
    fake.advance(3600)
    assert _status(client, build) == "AVAILABLE"
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.retry_image(imageBuildVersionArn=build)
    created = datetime.fromisoformat(client.get_image(imageBuildVersionArn=build)["image"]["dateCreated"][:-1])
    assert created.year > 2000  # the build kept its creation date


def test_the_readme_approval_example_runs(aws_env: None):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Workflows, approvals and retries") :]
    section = re.split(r"\n##+ ", section, maxsplit=1)[0]  # up to the next heading
    (example,) = re.findall(r"```python\n(.*?)```", section, re.S)

    exec(compile(example, "README.md", "exec"), {})  # its asserts are the test


@settings(max_examples=200, deadline=None)
@given(
    seconds=st.floats(min_value=0, max_value=10**6, allow_nan=False),
    start=st.floats(min_value=1.6e9, max_value=2e9),
    tests=st.booleans(),
    outcome=st.sampled_from(["AVAILABLE", "FAILED"]),
    fail_during=st.sampled_from(IN_PROGRESS),
)
def test_workflows_keep_the_plans_timeline(seconds: float, start: float, tests: bool, outcome: Any, fail_during: str):
    """With workflows laid out inside them, the statuses start, and the build ends, exactly where the plan says."""
    plan = BuildPlan.lasting(seconds, outcome=outcome, fail_during=fail_during)
    scope = Scope("123456789012", "us-east-1", Settings())
    specs = workflow_specs(scope, {}, "Linux")
    fills = {"workflow_execution_id": "wf-x", "component_arn": "arn"}

    layout = lay_out("arn:image", 0, start, plan, tests, specs, {}, fills)

    stages, end_status, end_at, _ = plan.timeline(start, tests, fills)
    assert (layout.stages, layout.end_status, layout.end_at) == (stages, end_status, end_at)
    for run in layout.runs:
        assert run.steps[0].starts == run.starts and run.steps[-1].ends == run.ends
        assert all(a.ends == b.starts for a, b in zip(run.steps, run.steps[1:], strict=False))



@settings(max_examples=50, deadline=None)
@given(
    seconds=st.floats(min_value=0, max_value=10**6, allow_nan=False),
    start=st.floats(min_value=1.6e9, max_value=2e9),
    fail_during=st.sampled_from(IN_PROGRESS),
)
def test_a_failed_step_that_continues_keeps_a_passing_build_s_timeline(seconds: float, start: float, fail_during: str):
    """AWS's test-image runs TerminateTestInstance with onFailure Continue: failing it, the plan fails nothing else."""
    plan = BuildPlan.lasting(seconds, outcome="FAILED", fail_during=fail_during, fail_step="TerminateTestInstance")
    scope = Scope("123456789012", "us-east-1", Settings())
    specs = workflow_specs(scope, {}, "Linux")
    fills = {"workflow_execution_id": "wf-x", "component_arn": "arn"}

    layout = lay_out("arn:image", 0, start, plan, True, specs, {}, fills)

    assert (layout.stages, layout.end_status, layout.end_at) == BuildPlan.lasting(seconds).timeline(start, True)[:3]
    assert layout.failed is None and layout.end_reason is None
    assert [(step.spec.name, run.outcome) for run in layout.runs for step in run.steps if step.outcome == "FAILED"] == [
        ("TerminateTestInstance", "COMPLETED")
    ]


@settings(max_examples=25, deadline=None)
@given(
    gaps=st.lists(st.sampled_from([0.0, 0.0004, 60.0]), min_size=2, max_size=7),
    size=st.integers(min_value=1, max_value=3),
    picks=st.lists(st.integers(min_value=0, max_value=2), max_size=8),
)
def test_approving_a_step_per_page_still_lists_every_step_left_waiting(gaps: list[float], size: int, picks: list[int]):
    """The approval loop (page, approve one of the page, next page) lists each step that stays waiting, once."""
    with FakeImageBuilder() as fake:
        client = fake.client()
        create_image = _approval_image(client)
        for gap in gaps:
            create_image()
            fake.advance(gap)
        fake.advance(3600)

        seen: list[str] = []
        token = None
        for page in range(len(gaps) + 1):
            answer = client.list_waiting_workflow_steps(maxResults=size, **({"nextToken": token} if token else {}))
            steps = answer["steps"]
            seen += [step["stepExecutionId"] for step in steps]
            if steps:
                chosen = steps[picks[page % len(picks)] % len(steps) if picks else 0]
                client.send_workflow_step_action(
                    stepExecutionId=chosen["stepExecutionId"],
                    imageBuildVersionArn=chosen["imageBuildVersionArn"],
                    action="RESUME",
                )
            token = answer.get("nextToken")
            if not token:
                break
        left = {step["stepExecutionId"] for step in client.list_waiting_workflow_steps()["steps"]}
        assert left <= set(seen) and len(seen) == len(set(seen))


def test_a_build_made_again_after_a_reset_has_workflow_and_step_ids_of_its_own(
    fake: Any, client: Any, make_stack: Any
):
    # The same ARN after a reset is another build (was: ids derived from the ARN only, so the second build
    # repeated the first's, and a step id from before the reset was taken for the new build's).
    pipeline = _approval_stack(client, make_stack)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    (stale,) = client.list_waiting_workflow_steps()["steps"]
    (stale_event,) = [e for e in fake.events if e["detail-type"] == "EC2 Image Builder Workflow Step Waiting"]
    fake.reset()
    again = client.start_image_pipeline_execution(imagePipelineArn=_approval_stack(client, make_stack))
    assert again["imageBuildVersionArn"] == build
    fake.advance(3600)
    (waiting,) = client.list_waiting_workflow_steps()["steps"]
    (event,) = [e for e in fake.events if e["detail-type"] == "EC2 Image Builder Workflow Step Waiting"]
    assert waiting["workflowExecutionId"] != stale["workflowExecutionId"]
    assert waiting["stepExecutionId"] != stale["stepExecutionId"]
    assert event["id"] != stale_event["id"]
    assert event["detail"]["workflow-step-execution-id"] == waiting["stepExecutionId"]
    with pytest.raises(ClientError) as refused:
        client.send_workflow_step_action(
            stepExecutionId=stale["stepExecutionId"], imageBuildVersionArn=build, action="RESUME"
        )
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert _status(client, build) == "TESTING"  # still waiting for its own step


def _approval_image(client: Any) -> Callable[[], str]:
    """Make a recipe, an infrastructure and the approval workflow; return a CreateImage of them (its ARN)."""
    recipe = client.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]
    infrastructure = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    workflow = client.create_workflow(
        name="approve", semanticVersion="1.0.0", type="TEST", data=APPROVAL.format(on_failure="Abort")
    )["workflowBuildVersionArn"]

    def create_image() -> str:
        return client.create_image(  # type: ignore[no-any-return]
            imageRecipeArn=recipe,
            infrastructureConfigurationArn=infrastructure["infrastructureConfigurationArn"],
            workflows=[{"workflowArn": workflow}],
            executionRole="arn:aws:iam::123456789012:role/builder",
        )["imageBuildVersionArn"]

    return create_image


def _waiting_build(fake: Any) -> tuple[str, str]:
    """A build waiting for approval in ``fake``: its waiting step's workflow and step execution ids."""
    with fake:
        client = fake.client()
        _approval_image(client)()
        fake.advance(3600)
        (waiting,) = client.list_waiting_workflow_steps()["steps"]
    return waiting["workflowExecutionId"], waiting["stepExecutionId"]


def test_workflow_ids_of_a_build_made_again_are_the_same_after_a_state_file_reopen(aws_env: None, tmp_path: Path):
    from fakeimagebuilder import FakeImageBuilder

    path = tmp_path / "state.journal"
    first = FakeImageBuilder.from_state_file(path, speed=0)
    before = _waiting_build(first)
    first.reset()
    again = _waiting_build(first)
    assert not set(before) & set(again)
    assert first.journal is not None
    first.journal.close()
    reopened = FakeImageBuilder.from_state_file(path, speed=0)
    try:
        with reopened:
            steps = reopened.client().list_waiting_workflow_steps()["steps"]
        assert [(s["workflowExecutionId"], s["stepExecutionId"]) for s in steps] == [again]
    finally:
        assert reopened.journal is not None
        reopened.journal.close()


def test_execution_ids_come_from_the_build_not_from_when_it_ran() -> None:
    # The build's origin, ARN, attempt and position make an id (ledger workflow-execution-ids): the same build
    # laid out at another instant keeps its ids, and another build under the same ARN (after a reset, at the
    # same instant) gets ids of its own. The start time once stood in for the origin, so the second failed.
    scope = Scope("123456789012", "us-east-1", Settings())
    specs = workflow_specs(scope, {}, "Linux")
    plan = BuildPlan.lasting(600)

    def ids(start: float, origin: str) -> list[str]:
        runs = lay_out("arn:image", 0, start, plan, True, specs, {}, {}, origin=origin).runs
        return [run.id for run in runs] + [step.id for run in runs for step in run.steps]

    assert ids(1000.0, "first") == ids(5000.0, "first")
    assert not set(ids(1000.0, "first")) & set(ids(1000.0, "again"))
