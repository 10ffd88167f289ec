"""An approval flow on the server: a pipeline whose test workflow waits at a WaitForAction step, driven end to end
from boto3 and from the AWS CLI (installed from PyPI), each against ``python -m fakeimagebuilder serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imagebuilder_scenario import COMPONENT, NO_RETRIES, PARENT_IMAGE, REGION, ServerProcess, boto3_client, control

APPROVAL = """name: approval
description: holds the image until someone approves it
schemaVersion: 1.0
steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
  - name: WaitForApproval
    action: WaitForAction
    onFailure: Abort
  - name: TerminateTestInstance
    action: TerminateInstance
    onFailure: Continue
"""
ROLE = "arn:aws:iam::123456789012:role/imagebuilder-execution"


def test_boto3_approves_one_build_and_rejects_another(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--speed", "0")
    assert server.started, server.first_line
    client = boto3_client(server.url, config=NO_RETRIES)
    recipe = client.create_image_recipe(
        name="approved", semanticVersion="1.0.0", parentImage=PARENT_IMAGE, components=[{"componentArn": COMPONENT}]
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="approved", instanceProfileName="builder")
    workflow = client.create_workflow(name="approval", semanticVersion="1.0.0", type="TEST", data=APPROVAL)
    pipeline = client.create_image_pipeline(
        name="approved",
        imageRecipeArn=recipe,
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        workflows=[{"workflowArn": workflow["workflowBuildVersionArn"]}],
        executionRole=ROLE,
    )["imagePipelineArn"]
    first = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    second = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert control(server.url, "advance", {"seconds": 3600})[0] == 200

    waiting = {step["imageBuildVersionArn"]: step for step in client.list_waiting_workflow_steps()["steps"]}
    assert set(waiting) == {first, second}
    status, events = control(server.url, "events")
    assert status == 200
    waits = [e for e in events["events"] if e["detail-type"] == "EC2 Image Builder Workflow Step Waiting"]
    assert sorted(e["detail"]["workflow-step-execution-id"] for e in waits) == sorted(
        step["stepExecutionId"] for step in waiting.values()
    )

    client.send_workflow_step_action(
        stepExecutionId=waiting[first]["stepExecutionId"], imageBuildVersionArn=first, action="RESUME"
    )
    client.send_workflow_step_action(
        stepExecutionId=waiting[second]["stepExecutionId"],
        imageBuildVersionArn=second,
        action="STOP",
        reason="not this one",
    )
    assert control(server.url, "advance", {"seconds": 3600})[0] == 200

    assert client.get_image(imageBuildVersionArn=first)["image"]["state"]["status"] == "AVAILABLE"
    rejected = client.get_image(imageBuildVersionArn=second)["image"]["state"]
    assert rejected["status"] == "FAILED" and "not this one" in rejected["reason"]
    assert client.list_waiting_workflow_steps()["steps"] == []


def _cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-credentials"),
        AWS_ACCESS_KEY_ID="AKIDCLITEST",
        AWS_SECRET_ACCESS_KEY="cli-secret",
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",
    )
    return env


def test_aws_cli_approves_a_waiting_build(spawn: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = spawn("--speed", "0")
    assert server.started, server.first_line
    env = _cli_env(tmp_path)

    def ok(*args: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "awscli", "imagebuilder", *args, "--endpoint-url", server.url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    recipe = ok(
        "create-image-recipe",
        "--name",
        "cli-approved",
        "--semantic-version",
        "1.0.0",
        "--parent-image",
        PARENT_IMAGE,
        "--components",
        json.dumps([{"componentArn": COMPONENT}]),
    )["imageRecipeArn"]
    infra = ok("create-infrastructure-configuration", "--name", "cli-approved", "--instance-profile-name", "builder")
    workflow = ok(
        "create-workflow", "--name", "approval", "--semantic-version", "1.0.0", "--type", "TEST", "--data", APPROVAL
    )["workflowBuildVersionArn"]
    pipeline = ok(
        "create-image-pipeline",
        "--name",
        "cli-approved",
        "--image-recipe-arn",
        recipe,
        "--infrastructure-configuration-arn",
        infra["infrastructureConfigurationArn"],
        "--workflows",
        json.dumps([{"workflowArn": workflow}]),
        "--execution-role",
        ROLE,
    )["imagePipelineArn"]
    build = ok("start-image-pipeline-execution", "--image-pipeline-arn", pipeline)["imageBuildVersionArn"]
    assert control(server.url, "advance", {"seconds": 3600})[0] == 200

    (step,) = ok("list-waiting-workflow-steps")["steps"]
    assert (step["imageBuildVersionArn"], step["name"]) == (build, "WaitForApproval")
    assert ok("get-image", "--image-build-version-arn", build)["image"]["state"]["status"] == "TESTING"
    executions = ok("list-workflow-executions", "--image-build-version-arn", build)["workflowExecutions"]
    assert [(e["type"], e["status"]) for e in executions] == [("BUILD", "COMPLETED"), ("TEST", "RUNNING")]

    # As aws-cli's send-workflow-step-action.rst does it (the CLI fills in the client token).
    sent = ok(
        "send-workflow-step-action",
        "--step-execution-id",
        step["stepExecutionId"],
        "--image-build-version-arn",
        build,
        "--action",
        "RESUME",
        "--reason",
        "approved by the release manager",
    )
    assert (sent["stepExecutionId"], sent["imageBuildVersionArn"]) == (step["stepExecutionId"], build)
    assert sent["clientToken"]
    assert control(server.url, "advance", {"seconds": 3600})[0] == 200

    assert ok("get-image", "--image-build-version-arn", build)["image"]["state"]["status"] == "AVAILABLE"
    resumed = ok("get-workflow-step-execution", "--step-execution-id", step["stepExecutionId"])
    assert (resumed["status"], json.loads(resumed["outputs"])) == (
        "COMPLETED",
        {"reason": "approved by the release manager"},
    )
    steps = ok("list-workflow-step-executions", "--workflow-execution-id", step["workflowExecutionId"])["steps"]
    assert [s["status"] for s in steps] == ["COMPLETED", "COMPLETED", "COMPLETED"]
