"""The AWS CLI (installed from PyPI) against ``python -m fakeimagebuilder serve`` in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imagebuilder_scenario import COMPONENT, PARENT_IMAGE, REGION, ServerProcess, control


def _cli_env(home: Path) -> dict[str, str]:
    """Dummy credentials and an empty home: nothing from this machine's AWS setup reaches the CLI."""
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


def test_aws_cli_drives_a_build_to_completion(spawn: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = spawn("--speed", "0")
    assert server.started, server.first_line
    env = _cli_env(tmp_path)

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "awscli", "imagebuilder", *args, "--endpoint-url", server.url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(*args: str) -> Any:
        done = aws(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    recipe = ok(
        "create-image-recipe",
        "--name",
        "cli-web",
        "--semantic-version",
        "1.0.0",
        "--parent-image",
        PARENT_IMAGE,
        "--components",
        json.dumps([{"componentArn": COMPONENT}]),
    )["imageRecipeArn"]
    infra = ok("create-infrastructure-configuration", "--name", "cli-web", "--instance-profile-name", "builder")
    pipeline = ok(
        "create-image-pipeline",
        "--name",
        "cli-web",
        "--image-recipe-arn",
        recipe,
        "--infrastructure-configuration-arn",
        infra["infrastructureConfigurationArn"],
        "--tags",
        "team=platform",
    )["imagePipelineArn"]
    started = ok("start-image-pipeline-execution", "--image-pipeline-arn", pipeline)
    build = started["imageBuildVersionArn"]
    assert build == f"arn:aws:imagebuilder:{REGION}:123456789012:image/cli-web/1.0.0/1"
    assert started["clientToken"]  # the CLI fills in the idempotency token

    assert ok("get-image", "--image-build-version-arn", build)["image"]["state"]["status"] == "PENDING"
    # A URI label (the ARN in the path) survives the CLI's percent-encoding and the server's routing.
    assert ok("list-tags-for-resource", "--resource-arn", pipeline)["tags"] == {"team": "platform"}

    missing = aws("get-image", "--image-build-version-arn", build.replace("/1.0.0/1", "/1.0.0/99"))
    assert missing.returncode != 0
    assert "(ResourceNotFoundException)" in missing.stderr
    assert "GetImage operation" in missing.stderr

    assert control(server.url, "advance", {"seconds": 3600})[0] == 200
    image = ok("get-image", "--image-build-version-arn", build)["image"]
    assert image["state"]["status"] == "AVAILABLE"
    assert image["outputResources"]["amis"][0]["image"].startswith("ami-")


def test_aws_cli_drives_container_recipes_and_lifecycle_policies(
    spawn: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """The aws-cli examples' own inputs (create-container-recipe.rst, create-lifecycle-policy.rst) on the server."""
    server = spawn("--speed", "0")
    assert server.started, server.first_line
    env = _cli_env(tmp_path)

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "awscli", "imagebuilder", *args, "--endpoint-url", server.url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(*args: str) -> Any:
        done = aws(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    template = (
        "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n"
    )
    recipe = ok(
        "create-container-recipe",
        "--container-type",
        "DOCKER",
        "--name",
        "my-example-container-recipe",
        "--semantic-version",
        "1.0.0",
        "--parent-image",
        "amazonlinux:latest",
        "--components",
        f"componentArn={COMPONENT}",
        "--dockerfile-template-data",
        template,
        "--target-repository",
        "service=ECR,repositoryName=my-example-container-repo",
    )["containerRecipeArn"]
    shown = ok("get-container-recipe", "--container-recipe-arn", recipe)["containerRecipe"]
    assert (shown["dockerfileTemplateData"], shown["platform"], shown["encrypted"]) == (template, "Linux", True)
    listed = ok("list-container-recipes", "--owner", "Self")["containerRecipeSummaryList"]
    assert [summary["arn"] for summary in listed] == [recipe]
    infra = ok("create-infrastructure-configuration", "--name", "cli-web", "--instance-profile-name", "builder")
    pipeline = ok(
        "create-image-pipeline",
        "--name",
        "cli-containers",
        "--container-recipe-arn",
        recipe,
        "--infrastructure-configuration-arn",
        infra["infrastructureConfigurationArn"],
    )["imagePipelineArn"]
    build = ok("start-image-pipeline-execution", "--image-pipeline-arn", pipeline)["imageBuildVersionArn"]
    assert control(server.url, "advance", {"seconds": 3600})[0] == 200
    image = ok("get-image", "--image-build-version-arn", build)["image"]
    assert (image["type"], image["state"]["status"]) == ("DOCKER", "AVAILABLE")
    assert image["outputResources"]["containers"][0]["imageUris"][0].endswith("/my-example-container-repo:1.0.0-1")
    in_use = aws("delete-container-recipe", "--container-recipe-arn", recipe)
    assert "(ResourceDependencyException)" in in_use.stderr

    details = '[{"action":{"type":"DELETE"},"filter":{"type":"AGE","value":6,"unit":"MONTHS"}}]'
    policy = ok(
        "create-lifecycle-policy",
        "--name",
        "my-example-lifecycle-policy",
        "--execution-role",
        "arn:aws:iam::123456789012:role/my-example-lifecycle-role",
        "--resource-type",
        "AMI_IMAGE",
        "--policy-details",
        details,
        "--resource-selection",
        '{"tagMap":{"Environment":"test"}}',
    )["lifecyclePolicyArn"]
    assert policy == f"arn:aws:imagebuilder:{REGION}:123456789012:lifecycle-policy/my-example-lifecycle-policy"
    got = ok("get-lifecycle-policy", "--lifecycle-policy-arn", policy)["lifecyclePolicy"]
    assert got["policyDetails"] == json.loads(details)
    assert got["dateCreated"]  # a timestamp in the model: the CLI prints it as a date
    ok(
        "update-lifecycle-policy",
        "--lifecycle-policy-arn",
        policy,
        "--execution-role",
        "my-example-lifecycle-role",
        "--resource-type",
        "AMI_IMAGE",
        "--policy-details",
        details,
        "--resource-selection",
        '{"tagMap":{"Environment":"prod"}}',
        "--status",
        "DISABLED",
    )
    found = ok("list-lifecycle-policies", "--filters", "name=Status,values=DISABLED")["lifecyclePolicySummaryList"]
    assert [summary["arn"] for summary in found] == [policy]
    refused = aws(
        "create-lifecycle-policy",
        "--name",
        "containers",
        "--execution-role",
        "my-example-lifecycle-role",
        "--resource-type",
        "CONTAINER_IMAGE",
        "--policy-details",
        '[{"action":{"type":"DEPRECATE"},"filter":{"type":"COUNT","value":5}}]',
        "--resource-selection",
        '{"tagMap":{"Environment":"test"}}',
    )
    assert "(InvalidRequestException)" in refused.stderr
    ok("delete-lifecycle-policy", "--lifecycle-policy-arn", policy)
