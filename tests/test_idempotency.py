"""Client tokens: replays, mismatches, their scope, and botocore's retries that reuse them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import botocore.session
import pytest
from botocore import xform_name
from botocore.config import Config

from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import OPERATIONS

START = "StartImagePipelineExecution"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
# The oldest supported model (botocore 1.40.41) requires a recipe's components: always send them.
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
DISTRIBUTIONS = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "web {{ imagebuilder:buildDate }}"}}]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off delays botocore's retry handler asks for, recorded instead of slept."""
    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=delays.append))
    return delays


def test_replay_returns_the_same_build(client: Any, stack: Any, count_images: Any):
    first = client.start_image_pipeline_execution(
        imagePipelineArn=stack.pipeline_arn, clientToken="t-1", tags={"a": "b"}
    )
    replay = client.start_image_pipeline_execution(
        imagePipelineArn=stack.pipeline_arn, clientToken="t-1", tags={"a": "b"}
    )

    assert replay["imageBuildVersionArn"] == first["imageBuildVersionArn"]
    assert replay["clientToken"] == first["clientToken"] == "t-1"
    assert count_images() == 1
    other = client.start_image_pipeline_execution(
        imagePipelineArn=stack.pipeline_arn, clientToken="t-2", tags={"a": "b"}
    )
    assert other["imageBuildVersionArn"].endswith("/2")


def test_replay_after_the_build_finished_still_returns_it(fake: Any, client: Any, stack: Any, count_images: Any):
    first = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-1")
    fake.advance(24 * 3600)

    replay = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-1")

    assert replay["imageBuildVersionArn"] == first["imageBuildVersionArn"]
    assert count_images() == 1


def test_mismatched_replay_is_refused(client: Any, make_stack: Any, expect_error: Any, count_images: Any):
    one = make_stack("one").pipeline_arn
    two = make_stack("two").pipeline_arn
    client.start_image_pipeline_execution(imagePipelineArn=one, clientToken="shared", tags={"run": "1"})

    for changed in (
        {"imagePipelineArn": two, "tags": {"run": "1"}},
        {"imagePipelineArn": one, "tags": {"run": "2"}},
        {"imagePipelineArn": one},
    ):
        with pytest.raises(client.exceptions.IdempotentParameterMismatchException) as caught:
            client.start_image_pipeline_execution(clientToken="shared", **changed)
        expect_error(caught.value, "IdempotentParameterMismatchException", 400)
        assert "shared" in caught.value.response["message"]
    assert count_images() == 1
    # Tag order is not a difference.
    client.start_image_pipeline_execution(imagePipelineArn=one, clientToken="two-tags", tags={"a": "1", "b": "2"})
    client.start_image_pipeline_execution(imagePipelineArn=one, clientToken="two-tags", tags={"b": "2", "a": "1"})
    assert count_images() == 2


@pytest.mark.parametrize("fake", [{"accounts": {"OTHERKEY": "210987654321"}}], indirect=True)
def test_replay_has_a_fresh_request_id(fake: Any, client: Any, stack: Any, count_images: Any):
    first = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-1")
    replay = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-1")

    assert replay["requestId"] != first["requestId"]
    assert replay["requestId"] == replay["ResponseMetadata"]["RequestId"]

    # A token is kept per operation: the same token on another operation is a new call.
    recipe = client.create_image_recipe(
        name="other", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS, clientToken="t-1"
    )
    assert recipe["imageRecipeArn"].endswith("/other/1.0.0")

    # ... and per region: us-west-2 has never seen it.
    west = boto3.client("imagebuilder", region_name="us-west-2")
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.start_image_pipeline_execution(
            imagePipelineArn=stack.pipeline_arn.replace("us-east-1", "us-west-2"), clientToken="t-1"
        )

    # ... and per account: another account's identical call is its own (here refused), never our replay.
    other = boto3.client(
        "imagebuilder", region_name="us-east-1", aws_access_key_id="OTHERKEY", aws_secret_access_key="x"
    )
    with pytest.raises(other.exceptions.ForbiddenException):
        other.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-1")

    # A failed call is not remembered: its token may be used again, and then it builds.
    fake.fail_next(START, "ServiceException")
    with pytest.raises(client.exceptions.ServiceException):
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-failed")
    retried = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="t-failed")
    assert retried["imageBuildVersionArn"].endswith("/2")
    assert count_images() == 2


@pytest.mark.parametrize(
    ("mode", "code", "status"),
    [
        # Legacy mode, botocore's default in 1.43.11 and before (the mode the claim is about): it
        # retries 429, 500 and 503 alike, up to 5 attempts.
        ("legacy", "ServiceUnavailableException", 503),
        ("legacy", "ServiceException", 500),
        ("legacy", "CallRateLimitExceededException", 429),
        # Standard mode, botocore's default in 1.44.8: it retries 500 and 503, up to 3 attempts; it does
        # not retry Image Builder's modeled 429 (test_retry_modes_treat_injected_errors_as_botocore_does).
        ("standard", "ServiceUnavailableException", 503),
        ("standard", "ServiceException", 500),
    ],
)
def test_retries_after_injected_errors_make_one_build(
    fake: Any, stack: Any, count_images: Any, sleeps: list[float], mode: str, code: str, status: int
):
    # The mode is pinned (botocore's default changed between 1.43.11 and 1.44.8); its attempt limit and
    # the token generated once per call are botocore's defaults.
    client = boto3.client("imagebuilder", region_name="us-east-1", config=Config(retries={"mode": mode}))
    sent: list[str] = []
    statuses: list[int] = []
    client.meta.events.register("before-send", lambda request, **kwargs: sent.append(request.body))
    client.meta.events.register(
        "response-received", lambda response_dict, **kwargs: statuses.append(response_dict["status_code"])
    )
    fake.fail_next(START, code, times=2)

    answer = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert statuses == [status, status, 200]
    assert len(sleeps) == 2  # botocore's own retry handler backed off twice
    assert len(sent) == 3
    assert len(set(sent)) == 1  # the same token every time
    assert count_images() == 1
    assert answer["imageBuildVersionArn"].endswith("/1")
    assert fake.pending_faults(START) == 0


def test_a_client_with_default_retries_treats_a_429_as_its_default_mode_does(
    fake: Any, stack: Any, count_images: Any, sleeps: list[float]
):
    # Whichever mode this botocore defaults to (legacy in 1.43.11, standard in 1.44.8; aws_env clears
    # AWS_RETRY_MODE), a client that sets none goes through that mode's real retry handler.
    mode = botocore.session.get_session().get_config_variable("retry_mode")
    client = boto3.client("imagebuilder", region_name="us-east-1")
    fake.fail_next(START, "CallRateLimitExceededException", times=2)

    if mode == "legacy":
        answer = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
        assert answer["ResponseMetadata"]["RetryAttempts"] == 2
        assert count_images() == 1
    else:
        assert mode == "standard"
        with pytest.raises(client.exceptions.CallRateLimitExceededException) as caught:
            client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
        assert count_images() == 0
    assert fake.pending_faults(START) == (0 if mode == "legacy" else 1)


@pytest.mark.parametrize(
    ("mode", "code", "attempts"),
    [
        ("legacy", "CallRateLimitExceededException", 3),
        ("legacy", "ServiceException", 3),
        ("standard", "ServiceUnavailableException", 3),
        ("standard", "ServiceException", 3),
        # Standard mode retries only its list of throttling codes, which lacks Image Builder's.
        ("standard", "CallRateLimitExceededException", 1),
        ("legacy", "ResourceInUseException", 1),
    ],
)
def test_retry_modes_treat_injected_errors_as_botocore_does(
    fake: Any, stack: Any, count_images: Any, sleeps: list[float], mode: str, code: str, attempts: int
):
    client = boto3.client(
        "imagebuilder", region_name="us-east-1", config=Config(retries={"mode": mode, "total_max_attempts": 3})
    )
    fake.fail_next(START, code, times=5)

    with pytest.raises(client.exceptions.ClientError) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert fake.pending_faults(START) == 5 - attempts
    assert count_images() == 0


TOKEN_OPERATIONS = sorted(
    name
    for name in OPERATIONS
    # An operation the installed model lacks (DistributeImage before botocore 1.42) cannot be called.
    if name in service_model().operation_names
    and any(
        m.metadata.get("idempotencyToken") for m in service_model().operation_model(name).input_shape.members.values()
    )
)


def _token_call(client: Any, stack: Any, operation: str, fake: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """A call of ``operation`` that succeeds once: the method, its parameters, and the same with one change."""
    if operation == "RetryImage":
        builds = [
            client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
            for _ in range(2)
        ]
        for build in builds:
            client.cancel_image_creation(imageBuildVersionArn=build)
        return client.retry_image, {"imageBuildVersionArn": builds[0]}, {"imageBuildVersionArn": builds[1]}
    if operation == "SendWorkflowStepAction":
        workflow = client.create_workflow(
            name="approve",
            semanticVersion="1.0.0",
            type="TEST",
            data="schemaVersion: 1.0\nsteps:\n  - name: Approve\n    action: WaitForAction\n",
        )["workflowBuildVersionArn"]
        build = client.create_image(
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            workflows=[{"workflowArn": workflow}],
        )["imageBuildVersionArn"]
        fake.advance(3600)
        step = client.list_waiting_workflow_steps()["steps"][0]["stepExecutionId"]
        # STOP first: it fails the build at once, so the state shows that the call acted.
        params = {"stepExecutionId": step, "imageBuildVersionArn": build, "action": "STOP"}
        return client.send_workflow_step_action, params, {**params, "action": "RESUME"}
    if operation == "StartImagePipelineExecution":
        params: dict[str, Any] = {"imagePipelineArn": stack.pipeline_arn}
        return client.start_image_pipeline_execution, params, {**params, "tags": {"changed": "yes"}}
    if operation == "CreateImage":
        params = {"imageRecipeArn": stack.recipe_arn, "infrastructureConfigurationArn": stack.infrastructure_arn}
        return client.create_image, params, {**params, "tags": {"changed": "yes"}}
    if operation == "CancelImageCreation":
        builds = [
            client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
            for _ in range(2)
        ]
        return client.cancel_image_creation, {"imageBuildVersionArn": builds[0]}, {"imageBuildVersionArn": builds[1]}
    if operation in ("StartResourceStateUpdate", "CancelLifecycleExecution"):
        # Cancelled builds: ended at once, and a CANCELLED image may go to DELETED.
        images = [
            client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
            for _ in range(2)
        ]
        for image in images:
            client.cancel_image_creation(imageBuildVersionArn=image)
        if operation == "StartResourceStateUpdate":
            params = {"resourceArn": images[0], "state": {"status": "DELETED"}}
            return client.start_resource_state_update, params, {**params, "executionRole": "other"}
        later = {"state": {"status": "DELETED"}, "updateAt": 4102444800}  # 2100: the executions stay PENDING
        executions = [
            client.start_resource_state_update(resourceArn=image, **later)["lifecycleExecutionId"] for image in images
        ]
        return (
            client.cancel_lifecycle_execution,
            {"lifecycleExecutionId": executions[0]},
            {"lifecycleExecutionId": executions[1]},
        )
    if operation in ("CreateLifecyclePolicy", "UpdateLifecyclePolicy"):
        policy = {
            "executionRole": "arn:aws:iam::123456789012:role/lifecycle",
            "resourceType": "AMI_IMAGE",
            "policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 10}}],
            # A plain version: botocore 1.40.41's model has no wildcards here.
            "resourceSelection": {"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]},
        }
        if operation == "CreateLifecyclePolicy":
            params = {"name": "second", **policy}
        else:
            created = client.create_lifecycle_policy(name="second", **policy)
            params = {"lifecyclePolicyArn": created["lifecyclePolicyArn"], **policy}
        return getattr(client, xform_name(operation)), params, {**params, "description": "changed"}
    if operation in ("ImportVmImage", "ImportDiskImage"):
        params = {
            "name": "imported",
            "semanticVersion": "1.0.0",
            "platform": "Windows",
            "osVersion": "Microsoft Windows 11",
        }
        if operation == "ImportVmImage":
            params["vmImportTaskId"] = "import-ami-1234567890abcdef0"
        else:
            params.update(infrastructureConfigurationArn=stack.infrastructure_arn, uri="s3://isos/windows-11.iso")
        return getattr(client, xform_name(operation)), params, {**params, "description": "changed"}
    if operation == "DistributeImage":
        built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
        fake.advance(3600)  # the source must be AVAILABLE
        arn = client.create_distribution_configuration(name="second", distributions=DISTRIBUTIONS)[
            "distributionConfigurationArn"
        ]
        params = {"sourceImage": built, "distributionConfigurationArn": arn, "executionRole": "Distributor"}
        return client.distribute_image, params, {**params, "tags": {"changed": "yes"}}
    if operation == "UpdateDistributionConfiguration":
        arn = client.create_distribution_configuration(name="second", distributions=DISTRIBUTIONS)[
            "distributionConfigurationArn"
        ]
        params = {"distributionConfigurationArn": arn, "distributions": DISTRIBUTIONS}
        return client.update_distribution_configuration, params, {**params, "description": "changed"}
    params = {
        "CreateImagePipeline": {
            "name": "second",
            "imageRecipeArn": stack.recipe_arn,
            "infrastructureConfigurationArn": stack.infrastructure_arn,
        },
        "UpdateImagePipeline": {
            "imagePipelineArn": stack.pipeline_arn,
            "imageRecipeArn": stack.recipe_arn,
            "infrastructureConfigurationArn": stack.infrastructure_arn,
            "description": "updated",  # an update that changes the pipeline (a new one shows dateUpdated already)
        },
        "CreateImageRecipe": {
            "name": "second",
            "semanticVersion": "1.0.0",
            "parentImage": PARENT,
            "components": COMPONENTS,
        },
        "CreateInfrastructureConfiguration": {"name": "second", "instanceProfileName": "builder"},
        "CreateComponent": {
            "name": "second",
            "semanticVersion": "1.0.0",
            "platform": "Linux",
            "data": '{"schemaVersion": 1.0, "phases": [{"name": "build", "steps": [{"name": "A", "action": "X"}]}]}',
        },
        "CreateContainerRecipe": {
            "containerType": "DOCKER",
            "name": "second",
            "semanticVersion": "1.0.0",
            "parentImage": "amazonlinux:latest",
            "components": COMPONENTS,
            "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}\n",
            "targetRepository": {"service": "ECR", "repositoryName": "web"},
        },
        "CreateWorkflow": {
            "name": "second",
            "semanticVersion": "1.0.0",
            "type": "BUILD",
            "data": "schemaVersion: 1.0\nsteps:\n  - name: A\n    action: WaitForAction\n",
        },
        "ImportComponent": {
            "name": "second",
            "semanticVersion": "1.0.0",
            "type": "BUILD",
            "format": "SHELL",
            "platform": "Linux",
            "data": "echo hi",
        },
        "CreateDistributionConfiguration": {"name": "second", "distributions": DISTRIBUTIONS},
        "UpdateInfrastructureConfiguration": {
            "infrastructureConfigurationArn": stack.infrastructure_arn,
            "instanceProfileName": "other",
        },
    }[operation]
    return getattr(client, xform_name(operation)), params, {**params, "description": "changed"}


def test_the_token_operations_are_the_expected_ones():
    assert (
        sorted(
            [
                "CancelImageCreation",
                "CreateComponent",
                "CreateContainerRecipe",
                "CreateDistributionConfiguration",
                "CreateImage",
                "CreateImagePipeline",
                "CreateImageRecipe",
                "CreateInfrastructureConfiguration",
                "CreateLifecyclePolicy",
                "ImportComponent",
                "StartImagePipelineExecution",
                "UpdateDistributionConfiguration",
                "UpdateImagePipeline",
                "UpdateInfrastructureConfiguration",
                "UpdateLifecyclePolicy",
                "CreateWorkflow",
                "ImportDiskImage",
                "ImportVmImage",
                *(["DistributeImage"] if "DistributeImage" in service_model().operation_names else []),
                "SendWorkflowStepAction",
                *(["RetryImage"] if "RetryImage" in service_model().operation_names else []),
                "StartResourceStateUpdate",
                "CancelLifecycleExecution",
            ]
        )
        == TOKEN_OPERATIONS
    )


@pytest.mark.parametrize("operation", TOKEN_OPERATIONS)
def test_every_operation_with_a_token_is_idempotent(client: Any, stack: Any, fake: Any, operation: str):
    method, params, changed = _token_call(client, stack, operation, fake)
    before = fake.state()

    first = method(clientToken="same", **params)
    fake.advance(60)  # a replay must not act, even later (UpdateImagePipeline would set a new dateUpdated)
    after_first = fake.state()
    replay = method(clientToken="same", **params)

    def answer(response: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in response.items() if k not in ("requestId", "ResponseMetadata")}

    assert answer(replay) == answer(first)
    if "clientToken" in service_model().operation_model(operation).output_shape.members:
        assert replay["clientToken"] == "same"
    assert fake.state() == after_first != before  # the first call acted, the replay did not
    # The imports model no IdempotentParameterMismatchException: they answer their only 400, ClientException.
    modeled = {shape.name for shape in service_model().operation_model(operation).error_shapes}
    mismatch = "IdempotentParameterMismatchException"
    with pytest.raises(getattr(client.exceptions, mismatch if mismatch in modeled else "ClientException")) as caught:
        method(clientToken="same", **changed)
    assert "already used with different parameters" in caught.value.response["Error"]["Message"]
